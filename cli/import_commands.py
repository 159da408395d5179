"""The ``import`` group: other tables -> a data directory in the file contract."""

from __future__ import annotations

import click

from chiprisk.cli.options import FORMATS, render

# -o names the data directory written (as the file contract's docs say), so the
# summary table has --format only and goes to standard output.
_format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="table",
    show_default=True,
    help="Format of the summary (rows written per table): table, CSV or JSON.",
)


_force_option = click.option(
    "--force",
    is_flag=True,
    help="Replace the output folder even if it holds files an import did not write.",
)


def _overrides(values: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for v in values:
        key, sep, code = v.partition("=")
        if not sep or not key or len(code) != 2:
            raise click.BadParameter(
                f"{v!r} is not PROVIDER_ID=ISO2 (e.g. P344=CN)", param_hint="--country"
            )
        out[key.strip()] = code.strip().upper()
    return out


def _report(report, fmt: str) -> None:
    for note in report.notes:
        click.echo(f"note: {note}", err=True)
    render(report.summary(), fmt, None)
    click.echo(f"wrote {report.path}; use it with: chiprisk --data {report.path} ...", err=True)


@click.group(name="import")
def import_group() -> None:
    """Import other tables into a data directory in the chiprisk file contract.

    \b
    Examples:
      chiprisk import eto ./eto-chip-explorer/data -o ./eto-data
      chiprisk import csv ./my-tables -o ./my-data --merge-builtin
    """


@import_group.command(name="eto")
@click.argument("src", type=click.Path(exists=True, file_okay=False))
@click.option(
    "-o",
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False),
    help="The data directory to write (new, empty, or a previous import).",
)
@click.option(
    "--year", type=int, help="Year of every share (the legacy release has no year column)."
)
@click.option(
    "--country",
    "countries",
    multiple=True,
    metavar="PROVIDER_ID=ISO2",
    help="Override a firm's country, on your own source (repeatable).",
)
@click.option(
    "--levels",
    type=click.Choice(["both", "firm", "country"]),
    default="both",
    show_default=True,
    help="Import firm rows, country rows, or both (kept apart by lens).",
)
@click.option("--merge-builtin", is_flag=True, help="Add chiprisk's built-in data to the output.")
@_force_option
@_format_option
def eto(src, out_dir, year, countries, levels, merge_builtin, force, fmt) -> None:
    """Import the CSET/ETO supply-chain tables (inputs, providers, provision, ...).

    Ids stay recognisable (ETO input N20 -> eto-n20, provider P45 -> eto-p45);
    each share keeps its year and source; ISO3 codes become ISO2; Europe (EUR)
    and "Various" rows go to the residual 'other'. Prints rows written per table.

    \b
    Examples:
      chiprisk import eto ./eto-chip-explorer/data -o ./eto-data
      chiprisk --data ./eto-data concentration --input eto-n20 --by country
    """
    from chiprisk.graph.io.importers.eto import import_eto

    report = import_eto(
        src,
        out_dir,
        year=year,
        country_overrides=_overrides(countries),
        levels=levels,
        merge_builtin=merge_builtin,
        force=force,
    )
    _report(report, fmt)


@import_group.command(name="csv")
@click.argument("src", type=click.Path(exists=True, file_okay=False))
@click.option(
    "-o",
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False),
    help="The data directory to write (new, empty, or a previous import).",
)
@click.option("--merge-builtin", is_flag=True, help="Add chiprisk's built-in data to the output.")
@_force_option
@_format_option
def csv_tables(src, out_dir, merge_builtin, force, fmt) -> None:
    """Check your own tables against the file contract and write their canonical form.

    Every problem is reported with file, line and column (exit 2), and then
    nothing is written.

    \b
    Examples:
      chiprisk import csv ./my-tables -o ./my-data
      chiprisk import csv ./my-tables -o ./merged --merge-builtin
    """
    from chiprisk.graph.io.importers.csv_dir import import_csv

    _report(import_csv(src, out_dir, merge_builtin=merge_builtin, force=force), fmt)
