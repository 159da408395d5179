"""Commands that speak RDF and SPARQL: query, export, serve, push."""

from __future__ import annotations

import click

from chiprisk.cli.options import output_options, render


def _params(values: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for v in values:
        key, sep, value = v.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{v!r} is not NAME=VALUE", param_hint="--param")
        out[key.strip()] = value
    return out


def _check_entities(kg, bindings: dict) -> None:
    """An entity parameter must name an entity of the data (else it silently matches
    nothing): a usage error with the closest ids."""
    from rdflib import URIRef

    from chiprisk.graph.io.countries import ISO_COUNTRIES
    from chiprisk.ontology.namespaces import CRID, RESIDUAL_ID, id_for

    for term in bindings.values():
        if isinstance(term, URIRef) and str(term).startswith(str(CRID)):
            ident = id_for(str(term))
            if ident != RESIDUAL_ID and ident not in ISO_COUNTRIES:
                kg.resolve(ident)


@click.command()
@click.argument("sparql", required=False)
@click.option("--named", "named", metavar="NAME", help="Run a named competency query.")
@click.option(
    "--param",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help="A parameter of the named query, bound as an RDF term (repeatable).",
)
@click.option("--list", "list_queries", is_flag=True, help="List the named queries.")
@output_options
@click.pass_obj
def query(
    state,
    sparql: str | None,
    named: str | None,
    params: tuple[str, ...],
    list_queries: bool,
    fmt: str,
    output: str | None,
) -> None:
    """Run a SPARQL SELECT/ASK (text or a .rq file), or a named query.

    Prefixes cr:, crid:, prov:, dcterms:, schema:, geo:, rdfs:, owl:, xsd: are
    predeclared. Parameters are bound as RDF terms, never pasted into the text.

    \b
    Examples:
      chiprisk query --named fabs-funded-by-policy --param policy=eu-chips-act
      chiprisk query "SELECT ?s ?name WHERE { ?s a cr:Fab ; rdfs:label ?name }"
      chiprisk query my-question.rq --format csv
    """
    import pandas as pd

    from chiprisk.graph.rdf.ox_query import kg_query
    from chiprisk.graph.rdf.query import named_bindings, read_query_arg
    from chiprisk.ontology import resources

    if list_queries:
        qs = resources.named_queries().values()
        df = pd.DataFrame(
            [
                (
                    q.name,
                    q.question,
                    ", ".join(f"{p.name} ({p.type}, default {p.default})" for p in q.params),
                )
                for q in qs
            ],
            columns=["name", "question", "params"],
        )
        render(df, fmt, output)
        return
    if bool(sparql) == bool(named):
        raise click.UsageError("give either a SPARQL query (text or file) or --named NAME")
    if params and not named:
        raise click.UsageError("--param applies to --named queries only")
    kg = state.kg()
    if named:
        text, bindings = named_bindings(named, _params(params))
        _check_entities(kg, bindings)
    else:
        text, bindings = read_query_arg(sparql), {}
    render(kg_query(kg, text, bindings), fmt, output)


@click.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["turtle", "nt", "jsonld", "xml", "trig", "graphml", "csv"]),
    default="turtle",
    show_default=True,
    help="turtle, nt, jsonld, xml (RDF/XML), trig (one named graph per source), "
    "graphml (the supply network), csv (a data directory in the file contract).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(),
    default="-",
    show_default=True,
    help="Output file ('-' for standard output; a folder for csv); written atomically.",
)
@click.option("--with-ontology", is_flag=True, help="Include the ontology (TBox) in RDF output.")
@click.option(
    "--include-derived",
    is_flag=True,
    help="Add computed concentration scores (cr:ConcentrationScore) to RDF output.",
)
@click.option(
    "--force",
    is_flag=True,
    help="csv: replace the -o folder even if it holds files an export did not write.",
)
@click.pass_obj
def export(
    state, fmt: str, output: str, with_ontology: bool, include_derived: bool, force: bool
) -> None:
    """Write the knowledge graph as RDF, GraphML or CSV tables.

    TriG puts each fact in the named graph of its source (the graph IRI is the
    source's IRI), so provenance survives a round trip. JSON-LD uses the
    published @context (ontology/context.jsonld), inlined.

    \b
    Examples:
      chiprisk export --format turtle -o chiprisk.ttl
      chiprisk export --format trig --include-derived -o chiprisk.trig
      chiprisk export --format csv -o ./chiprisk-tables
      chiprisk export --format nt | wc -l
    """
    from chiprisk.graph.rdf.export import export as do_export

    if fmt in ("graphml", "csv") and (with_ontology or include_derived):
        raise click.UsageError("--with-ontology and --include-derived apply to RDF formats only")
    result = do_export(
        state.kg(),
        fmt,
        None if output == "-" else output,
        with_ontology=with_ontology,
        include_derived=include_derived,
        force=force,
    )
    if isinstance(result, bytes):
        click.echo(result.decode("utf-8"), nl=False)
    else:
        click.echo(f"wrote {result}", err=True)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=7878, show_default=True, type=int, help="Port (0: any free one).")
