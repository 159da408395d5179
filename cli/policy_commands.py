"""Policy commands: whatif, policies (and their ranking), optimize."""

from __future__ import annotations

import click

from chiprisk.cli.options import output_options, render
from chiprisk.cli.scenario_commands import (
    _assumptions,
    _progress,
    sampling_options,
    spare_option,
)


@click.command()
@click.option("--policy", "policy_ids", multiple=True, metavar="ID", help="A policy (repeatable).")
@click.option(
    "--add-capacity",
    multiple=True,
    metavar="TARGET:INPUT:AMOUNT",
    help="Ad hoc capacity at a site, org or country (the input's capacity unit, "
    "else percent points of today's market).",
)
@click.option(
    "--year",
    type=int,
    help="As of this year (default: this calendar year, actual figures only; "
    "e.g. 2030 adds forecasts).",
)
@sampling_options(runs=20_000)
@click.option("--currency", default="USD", show_default=True, help="Convert money into this.")
@spare_option
@output_options
@click.pass_obj
def whatif(state, policy_ids, add_capacity, year, runs, seed, level, currency, spare, fmt, output):
    """Apply policies or new capacity as of a year: concentration and losses before/after.

    \b
    Examples:
      chiprisk whatif --policy jp-jasm-fab-1-subsidy --year 2030
      chiprisk whatif --add-capacity JP:hbm:30000 --year 2030 --format json
    """
    r = state.kg().whatif(
        list(policy_ids) or None,
        year=year,
        add_capacity=add_capacity,
        runs=runs,
        seed=seed,
        level=level,
        currency=currency,
        spare_capacity=spare,
        progress=_progress(),
    )
    if fmt != "table" or output:
        render(r.to_frame(), fmt, output)
        _assumptions(r.assumptions + r.notes, fmt, output)
        return
    inputs = r.inputs[
        [
            "input",
            "capacity_added",
            "capacity_unit",
            "lens",
            "hhi_before",
            "hhi_after",
            "eud_before",
            "eud_after",
            "cvar_before",
            "cvar_after",
            "cr1_before",
            "cr1_after",
            "capacity_applied",
            "table",
            "note",
            "source_ids",
        ]
    ]
    if inputs.empty:
        kinds = ", ".join(sorted(set(r.actions["action"]))) or "none"
        click.echo(
            f"No capacity is added as of {year}: no action of these policies has "
            f"adds_capacity + input with a start year by then (their actions: {kinds}).\n"
        )
    else:
        title = f"Per input as of {year}: capacity added, HHI and losses"
        render(inputs, fmt, None, title=title, section=True)
        if fmt == "table":  # the notes say why a row did not change; never cut them
            notes = inputs.dropna(subset=["note"]).drop_duplicates(["input", "note"])
            for inp, unit, note in zip(
                notes["input"], notes["capacity_unit"], notes["note"], strict=True
            ):
                click.echo(f"  {inp} ({unit}): {note}")
    mc = r.products[r.products["scenario"] == "(monte carlo)"]
    render(
        mc[
            [
                "product",
                "eud_before",
                "eud_after",
                "eud_se",
                "cvar_before",
                "cvar_after",
                "p_shortfall_before",
                "p_shortfall_after",
            ]
        ],
        fmt,
        None,
        title="Per product, Monte Carlo (common random numbers; fraction of a year's output)",
        section=True,
    )
    named = r.products[~r.products["scenario"].isin(["(monte carlo)"])]
    changed = named[(named["output_before"] != named["output_after"])]
    render(
        changed[
            [
                "product",
                "scenario",
                "output_before",
                "output_after",
                "annual_loss_before",
                "annual_loss_after",
            ]
        ],
        fmt,
        None,
        title="Per product and named scenario, where the output changes",
        section=True,
    )
    if not r.counterfactual.empty:
        cf = r.counterfactual
        cols = ["id", "capacity_funded", "unit", "taiwan_share_with", "taiwan_share_without"]
        render(
            cf.loc[cf["kind"] == "input", [*cols, "hhi_with", "hhi_without"]],
            fmt,
            None,
            title=f"Capacity ledger as of {year}: every policy vs without these (located shares)",
            section=True,
        )
        cols = ["id", "expected_loss_with", "expected_loss_without", "loss_reduced"]
        render(
            cf.loc[cf["kind"] == "product", cols],
            fmt,
            None,
            title="Per product: expected annual loss over the named scenarios, with and without",
            section=True,
        )
    acts = r.actions[
        [
            "policy",
            "action_id",
            "action",
            "target",
            "input",
            "adds_capacity",
            "capacity_unit",
            "start_year",
            "counted",
            "amount",
            "currency",
            f"amount_{currency.lower()}",
            "source_id",
        ]
    ]
    render(acts, fmt, None, title="Policy actions and their sources", section=True)
    if not r.conditions.empty:
        render(r.conditions, fmt, None, title="Conditions (listed, not modelled)", section=True)
    _assumptions(r.assumptions + r.notes, fmt, output)


