"""The ``chiprisk`` command group, its global options and exit codes.

Exit codes: 0 success; 1 validation found violations; 2 usage or data errors
(a bad argument, or a row that fails a type, range or reference check); 3 an
internal error (a bug): one line on standard error and a hint to rerun with
``--debug``, which prints the traceback instead.
Subcommands are imported only when run, so ``chiprisk --help`` starts fast.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import sys
import threading
from importlib import import_module
from typing import NoReturn

import click

from chiprisk.graph.errors import ChipriskError, DataErrors
from chiprisk.graph.io.datadir import DataDir, NotADataDir

COMMAND_GROUPS: dict[str, list[tuple[str, str, str]]] = {
    "Risk analysis": [
        ("summary", "chiprisk.cli.analysis_commands:summary", "The headline risk summary."),
        (
            "concentration",
            "chiprisk.cli.analysis_commands:concentration",
            "HHI, CR1/CR3 and bands per input and lens.",
        ),
        (
            "exposure",
            "chiprisk.cli.analysis_commands:exposure",
            "A product's loss if a country or firm goes offline.",
        ),
        (
            "chokepoints",
            "chiprisk.cli.analysis_commands:chokepoints",
            "Single points of failure, ranked.",
        ),
    ],
    "Reports": [
        (
            "report",
            "chiprisk.cli.report_commands:report",
            "The HTML risk report with charts, a map and the tables behind them.",
        ),
    ],
    "Scenarios and policy": [
        (
            "simulate",
            "chiprisk.cli.scenario_commands:simulate",
            "What a disruption does to every input and product.",
        ),
        (
            "buffers",
            "chiprisk.cli.weekly_commands:buffers",
            "Where extra weeks of stock cut lost output most (greedy).",
        ),
        (
            "montecarlo",
            "chiprisk.cli.scenario_commands:montecarlo",
            "Expected unmet demand, VaR, CVaR over the named scenarios.",
        ),
        (
            "whatif",
            "chiprisk.cli.policy_commands:whatif",
            "Policies or new capacity as of a year: before/after.",
        ),
        (
            "policies",
            "chiprisk.cli.policy_commands:policies",
            "Every policy; --rank: what each policy and award changes.",
        ),
        (
            "outlook",
            "chiprisk.cli.outlook_commands:outlook",
            "Capacity by country per year, with and without policies.",
        ),
        (
            "optimize",
            "chiprisk.cli.policy_commands:optimize",
            "Cheapest capacity for an HHI target or a risk budget.",
        ),
    ],
    "Look around": [
        ("info", "chiprisk.cli.data_commands:info", "Counts, versions and the data hash."),
        ("show", "chiprisk.cli.data_commands:show", "Everything known about one entity."),
        ("search", "chiprisk.cli.data_commands:search", "Find entities by id or name."),
        ("validate", "chiprisk.cli.data_commands:validate", "SHACL shapes and data rules."),
        (
            "coverage",
            "chiprisk.cli.coverage_commands:coverage",
            "What the data cannot answer, and its grades.",
        ),
        (
            "build",
            "chiprisk.cli.data_commands:build",
            "Build the graph and cache; write the manifest.",
        ),
    ],
    "SPARQL and files": [
        ("query", "chiprisk.cli.rdf_commands:query", "Run SPARQL, or a named query."),
        ("export", "chiprisk.cli.rdf_commands:export", "Write the graph as RDF, GraphML or CSV."),
        ("serve", "chiprisk.cli.rdf_commands:serve", "A read-only SPARQL endpoint."),
        ("push", "chiprisk.cli.rdf_commands:push", "Load the graph into a SPARQL store."),
        ("import", "chiprisk.cli.import_commands:import_group", "Import ETO or CSV tables."),
    ],
}
_COMMANDS = {name: target for group in COMMAND_GROUPS.values() for name, target, _ in group}
_HIDDEN: dict[str, str] = {"synth": "chiprisk.cli.dev_commands:synth"}
"""Developer commands: invokable, but not listed in the grouped help."""


class LazyGroup(click.Group):
    """A click group that imports each command's module only when it runs."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(_COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = _COMMANDS.get(cmd_name) or _HIDDEN.get(cmd_name)
        if target is None:
            return None
        module, attr = target.split(":")
        return getattr(import_module(module), attr)

    def resolve_command(self, ctx, args):
        name = args[0] if args else None
        if name and name not in _COMMANDS and name not in _HIDDEN and not name.startswith("-"):
            import difflib

            close = difflib.get_close_matches(name, list(_COMMANDS), n=3)
            hint = f" Did you mean: {', '.join(close)}?" if close else ""
            ctx.fail(f"No such command {name!r}.{hint}")
        return super().resolve_command(ctx, args)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except ChipriskError as exc:
            message = str(exc) if isinstance(exc, DataErrors) else f"error: {exc}"
            click.echo(message, err=True)
            ctx.exit(2)
        except BrokenPipeError:
            sys.stderr.close()
            ctx.exit(0)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as exc:  # a bug: exit 3, one line (--debug: the traceback)
            if ctx.params.get("debug"):
                raise
            first = (str(exc).splitlines() or [""])[0][:200]
            click.echo(
                f"internal error: {type(exc).__name__}: {first}\n"
                "this is a bug in chiprisk; rerun with --debug for the traceback",
                err=True,
            )
            ctx.exit(3)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        for title, commands in COMMAND_GROUPS.items():
            with formatter.section(title):
                formatter.write_dl([(name, summary) for name, _, summary in commands])


