"""The diversification outlook command: capacity, concentration and losses by year."""

from __future__ import annotations

import click

from chiprisk.cli.options import output_options, render, render_text

TABLE_COLUMNS = {
    "capacity": [
        "input",
        "year",
        "lens",
        "country",
        "capacity",
        "capacity_without_policies",
        "unit",
        "share",
        "share_without_policies",
    ],
    "concentration": [
        "input",
        "year",
        "lens",
        "country",
        "share",
        "share_without_policies",
        "hhi",
        "hhi_without_policies",
    ],
    "loss": ["year", "product", "scenario", "loss_with_policies", "loss_without_policies"],
    "ledger": [  # the ids are what --explain is for: kept, and the rest kept short
        "year",
        "site",
        "capacity",
        "ledger_ids",
        "source_ids",
    ],
}
TITLES = {
    "capacity": "Capacity by country (share in % of the capability)",
    "concentration": "Top country and country HHI (0-10,000) per capability",
    "loss": "Share of each product's output lost while the scenario lasts",
    "ledger": "Ledger rows behind the figures (--explain)",
}


@click.command()
@click.option(
    "--input",
    "inputs",
    multiple=True,
    metavar="ID",
    help="Capability (repeatable; default: every capability of the ledger).",
)
@click.option("--from", "start", type=int, help="First year (default: the ledger's, from 2022).")
@click.option("--to", "end", type=int, help="Last year (default: the ledger's last).")
@click.option(
    "--scenario",
    default="taiwan-strait-blockade",
    show_default=True,
    help="Named scenario of the loss rows ('none' for no loss rows).",
)
@click.option(
    "--without",
    multiple=True,
    metavar="POLICY|JURISDICTION",
    help="Policies removed in the no-policy world: ids or jurisdictions (US, JP, KR, eu); "
    "repeatable; default every policy.",
)
@click.option(
    "--additionality",
    type=click.FloatRange(0, 1),
    default=1.0,
    show_default=True,
    help="Share of funded capacity that would not exist without the money.",
)
@click.option("--lens", type=click.Choice(["located", "owner", "both"]), default="both")
@click.option("--explain", is_flag=True, help="Add the ledger rows behind the figures.")
@output_options
@click.pass_obj
def outlook(
    state, inputs, start, end, scenario, without, additionality, lens, explain, fmt, output
):
    """Capacity by country per capability and year, with and without policies.

    Located = where the sites are; owner = the headquarters of their owners.
    The world without policies removes the capacity of the sites the chosen
    policies fund (x additionality); the loss rows rerun the scenario on each
    year's ledger.

    \b
    Examples:
      chiprisk outlook --input logic-5nm-and-below --from 2025 --to 2030
      chiprisk outlook --input logic-5nm-and-below --without US --without JP \\
          --without KR --without eu --explain
      chiprisk outlook --format json | jq '.[] | select(.section == "loss")'
    """
    df = state.kg().outlook(
        inputs=list(inputs) or None,
        start=start,
        end=end,
        scenario=None if scenario in ("none", "") else scenario,
        without=list(without) or None,
        additionality=additionality,
        explain=explain,
    )
    assumptions = df.attrs.get("assumptions", [])
    if lens != "both":
        df = df[(df["lens"] == lens) | df["lens"].isna() | (df["section"] == "ledger")]
    if fmt != "table":
        render(df, fmt, output)
        if output is None:
            click.echo("Assumptions:\n" + "".join(f"  - {a}\n" for a in assumptions), err=True)
        return
    parts = []
    for section, cols in TABLE_COLUMNS.items():
        part = df[df["section"] == section]
        if section == "capacity":  # countries with no capacity in either world say nothing
            part = part[(part["capacity"] > 0) | (part["capacity_without_policies"] > 0)]
        if len(part):
            parts.append(render_text(part[cols], "table", output, TITLES[section], section=True))
    parts.append("Assumptions:\n" + "".join(f"  - {a}\n" for a in assumptions))
    text = "\n".join(parts)
    if output:
        from chiprisk.graph.io.atomic import atomic_write

        atomic_write(output, text.encode("utf-8"))
    else:
        click.echo(text, nl=False)
