"""Scenario and policy commands: simulate, montecarlo, whatif, policies, optimize."""

from __future__ import annotations

import sys

import click

from chiprisk.cli.options import output_options, render


def spare_option(f):
    """``--spare``: spare capacity of surviving suppliers (shared by the scenario commands)."""
    return click.option(
        "--spare",
        type=float,
        default=0.0,
        show_default=True,
        help="Spare capacity of surviving suppliers (fraction of normal output).",
    )(f)


def sampling_options(runs: int):
    """``--runs``, ``--seed`` and ``--level`` of a Monte Carlo, with a default run count."""

    def deco(f):
        f = click.option(
            "--level", type=float, default=0.95, show_default=True, help="VaR/CVaR level."
        )(f)
        f = click.option("--seed", type=int, default=0, show_default=True, help="Random seed.")(f)
        return click.option(
            "--runs", type=int, default=runs, show_default=True, help="Monte Carlo runs."
        )(f)

    return deco


def _assumptions(lines, fmt: str, output: str | None) -> None:
    """Assumptions go to stderr for csv/json on stdout, so stdout stays parseable."""
    if not lines:
        return
    text = "Assumptions:\n" + "".join(f"  - {x}\n" for x in lines)
    click.echo(text, err=fmt != "table" and output is None)


def _overrides(lines, fmt: str, output: str | None) -> None:
    """Options that replaced a named scenario's values, said before the rows (on
    stderr for csv/json on stdout)."""
    if lines:
        text = "Overrides of the scenario files:\n" + "".join(f"  - {x}\n" for x in lines)
        click.echo(text, err=fmt != "table" or output is not None)


def _weeks_shown(view, weeks: int):
    """Table view: ``inf`` weeks as words (never falls; not back within the horizon)."""
    view = view.astype({"tts_weeks": object, "ttr_weeks": object})
    view.loc[view["tts_weeks"] == float("inf"), "tts_weeks"] = "never"
    view.loc[view["ttr_weeks"] == float("inf"), "ttr_weeks"] = f"> {weeks}"
    return view


def _progress() -> bool:
    return sys.stderr.isatty()


@click.command()
@click.argument("scenarios", nargs=-1, metavar="[SCENARIO|FILE.yaml]...")
@click.option(
    "--disrupt",
    multiple=True,
    metavar="KIND:ID",
    help="Ad hoc target: country:TW, bloc:eu, org:asml, site:tsmc-fab-18, input:hbm.",
)
@click.option(
    "--severity",
    type=float,
    default=None,
    help="Share of the targets' capacity lost: of the --disrupt targets (default 1), "
    "else it overrides the named scenarios' own.",
)
@click.option(
    "--duration-weeks",
    type=float,
    help="Weeks the disruption lasts: of the --disrupt targets (default 13), "
    "else it overrides the named scenarios' own.",
)
@click.option(
    "--year",
    type=int,
    help="As of this year (default: this calendar year, actual figures only; "
    "a later year adds forecasts).",
)
@spare_option
@click.option("--inventory-weeks", type=float, help="Weeks of finished stock (TTS/TTR LPs).")
@click.option("--recovery-weeks", type=float, help="Weeks to ramp back after the disruption.")
@click.option(
    "--weeks",
    type=click.IntRange(1, 5200),
    default=104,
    show_default=True,
    help="Horizon of the weekly curve.",
)
@click.option("--curve", is_flag=True, help="The products' weekly rows: product, week, output.")
@click.option("--all-nodes", is_flag=True, help="Every input, not only the affected ones.")
@click.option("--products", "only_products", is_flag=True, help="Only the products.")
@output_options
@click.pass_obj
def simulate(
    state,
    scenarios,
    disrupt,
    severity,
    duration_weeks,
    year,
    spare,
    inventory_weeks,
    recovery_weeks,
    weeks,
    curve,
    all_nodes,
    only_products,
    fmt,
    output,
):
    """What a disruption does, week by week: when output falls, how deep, when it is back.

    Per product: tts_weeks (weeks from the start until output first falls),
    trough (lowest weekly output, 1 = normal), trough_week, ttr_weeks (weeks
    until back at 100%), lost_weeks_of_output and annual_loss (mean shortfall
    over the first 52 weeks); output_fraction is the flow-only figure while
    the cause lasts. Stocks, lead and restart times and the installed base
    come from inputs.csv (docs/methods.md).

    \b
    Examples:
      chiprisk simulate taiwan-strait-blockade
      chiprisk simulate --disrupt country:TW --disrupt site:tsmc-fab-18 --severity 0.8
      chiprisk simulate japan-photoresist-embargo --products --format json
      chiprisk simulate taiwan-strait-blockade --weeks 78 --products
      chiprisk simulate dutch-lithography-export-ban --curve --format csv
    """
    include = "all" if all_nodes else "products" if only_products else "affected"
    df = state.kg().simulate(
        list(scenarios),
        disrupt=disrupt,
        severity=severity,
        duration_weeks=duration_weeks,
        year=year,
        spare_capacity=spare,
        include=include,
        inventory_weeks=inventory_weeks,
        recovery_weeks=recovery_weeks,
        weeks=weeks,
        curve=curve,
    )
    _overrides(df.attrs.get("overrides", []), fmt, output)
    if curve:
        render(df, fmt, output, title="Weekly output (1 = normal)")
        return
    view = df
    if fmt == "table":
        view = _weeks_shown(
            df[
                [
                    "node",
                    "scenario",
                    "tts_weeks",
                    "trough",
                    "trough_week",
                    "ttr_weeks",
                    "lost_weeks_of_output",
                    "annual_loss",
                    "output_fraction",
                    "kind",
                    "lost_volume",
                    "volume_unit",
                    "note",
                ]
            ],
            weeks,
        )
    render(view, fmt, output, title="Disruption simulation (output as a fraction of normal)")
    _assumptions(df.attrs.get("assumptions", []) + df.attrs.get("notes", []), fmt, output)


@click.command()
@click.option(
    "--scenario",
    "scenarios",
    multiple=True,
    metavar="ID",
    help="Only these events (default: every named scenario).",
)
@sampling_options(runs=100_000)
@click.option(
    "--year",
    type=int,
    help="As of this year (default: this calendar year, actual figures only; "
    "a later year adds forecasts).",
)
@spare_option
@click.option("--all-nodes", is_flag=True, help="Every input as well as the products.")
@output_options
@click.pass_obj
def montecarlo(state, scenarios, runs, seed, level, year, spare, all_nodes, fmt, output):
    """Monte Carlo over the named scenarios: EUD, VaR, CVaR, P(shortfall) per product.

    Losses are fractions of a year's output, with standard errors.

    \b
    Examples:
      chiprisk montecarlo --runs 200000 --seed 7
      chiprisk montecarlo --level 0.99 --all-nodes --format csv
    """
    df = state.kg().montecarlo(
        list(scenarios) or None,
        year=year,
        runs=runs,
        seed=seed,
        level=level,
        spare_capacity=spare,
        include="all" if all_nodes else "products",
        progress=_progress(),
    )
    render(df, fmt, output, title=f"Monte Carlo ({runs} runs, seed {seed}, level {level})")
    events = [f"event {i}: p = {p:g}/year" for i, p in df.attrs.get("events", [])]
    _assumptions(df.attrs.get("assumptions", []) + events, fmt, output)


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
