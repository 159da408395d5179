"""Weekly-model commands: ``chiprisk buffers``."""

from __future__ import annotations

import click

from chiprisk.cli.options import output_options, render


@click.command()
@click.argument("scenarios", nargs=-1, required=True, metavar="SCENARIO|FILE.yaml...")
@click.option(
    "--budget-weeks",
    type=click.FloatRange(min=0, min_open=True),
    required=True,
    help="Extra weeks of stock to place in total.",
)
@click.option(
    "--step",
    type=click.FloatRange(min=0, min_open=True),
    default=1.0,
    show_default=True,
    help="Weeks added per greedy step.",
)
@click.option(
    "--weeks",
    type=click.IntRange(1, 5200),
    default=104,
    show_default=True,
    help="Horizon of the weekly model.",
)
@click.option(
    "--input",
    "candidates",
    multiple=True,
    metavar="ID",
    help="Only these inputs may hold more stock (default: every consumable input that loses).",
)
@click.option("--year", type=int, help="As of this year (default: the latest data).")
@output_options
@click.pass_obj
def buffers(state, scenarios, budget_weeks, step, weeks, candidates, year, fmt, output):
    """Where extra weeks of stock cut the lost output most, one step at a time (greedy).

    Each step tries STEP more weeks of stock (buffer_weeks) on every candidate
    input in the weekly model and keeps the one that cuts the lost weeks of
    output most, summed over the products and the scenarios. A greedy search,
    not an LP: it stops early where no single input helps alone.

    \b
    Examples:
      chiprisk buffers taiwan-strait-blockade --budget-weeks 8
      chiprisk buffers japan-photoresist-embargo china-gallium-export-stop --budget-weeks 12
      chiprisk buffers korea-hbm-outage --budget-weeks 4 --step 0.5 --format csv
    """
    from chiprisk.graph.algorithms.buffers import buffer_plan

    kg = state.kg()
    scs = [kg.scenario(s) for s in scenarios]
    df = buffer_plan(
        kg.as_of(year),
        scs,
        budget_weeks,
        step=step,
        weeks=weeks,
        year=year,
        network=kg.network(year),
        candidates=list(candidates) or None,
    )
    render(df, fmt, output, title=f"Buffers: {budget_weeks:g} weeks placed greedily")
    notes = df.attrs.get("notes", [])
    if notes:
        text = "Notes:\n" + "".join(f"  - {x}\n" for x in notes)
        click.echo(text, err=fmt != "table" or output is not None)
