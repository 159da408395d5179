"""Scenario commands: simulate and montecarlo, and the options the policy commands share."""

from __future__ import annotations

import sys

import click

from chiprisk.cli.options import output_options, render


def spare_option(f):
    """``--spare``: spare capacity of surviving suppliers (shared by the scenario commands)."""
    return click.option(
        "--spare",
        type=float,
        default=0.0,
        show_default=True,
        help="Spare capacity of surviving suppliers (fraction of normal output).",
    )(f)


def sampling_options(runs: int):
    """``--runs``, ``--seed`` and ``--level`` of a Monte Carlo, with a default run count."""

    def deco(f):
        f = click.option(
            "--level", type=float, default=0.95, show_default=True, help="VaR/CVaR level."
        )(f)
        f = click.option("--seed", type=int, default=0, show_default=True, help="Random seed.")(f)
        return click.option(
            "--runs", type=int, default=runs, show_default=True, help="Monte Carlo runs."
        )(f)

    return deco


def _assumptions(lines, fmt: str, output: str | None) -> None:
    """Assumptions go to stderr for csv/json on stdout, so stdout stays parseable."""
    if not lines:
        return
    text = "Assumptions:\n" + "".join(f"  - {x}\n" for x in lines)
    click.echo(text, err=fmt != "table" and output is None)


def _overrides(lines, fmt: str, output: str | None) -> None:
    """Options that replaced a named scenario's values, said before the rows (on
    stderr for csv/json on stdout)."""
    if lines:
        text = "Overrides of the scenario files:\n" + "".join(f"  - {x}\n" for x in lines)
        click.echo(text, err=fmt != "table" or output is not None)


def _weeks_shown(view, weeks: int):
    """Table view: ``inf`` weeks as words (never falls; not back within the horizon)."""
    view = view.astype({"tts_weeks": object, "ttr_weeks": object})
    view.loc[view["tts_weeks"] == float("inf"), "tts_weeks"] = "never"
    view.loc[view["ttr_weeks"] == float("inf"), "ttr_weeks"] = f"> {weeks}"
    return view


def _progress() -> bool:
    return sys.stderr.isatty()


@click.command()
@click.argument("scenarios", nargs=-1, metavar="[SCENARIO|FILE.yaml]...")
@click.option(
    "--disrupt",
    multiple=True,
    metavar="KIND:ID",
    help="Ad hoc target: country:TW, bloc:eu, org:asml, site:tsmc-fab-18, input:hbm.",
)
@click.option(
    "--severity",
    type=float,
    default=None,
    help="Share of the targets' capacity lost: of the --disrupt targets (default 1), "
    "else it overrides the named scenarios' own.",
)
@click.option(
    "--duration-weeks",
    type=float,
    help="Weeks the disruption lasts: of the --disrupt targets (default 13), "
    "else it overrides the named scenarios' own.",
)
@click.option(
    "--year",
    type=int,
    help="As of this year (default: this calendar year, actual figures only; "
    "a later year adds forecasts).",
)
@spare_option
@click.option("--inventory-weeks", type=float, help="Weeks of finished stock (TTS/TTR LPs).")
@click.option("--recovery-weeks", type=float, help="Weeks to ramp back after the disruption.")
@click.option(
    "--weeks",
    type=click.IntRange(1, 5200),
    default=104,
    show_default=True,
    help="Horizon of the weekly curve.",
)
@click.option("--curve", is_flag=True, help="The products' weekly rows: product, week, output.")
@click.option("--all-nodes", is_flag=True, help="Every input, not only the affected ones.")
@click.option("--products", "only_products", is_flag=True, help="Only the products.")
@output_options
@click.pass_obj
def simulate(
    state,
    scenarios,
    disrupt,
    severity,
    duration_weeks,
    year,
    spare,
    inventory_weeks,
    recovery_weeks,
    weeks,
    curve,
    all_nodes,
    only_products,
    fmt,
    output,
):
    """What a disruption does, week by week: when output falls, how deep, when it is back.

    Per product: tts_weeks (weeks from the start until output first falls),
    trough (lowest weekly output, 1 = normal), trough_week, ttr_weeks (weeks
    until back at 100%), lost_weeks_of_output and annual_loss (mean shortfall
    over the first 52 weeks); output_fraction is the flow-only figure while
    the cause lasts. Stocks, lead and restart times and the installed base
    come from inputs.csv (docs/methods.md).

    \b
    Examples:
      chiprisk simulate taiwan-strait-blockade
      chiprisk simulate --disrupt country:TW --disrupt site:tsmc-fab-18 --severity 0.8
      chiprisk simulate japan-photoresist-embargo --products --format json
      chiprisk simulate taiwan-strait-blockade --weeks 78 --products
      chiprisk simulate dutch-lithography-export-ban --curve --format csv
    """
    include = "all" if all_nodes else "products" if only_products else "affected"
    df = state.kg().simulate(
        list(scenarios),
        disrupt=disrupt,
        severity=severity,
        duration_weeks=duration_weeks,
        year=year,
        spare_capacity=spare,
        include=include,
        inventory_weeks=inventory_weeks,
        recovery_weeks=recovery_weeks,
        weeks=weeks,
        curve=curve,
    )
    _overrides(df.attrs.get("overrides", []), fmt, output)
    if curve:
        render(df, fmt, output, title="Weekly output (1 = normal)")
        return
    view = df
    if fmt == "table":
        view = _weeks_shown(
            df[
                [
                    "node",
                    "scenario",
                    "tts_weeks",
                    "trough",
                    "trough_week",
                    "ttr_weeks",
                    "lost_weeks_of_output",
                    "annual_loss",
                    "output_fraction",
                    "kind",
                    "lost_volume",
                    "volume_unit",
                    "note",
                ]
            ],
            weeks,
        )
    render(view, fmt, output, title="Disruption simulation (output as a fraction of normal)")
    _assumptions(df.attrs.get("assumptions", []) + df.attrs.get("notes", []), fmt, output)


@click.command()
@click.option(
    "--scenario",
    "scenarios",
    multiple=True,
    metavar="ID",
    help="Only these events (default: every named scenario).",
)
@sampling_options(runs=100_000)
@click.option(
    "--year",
    type=int,
    help="As of this year (default: this calendar year, actual figures only; "
    "a later year adds forecasts).",
)
@spare_option
@click.option("--all-nodes", is_flag=True, help="Every input as well as the products.")
@output_options
@click.pass_obj
def montecarlo(state, scenarios, runs, seed, level, year, spare, all_nodes, fmt, output):
    """Monte Carlo over the named scenarios: EUD, VaR, CVaR, P(shortfall) per product.

    Losses are fractions of a year's output, with standard errors.

    \b
    Examples:
      chiprisk montecarlo --runs 200000 --seed 7
      chiprisk montecarlo --level 0.99 --all-nodes --format csv
    """
    df = state.kg().montecarlo(
        list(scenarios) or None,
        year=year,
        runs=runs,
        seed=seed,
        level=level,
        spare_capacity=spare,
        include="all" if all_nodes else "products",
        progress=_progress(),
    )
    render(df, fmt, output, title=f"Monte Carlo ({runs} runs, seed {seed}, level {level})")
    events = [f"event {i}: p = {p:g}/year" for i, p in df.attrs.get("events", [])]
    _assumptions(df.attrs.get("assumptions", []) + events, fmt, output)