class State:
    """What the global options select; builds the knowledge graph on demand.

    ``data`` is the one :class:`~chiprisk.graph.io.datadir.DataDir` resolved
    from ``--data``; every command passes it down as is.
    """

    def __init__(self, data: DataDir, use_cache: bool):
        self.data = data
        self.use_cache = use_cache
        self._kg = None

    def kg(self):
        if self._kg is None:
            from chiprisk.graph.knowledge_graph import load

            self._kg = load(self.data, use_cache=self.use_cache)
        return self._kg


def _version() -> str:
    from chiprisk.graph.io.cache import chiprisk_version

    return chiprisk_version()


@click.group(
    cls=LazyGroup,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.option(
    "--data",
    type=click.Path(exists=True, file_okay=False),
    default=None,
    help="A data directory in the chiprisk file contract (default: the built-in data).",
)
@click.option("--no-cache", is_flag=True, help="Do not read or write the on-disk cache.")
@click.option("--debug", is_flag=True, help="On an internal error, print the traceback.")
@click.version_option(version=None, package_name="chiprisk", prog_name="chiprisk")
@click.pass_context
def cli(ctx: click.Context, data: str | None, no_cache: bool, debug: bool) -> None:
    """chiprisk: a knowledge graph of the AI-chip supply chain, and the risk it carries.

    \b
    Examples:
      chiprisk info
      chiprisk show tsmc
      chiprisk --data ./my-data validate
    """
    try:
        source = DataDir(data)
    except NotADataDir:  # click checked the path; it went away since
        raise click.BadParameter(f"{data} is not a directory", param_hint="--data") from None
    ctx.obj = State(source, not no_cache)
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())


def main() -> None:
    """Entry point of the ``chiprisk`` console script.

    The command done, the process ends as :func:`leave` says: output
    flushed, ``atexit`` handlers run, no interpreter teardown.
    """
    try:
        cli(prog_name="chiprisk")
    except SystemExit as exc:
        leave(exc.code)
    leave(0)


def leave(code: object) -> NoReturn:
    """Exit with ``code`` without tearing the interpreter down.

    Python's teardown frees the modules of numpy, pandas and scipy object by
    object (50-80 ms, a quarter of a quick command) just before the OS frees
    the whole process. So: flush stdout and stderr (a reader that went away
    is not an error, as in :meth:`LazyGroup.invoke`), run the ``atexit``
    handlers (logging, temporary files), then ``os._exit``. With another
    thread alive, or an exit that is not a number, this is a plain
    ``SystemExit``: Python waits for the threads and prints the message.

    Examples
    --------
    >>> try:
    ...     leave("not a number")
    ... except SystemExit as exc:
    ...     print(exc.code)
    not a number
    """
    run_exit_handlers = getattr(atexit, "_run_exitfuncs", None)
    if not (code is None or isinstance(code, int)) or threading.active_count() > 1:
        raise SystemExit(code)
    if run_exit_handlers is None:  # not CPython
        raise SystemExit(code)
    for stream in (sys.stdout, sys.stderr):
        # the reader left, or the stream is closed: nothing more to deliver
        with contextlib.suppress(BrokenPipeError, ValueError):
            stream.flush()
    run_exit_handlers()
    os._exit(code or 0)
