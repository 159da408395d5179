"""Developer commands, hidden from the grouped help: ``chiprisk synth``."""

from __future__ import annotations

import click


@click.command()
@click.argument("out", type=click.Path(file_okay=False))
@click.option("--rows", default="10k", show_default=True, help="Supply rows: 1000, 10k, 1M ...")
@click.option("--suppliers", type=int, help="Organisations (default: rows / 10).")
@click.option("--inputs", type=int, help="Inputs including products (default: rows / 500).")
@click.option("--products", type=int, help="Products (default: 5 % of the inputs).")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed.")
def synth(out, rows, suppliers, inputs, products, seed):
    """Write a seeded synthetic supply network (file contract) to OUT, for benchmarks.

    Every figure is synthetic and its sources say so. The same options and
    seed write the same files.

    \b
    Examples:
      chiprisk synth /tmp/net-100k --rows 100k --seed 1
      chiprisk --data /tmp/net-100k concentration --stage equipment
    """
    from chiprisk.graph.io.synthetic import generate, parse_size

    path = generate(
        out,
        supply_rows=parse_size(rows),
        suppliers=suppliers,
        inputs=inputs,
        products=products,
        seed=seed,
    )
    click.echo(f"wrote {path} ({parse_size(rows):,} supply rows, seed {seed})")
