"""Commands that look at the data: info, show, search, validate."""

from __future__ import annotations

import json

import click

from chiprisk.cli.options import output_options, render


@click.command()
@output_options
@click.pass_obj
def info(state, fmt: str, output: str | None) -> None:
    """Counts, versions and the data hash of the loaded data.

    \b
    Examples:
      chiprisk info
      chiprisk --data ./my-data info --format json
    """
    from chiprisk.graph.io import cache
    from chiprisk.graph.io.datadir import data_hash

    key = data_hash(state.data)
    blob = cache.get(key, "info.json") if state.use_cache else None
    if blob is not None:
        facts = json.loads(blob)
        # the entry is keyed by content: two folders with the same files share it
        facts["data"] = state.data.origin
    else:
        facts = state.kg().info()
        if state.use_cache:
            cache.put(key, "info.json", json.dumps(facts).encode())
    if fmt == "table" and output is None:
        width = max(len(k) for k in facts)
        for k, v in facts.items():
            click.echo(f"{k:<{width}}  {v if v is not None else ''}")
        return
    import pandas as pd

    render(
        pd.DataFrame({"field": list(facts), "value": [str(v) for v in facts.values()]}),
        fmt,
        output,
    )


@click.command()
@click.argument("entity")
@output_options
@click.pass_obj
def show(state, entity: str, fmt: str, output: str | None) -> None:
    """Everything known about one entity (firm, site, input, policy, country ...), with sources.

    \b
    Examples:
      chiprisk show tsmc
      chiprisk show euv-lithography --format json
    """
    kg = state.kg()
    df = kg.show(entity)
    label = kg.label(entity) or entity
    render(df, fmt, output, title=f"{label} ({entity})")


@click.command()
@click.argument("text")
@output_options
@click.pass_obj
def search(state, text: str, fmt: str, output: str | None) -> None:
    """Find entities whose id or name contains TEXT.

    \b
    Examples:
      chiprisk search hbm
      chiprisk search "chips act" --format csv
    """
    render(state.kg().search(text), fmt, output)


@click.command()
@click.option(
    "--rdf",
    "rdf_file",
    type=click.Path(exists=True, dir_okay=False),
    help="Validate this RDF file (Turtle, N-Triples) instead of the loaded data.",
)
@click.option(
    "--engine",
    type=click.Choice(["fast", "pyshacl"]),
    default="fast",
    show_default=True,
    help="fast: the vectorised SHACL engine and pandas rules; "
    "pyshacl: the reference (pyshacl and the rules' SPARQL). Same findings.",
)
@output_options
@click.pass_obj
def validate(state, rdf_file: str | None, engine: str, fmt: str, output: str | None) -> None:
    """Check the data against the SHACL shapes and the whole-graph rules.

    Exits 1 when there are violations, 0 when the data conforms.

    \b
    Examples:
      chiprisk validate
      chiprisk validate --rdf my-graph.ttl --format json
      chiprisk validate --engine pyshacl
    """
    from chiprisk.graph.rdf.validate import validate_graph, validate_tables

    if rdf_file:
        from chiprisk.graph.rdf.files import parse_rdf_file

        report = validate_graph(parse_rdf_file(rdf_file), engine=engine)
    else:
        report = validate_tables(state.kg().tables, engine=engine)
    if fmt == "table" and output is None:
        click.echo(report.text())
    else:
        render(report.results, fmt, output)
    if not report.conforms:
        raise click.exceptions.Exit(1)


@click.command()
@click.option(
    "--manifest",
    type=click.Path(dir_okay=False),
    help="Also write the data manifest (datapackage.json) to this file.",
)
@output_options
@click.pass_obj
def build(state, manifest: str | None, fmt: str, output: str | None) -> None:
    """Load, check and build the graph, fill the cache, and print what was built.

    \b
    Examples:
      chiprisk build
      chiprisk --data ./my-data build --manifest ./my-data/datapackage.json
    """
    import pandas as pd

    kg = state.kg()
    facts = kg.info()
    if manifest:
        from chiprisk.graph.io.atomic import atomic_write
        from chiprisk.graph.io.manifest import manifest_json

        atomic_write(manifest, manifest_json(state.data).encode("utf-8"))
    counts = {k: v for k, v in facts.items() if isinstance(v, int)}
    render(pd.DataFrame({"table": list(counts), "rows": list(counts.values())}), fmt, output)