@click.command()
@click.option(
    "--rank", is_flag=True, help="What removing each policy and award would change, ranked."
)
@click.option("--year", type=int, help="As of this year (default: this calendar year).")
@click.option(
    "--additionality",
    type=click.FloatRange(0, 1),
    default=1.0,
    show_default=True,
    help="Share of funded capacity that would not exist without the money (--rank).",
)
@click.option("--currency", default="USD", show_default=True, help="Convert money into this.")
@output_options
@click.pass_obj
def policies(state, rank, year, additionality, currency, fmt, output):
    """Every policy with its money and actions; --rank: what each one changes.

    Ranked, each policy and each award (a policy's funding of one site) is
    taken out of the world with every policy: its funded sites' ledger
    capacity x additionality is removed, and the change in the located Taiwan
    share, the country HHI and the products' expected loss is reported, also
    per billion USD. Policies with no modelled effect are listed after the
    ranked ones with the reason.

    \b
    Examples:
      chiprisk policies
      chiprisk policies --rank --year 2030
      chiprisk policies --rank --year 2030 --additionality 0.5 --format csv
    """
    df = state.kg().policies(rank=rank, year=year, additionality=additionality, currency=currency)
    title = "Policies"
    if rank:
        title = (
            "Policies and awards: every policy vs every policy but this one "
            "(shares in %, HHI 0-10,000, expected loss in fractions of a year's output)"
        )
    render(df, fmt, output, title=title)
    _assumptions(df.attrs.get("assumptions", []), fmt, output)


def _pairs(values, name):
    out = {}
    for v in values:
        key, sep, num = v.partition("=")
        try:
            out[key] = float(num)
        except ValueError:
            raise click.BadParameter(f"{v!r}: expected CANDIDATE=NUMBER", param_hint=name) from None
        if not sep:
            raise click.BadParameter(f"{v!r}: expected CANDIDATE=NUMBER", param_hint=name)
    return out


@click.command()
@click.option("--input", "input_id", required=True, metavar="ID", help="The input to diversify.")
@click.option("--target-hhi", type=float, help="Bring the input's HHI to at most this.")
@click.option("--budget", type=float, help="Minimise risk for this budget (units of --cost).")
@click.option(
    "--cost",
    "costs",
    multiple=True,
    metavar="CANDIDATE=COST",
    required=True,
    help="A candidate (country code, or lens entity for --target-hhi) and its cost "
    "per unit of capacity (repeatable).",
)
@click.option("--max-add", multiple=True, metavar="CANDIDATE=LIMIT", help="Build limit.")
@click.option(
    "--objective",
    type=click.Choice(["eud", "cvar"]),
    default="eud",
    show_default=True,
    help="Risk to minimise under --budget.",
)
@click.option("--level", type=float, default=0.95, show_default=True, help="CVaR level.")
@click.option(
    "--by",
    "lens",
    type=click.Choice(["site", "hq", "firm", "country"]),
    default="site",
    show_default=True,
    help="Lens for --target-hhi.",
)
@click.option(
    "--year",
    type=int,
    help="As of this year (default: this calendar year, actual figures only; "
    "a later year adds forecasts).",
)
@output_options
@click.pass_obj
def optimize(
    state, input_id, target_hhi, budget, costs, max_add, objective, level, lens, year, fmt, output
):
    """Cheapest capacity additions: an HHI target, or least EUD/CVaR for a budget.

    \b
    Examples:
      chiprisk optimize --input leading-edge-logic --target-hhi 5000 --cost US=1 --cost JP=0.9
      chiprisk optimize --input hbm --budget 20 --cost US=1 --cost JP=0.9 --objective cvar
    """
    df = state.kg().optimize(
        input_id,
        year=year,
        target_hhi=target_hhi,
        budget=budget,
        costs=_pairs(costs, "--cost"),
        max_add=_pairs(max_add, "--max-add") or None,
        lens=lens,
        objective=objective,
        beta=level,
    )
    labels = {}
    if "optimum" in df.columns:  # the risk LP: the units of whatif's eud and cvar
        risk = f"{objective}, share of output"
        labels = {
            "before": f"before ({risk})",
            "optimum": f"optimum ({risk})",
            "added": "added (% points of today's output)",
            "budget_marginal": "budget_marginal (share of output per unit of budget)",
        }
    render(df, fmt, output, title=f"Capacity plan for {input_id}", labels=labels)
    _assumptions(df.attrs.get("assumptions", []), fmt, output)
