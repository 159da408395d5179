"""Commands that speak RDF and SPARQL: query, export."""

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
    from chiprisk.graph.query import named_bindings, read_query_arg, run_query
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
    else:
        text, bindings = read_query_arg(sparql), {}
    render(run_query(kg.rdf, text, bindings), fmt, output)


@click.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["turtle", "nt", "jsonld", "xml"]),
    default="turtle",
    show_default=True,
    help="RDF serialisation.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    default="-",
    show_default=True,
    help="Output file ('-' for standard output); written atomically.",
)
@click.option("--with-ontology", is_flag=True, help="Include the ontology (TBox) in the output.")
@click.pass_obj
def export(state, fmt: str, output: str, with_ontology: bool) -> None:
    """Write the knowledge graph as RDF.

    \b
    Examples:
      chiprisk export --format turtle -o chiprisk.ttl
      chiprisk export --format nt | wc -l
    """
    from chiprisk.graph.export import serialize, write_rdf

    graph = state.kg().rdf
    if with_ontology:
        from chiprisk.ontology import resources
        from rdflib import Graph

        merged = Graph()
        for prefix, ns in graph.namespaces():
            merged.bind(prefix, ns)
        for t in graph:
            merged.add(t)
        merged.parse(data=resources.ontology_text(), format="turtle")
        graph = merged
    if output == "-":
        click.echo(serialize(graph, fmt).decode("utf-8"), nl=False)
    else:
        write_rdf(graph, fmt, output)
        click.echo(f"wrote {output}", err=True)