@click.option(
    "--timeout",
    default=10.0,
    show_default=True,
    type=float,
    help="Seconds a query may run before it is stopped (HTTP 503).",
)
@click.option(
    "--max-results",
    default=10_000,
    show_default=True,
    type=int,
    help="Most rows (or triples) a query may return (else HTTP 400).",
)
@click.option("--workers", default=2, show_default=True, type=int, help="Queries run at once.")
@click.option(
    "--memory-mb",
    default=1024,
    show_default=True,
    type=int,
    help="Memory a query worker may grow by (MiB); more: HTTP 503.",
)
@click.option("--with-ontology", is_flag=True, help="Serve the ontology (TBox) too.")
@click.option("--include-derived", is_flag=True, help="Serve computed concentration scores too.")
@click.pass_obj
def serve(
    state,
    host: str,
    port: int,
    timeout: float,
    max_results: int,
    workers: int,
    memory_mb: int,
    with_ontology: bool,
    include_derived: bool,
) -> None:
    """Serve the graph as a read-only SPARQL 1.1 endpoint (loopback by default).

    SELECT, ASK, CONSTRUCT and DESCRIBE only: UPDATE and SERVICE are refused
    (HTTP 400); a query is stopped after --timeout seconds (HTTP 503) and may
    return at most --max-results rows. The project's prefixes are predeclared.
    Stop with Ctrl-C.

    \b
    Examples:
      chiprisk serve --port 7878
      chiprisk --data ./eto-data serve --port 0 --timeout 5 --max-results 1000
    """
    from rdflib import Graph

    from chiprisk.graph.rdf.export import export as do_export
    from chiprisk.graph.rdf.serve import make_server

    kg = state.kg()
    graph = kg.rdf
    if with_ontology or include_derived:
        graph = Graph().parse(
            data=do_export(
                kg, "nt", None, with_ontology=with_ontology, include_derived=include_derived
            ),
            format="nt",
        )
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(
            f"warning: listening on {host}, not loopback: anyone who can reach it can query",
            err=True,
        )
    srv = make_server(
        graph,
        host=host,
        port=port,
        timeout=timeout,
        max_results=max_results,
        workers=workers,
        memory_mb=memory_mb,
    )
    click.echo(
        f"serving {srv.n_triples} triples read-only at {srv.url} "
        f"(timeout {timeout:g} s, at most {max_results} results); Ctrl-C stops",
        err=True,
    )
    if not srv.pool.isolated:
        click.echo(
            "warning: the query workers could not drop network access here; "
            "SERVICE is still refused by the query policy",
            err=True,
        )
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        srv.close()


@click.command()
@click.argument("url")
@click.option(
    "--graph",
    "graph_iri",
    metavar="IRI",
    help="Replace this named graph (default: the default graph).",
)
@click.option("--with-ontology", is_flag=True, help="Push the ontology (TBox) too.")
@click.option("--include-derived", is_flag=True, help="Push computed concentration scores too.")
@click.option(
    "--timeout", default=300.0, show_default=True, type=float, help="Seconds to wait for the store."
)
@output_options
@click.pass_obj
def push(
    state,
    url: str,
    graph_iri: str | None,
    with_ontology: bool,
    include_derived: bool,
    timeout: float,
    fmt: str,
    output: str | None,
) -> None:
    """Load the graph into a SPARQL 1.1 store (Graph Store HTTP Protocol, one PUT).

    URL is the store's graph-store endpoint: Oxigraph http://HOST:7878/store,
    Fuseki http://HOST:3030/DATASET/data, GraphDB
    http://HOST:7200/repositories/REPO/rdf-graphs/service. The PUT replaces the
    graph in one request, so a failed push leaves the store as it was.

    \b
    Examples:
      chiprisk push http://127.0.0.1:7878/store
      chiprisk push http://127.0.0.1:3030/chips/data --graph https://w3id.org/chiprisk/id/graph
    """
    import pandas as pd
    from rdflib import Graph

    from chiprisk.graph.rdf.export import export as do_export
    from chiprisk.graph.rdf.push import push_graph

    kg = state.kg()
    graph = kg.rdf
    if with_ontology or include_derived:
        graph = Graph().parse(
            data=do_export(
                kg, "nt", None, with_ontology=with_ontology, include_derived=include_derived
            ),
            format="nt",
        )
    n = push_graph(graph, url, graph_iri=graph_iri, timeout=timeout)
    render(
        pd.DataFrame([{"url": url, "graph": graph_iri or "(default)", "triples": n}]),
        fmt,
        output,
    )
