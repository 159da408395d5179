"""The ``report`` command: the self-contained HTML risk report with charts and tables."""

from __future__ import annotations

import sys

import click


@click.command()
@click.option(
    "-o",
    "--output",
    "out_dir",
    required=True,
    metavar="DIR",
    type=click.Path(file_okay=False),
    help="Write the report into DIR (index.html, charts/*.png, tables/*.csv); "
    "an existing DIR is replaced only when the new report is complete, and only "
    "if it is empty or an unchanged earlier report (else --force).",
)
@click.option(
    "--force", is_flag=True, help="Replace DIR even if it holds files a report did not write."
)
@click.option(
    "--year",
    type=int,
    help="As of this year (default: this calendar year, actual figures only; "
    "a later year adds forecasts).",
)
@click.pass_obj
def report(state, out_dir, year, force):
    """Build the risk report: HTML with charts and a map, plus the PNGs and CSVs behind it.

    The HTML opens offline (charts embedded, no scripts, tiles or fonts from the
    network); every table links each number to its sources.

    \b
    Examples:
      chiprisk report -o out/
      chiprisk --data ./my-data report -o reports/2024 --year 2024
    """
    from chiprisk.graph.report.html import STEPS, build_report

    kg = state.kg()
    if sys.stderr.isatty():
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        with Progress(
            TextColumn("[bold]report[/] {task.description:<16}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=True,
        ) as bar:
            task = bar.add_task(STEPS[0], total=len(STEPS))
            names = iter([*STEPS[1:], "done"])

            def tick(step: str) -> None:
                bar.update(task, advance=1, description=next(names, step))

            path = build_report(kg, out_dir, year=year, progress=tick, force=force)
    else:
        path = build_report(kg, out_dir, year=year, force=force)
    n_charts = len(list((path / "charts").glob("*.png")))
    n_tables = len(list((path / "tables").glob("*.csv")))
    click.echo(f"wrote {path / 'index.html'} ({n_charts} charts, {n_tables} tables)")
