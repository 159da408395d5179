"""The coverage command: what the data can and cannot answer."""

from __future__ import annotations

import click

from chiprisk.cli.options import output_options, render


@click.command()
@click.option(
    "--stale-years",
    type=click.IntRange(min=0),
    default=5,
    show_default=True,
    help="Flag supplies rows whose year is more than N years before --as-of.",
)
@click.option(
    "--as-of",
    "as_of",
    type=int,
    default=None,
    help="The year staleness is measured from (default: this calendar year).",
)
@output_options
@click.pass_obj
def coverage(state, stale_years: int, as_of: int | None, fmt: str, output: str | None) -> None:
    """What the data cannot answer: missing shares, bad sums, stale facts, gaps.

    One row per finding (check, severity, entity, detail, count): inputs
    without shares or suppliers, share tables that do not sum to 98..102
    without a residual, stale facts, the share of rows per confidence grade,
    sites without capacity, coordinates or start year, policies that act on
    no site or firm with an amount or capacity, currencies without an
    exchange rate, and buyer rows the network cannot apply.

    \b
    Examples:
      chiprisk coverage
      chiprisk coverage --stale-years 3 --format csv -o coverage.csv
    """
    from chiprisk.graph.model.coverage import coverage as run

    report = run(state.kg().tables, stale_years=stale_years, as_of=as_of)
    render(report, fmt, output, title="Coverage: what the data cannot answer")
