"""Analysis commands: concentration, exposure, chokepoints, summary."""

from __future__ import annotations

import click

from chiprisk.cli.cached import echo_cached
from chiprisk.cli.options import chosen_columns, output_options, render_text

LENSES = ("firm", "hq", "site", "country")


@click.command()
@click.option(
    "--input", "inputs", multiple=True, metavar="ID", help="Only this input (repeatable)."
)
@click.option("--stage", help="Only inputs of this stage (design, equipment, materials, ...).")
@click.option(
    "--by",
    type=click.Choice((*LENSES, "all")),
    default="firm",
    show_default=True,
    help="Lens: firm, owner's country (hq), site country, published country totals, or all.",
)
@click.option(
    "--year",
    type=int,
    help="As of this year (default: this calendar year, actual figures only; "
    "a later year adds forecasts).",
)
@click.option("--basis", help="Only share tables of this basis (revenue, capacity, ...).")
@click.option("--explain", is_flag=True, help="List the supply rows and sources behind each score.")
@click.option(
    "--exact-bounds",
    is_flag=True,
    help="Search the exact upper HHI bound of tables with nested share intervals "
    "(slow on large data; default: a valid relaxed bound, labelled in hhi_method).",
)
@click.option("--all-columns", is_flag=True, help="Show every column in the table view.")
@output_options
@click.pass_obj
def concentration(
    state, inputs, stage, by, year, basis, explain, exact_bounds, all_columns, fmt, output
):
    """How concentrated each input's supply is: HHI (with bounds), CR1/CR3, bands.

    \b
    Examples:
      chiprisk concentration --input euv-lithography --explain
      chiprisk concentration --stage equipment --by hq --format csv
      chiprisk concentration --input leading-edge-logic --by all
    """
    lens = None if by == "all" else by
    if explain and not inputs:
        raise click.UsageError("--explain needs --input ID")
    params = {
        "inputs": list(inputs),
        "stage": stage,
        "by": by,
        "year": year,
        "basis": basis,
        "explain": explain,
        "exact_bounds": exact_bounds,
        "all_columns": all_columns,
        "fmt": fmt,
    }
    echo_cached(
        state,
        "concentration",
        params,
        output,
        lambda: _concentration_text(
            state, inputs, stage, lens, year, basis, explain, exact_bounds, all_columns, fmt, output
        ),
    )


def _concentration_text(
    state, inputs, stage, lens, year, basis, explain, exact_bounds, all_columns, fmt, output
):
    kg = state.kg()
    if explain:
        import pandas as pd

        frames = [kg.explain(i, by=lens or "firm", year=year, basis=basis) for i in inputs]
        return render_text(
            pd.concat(frames, ignore_index=True), fmt, output, title="Facts behind the score"
        )
    df = kg.concentration(
        list(inputs) or None,
        stage=stage,
        by=lens,
        year=year,
        basis=basis,
        exact_bounds=exact_bounds,
    )
    if fmt == "table" and not all_columns and chosen_columns() is None:
        keep = [
            "input",
            "lens",
            "basis",
            "year",
            "n_entities",
            "hhi",
            "hhi_low",
            "hhi_high",
            "cr1",
            "cr3",
            "top_entity_name",
            "effective_n",
            "count_to_75",
            "band_2023",
            "over_65",
        ]
        df = df[[c for c in keep if c in df.columns]]
    return render_text(df, fmt, output, title="Concentration")


@click.command()
@click.argument("product")
@click.option("--by", type=click.Choice(["country", "firm"]), default="country", show_default=True)
@click.option(
    "--year",
    type=int,
    help="As of this year (default: this calendar year, actual figures only; "
    "a later year adds forecasts).",
)
@click.option("--totals", is_flag=True, help="Only the total loss per entity, not per input.")
@output_options
@click.pass_obj
def exposure(state, product, by, year, totals, fmt, output):
    """How much of PRODUCT is lost if one country (or firm) goes offline, per input and in total.

    \b
    Examples:
      chiprisk exposure nvidia-h100
      chiprisk exposure amd-mi300x --by firm --totals --format json
    """

    def text() -> str:
        df = state.kg().exposure(product, by=by, year=year)
        if totals:
            df = df[df["input"] == "(total)"].drop(
                columns=["input", "input_name", "depth", "direct_share"]
            )
        return render_text(df, fmt, output, title=f"Exposure of {product} by {by}")

    params = {"product": product, "by": by, "year": year, "totals": totals, "fmt": fmt}
    echo_cached(state, "exposure", params, output, text)


@click.command()
@click.option("--product", help="Only single points of failure of this product.")
@click.option(
    "--year",
    type=int,
    help="As of this year (default: this calendar year, actual figures only; "
    "a later year adds forecasts).",
)
@click.option("--top", type=int, default=None, help="Only the first N rows.")
@click.option(
    "--betweenness",
    is_flag=True,
    help="Add the betweenness screen column (slow on large data: minutes at 100k rows).",
)
@output_options
@click.pass_obj
def chokepoints(state, product, year, top, betweenness, fmt, output):
    """Single points of failure: inputs, firms and sites whose loss alone stops a product.

    \b
    Examples:
      chiprisk chokepoints --top 10
      chiprisk chokepoints --product nvidia-h100 --format csv
      chiprisk chokepoints --betweenness
    """

    def text() -> str:
        df = state.kg().chokepoints(product, year=year, betweenness=betweenness)
        if not betweenness:
            df = df.drop(columns=["betweenness"], errors="ignore")
        if top:
            df = df.head(top)
        return render_text(df, fmt, output, title="Chokepoints")

    params = {
        "product": product,
        "year": year,
        "top": top,
        "fmt": fmt,
        "betweenness": betweenness,
    }
    echo_cached(state, "chokepoints", params, output, text)


@click.command()
@click.option(
    "--year",
    type=int,
    help="As of this year (default: this calendar year, actual figures only; "
    "a later year adds forecasts).",
)
@click.option("--top", type=int, default=10, show_default=True, help="Rows per section.")
@output_options
@click.pass_obj
def summary(state, year, top, fmt, output):
    """The headline: most concentrated inputs, top chokepoints, each accelerator's
    largest country exposure.

    \b
    Examples:
      chiprisk summary
      chiprisk summary --year 2024 --format json
    """

    def text() -> str:
        parts = state.kg().summary(year=year, top=top)
        titles = {
            "concentrated": "Most concentrated inputs (firm HHI)",
            "markets": "Market concentration (firm HHI of the markets, apart from the inputs)",
            "chokepoints": "Top single points of failure",
            "exposure": "Largest country exposure of each product (share of output lost)",
            "outlook": "Leading capabilities: top country's located share (%), now and in the "
            "last ledger year, with and without policies",
        }
        if fmt == "table" and output is None:
            return "".join(
                render_text(df, fmt, None, title=titles[key], section=True)
                for key, df in parts.items()
            )
        import pandas as pd

        flat = pd.concat(
            [df.assign(section=key)[["section", *df.columns]] for key, df in parts.items()],
            ignore_index=True,
        )
        return render_text(flat, fmt, output)

    echo_cached(state, "summary", {"year": year, "top": top, "fmt": fmt}, output, text)
