"""Multi-tier firms: a firm's output depends on what it buys; node levels and firm cycles.

Where ``supplies.csv`` rows name an organisation ``X`` as ``buyer`` of input
``j``, the network has a node ``j@X`` (X's own share table for ``j``, with
``j``'s requirements as its children), and every supplier node of ``X`` (its
``X@stage`` nodes and the sites it operates) delivers at most the least
availability over X's purchase nodes: ``a_eff(s) = min(a(s), min_p avail(p))``
wherever that minimum is below 1 (spare capacity is kept while X's purchases
are whole). A failure three tiers up thus reaches the product.

The order of evaluation mixes nodes and firms: a node needs its children and
the firms among its suppliers; a firm needs its purchase nodes. Firms that
(transitively) buy from each other form a cycle: each cycle is reported in
the network's notes and broken by not applying one firm's dependency on one
purchase, so the propagation never loops.

Examples
--------
>>> levels, deps, notes = tier_levels(
...     {("a", None): [], ("b", None): [], ("b", "x"): []},
...     {("a", None): ["x"], ("b", "x"): [], ("b", None): []},
...     {"x": [("b", "x")]},
... )
>>> levels[("a", None)], levels[("b", "x")], deps
(1, 0, {'x': [('b', 'x')]})
"""

from __future__ import annotations

from collections.abc import Hashable
from graphlib import CycleError, TopologicalSorter

__all__ = ["tier_levels"]

Spec = tuple[str, str | None]


def tier_levels(
    children: dict[Spec, list[Spec]],
    firms_used: dict[Spec, list[str]],
    purchases: dict[str, list[Spec]],
) -> tuple[dict[Spec, int], dict[str, list[Spec]], list[str]]:
    """Levels of every node with firm dependencies, the dependencies kept, and notes.

    Parameters
    ----------
    children : dict
        Node key ``(input, buyer)`` -> the node keys it requires (AND).
    firms_used : dict
        Node key -> the buying firms among its suppliers (their output depends
        on their purchases).
    purchases : dict
        Firm id -> its purchase node keys ``(j, firm)``.

    Returns
    -------
    levels : dict
        Node key -> level: ``1 +`` the highest child level, and at least the
        ready level of every buying firm it uses (``1 +`` the highest level of
        that firm's purchases); 0 for a leaf. Equal to the requirement-chain
        level when no firm buys.
    deps : dict
        Firm id -> the purchase nodes its output depends on (after cycles are
        broken; firms left without any are dropped).
    notes : list of str
        One sentence per firm cycle found and the dependency not applied.

    Notes
    -----
    O(nodes + edges) per cycle found (graphlib's topological sort).
    """
    deps = {f: sorted(set(p), key=lambda k: (k[0], k[1] or "")) for f, p in purchases.items()}
    tier = _firm_tiers(children, firms_used, deps)
    notes: list[str] = []
    while True:
        graph: dict[Hashable, list[Hashable]] = {}
        for k, ch in children.items():
            graph[k] = list(ch) + [("\0firm", f) for f in firms_used.get(k, ()) if f in deps]
        for f, ps in deps.items():
            graph[("\0firm", f)] = list(ps)
        try:
            order = list(TopologicalSorter(graph).static_order())
            break
        except CycleError as err:
            cycle = err.args[1]
            notes.append(_break_cycle(cycle, deps, tier))
    levels: dict[Spec, int] = {}
    ready: dict[str, int] = {}
    for k in order:
        if k[0] == "\0firm":
            ready[k[1]] = 1 + max((levels[p] for p in deps.get(k[1], ())), default=-1)
            continue
        lv = 1 + max((levels[c] for c in children.get(k, ())), default=-1)
        for f in firms_used.get(k, ()):
            if f in deps:
                lv = max(lv, ready[f])
        levels[k] = lv
    return levels, deps, notes


def _firm_tiers(
    children: dict[Spec, list[Spec]],
    firms_used: dict[Spec, list[str]],
    deps: dict[str, list[Spec]],
) -> dict[str, int]:
    """Each buying firm's tier: its breadth-first distance from the products (top nodes
    with requirements; every top node when none has any)."""
    below = {c for ch in children.values() for c in ch} | {p for ps in deps.values() for p in ps}
    tops = [k for k in children if k not in below]
    frontier: list = [k for k in tops if children[k]] or tops  # the products, else every top
    seen, tier, d = set(frontier), {}, 0
    while frontier:
        d += 1
        nxt = []
        for k in frontier:
            if k[0] == "\0firm":
                step = deps.get(k[1], [])
            else:
                step = list(children.get(k, ())) + [("\0firm", f) for f in firms_used.get(k, ())]
            for j in step:
                if j not in seen:
                    seen.add(j)
                    nxt.append(j)
                    if j[0] == "\0firm":
                        tier[j[1]] = d
        frontier = nxt
    return tier


def _break_cycle(cycle: list, deps: dict[str, list[Spec]], tier: dict[str, int]) -> str:
    """Drop the deepest-tier firm's purchase dependency of a cycle; a sentence naming it.

    The firm furthest from the products is the one whose purchase closes the
    cycle (a tier-4 maker buying from a tier-1 firm), so the chain from the
    products down is kept whole.
    """
    firms = [k[1] for k in cycle if k[0] == "\0firm"]
    edges = []
    for u, v in zip(cycle, cycle[1:], strict=False):
        for firm_key, node in ((u, v), (v, u)):
            if (
                firm_key[0] == "\0firm"
                and node[0] != "\0firm"
                and node in deps.get(firm_key[1], ())
            ):
                edges.append((-tier.get(firm_key[1], 1 << 30), firm_key[1], node))
    if not edges:  # pragma: no cover - requirements are acyclic (the loader checks)
        raise RuntimeError(f"a cycle without a firm dependency: {cycle!r}")
    _t, f, node = min(edges, key=lambda e: (e[0], e[1], e[2][0]))
    deps[f] = [p for p in deps[f] if p != node]
    if not deps[f]:
        del deps[f]
    path = " -> ".join(dict.fromkeys(firms))
    return (
        f"cycle between firms ({path}): {f}'s output not made to depend on {node[0]} bought by {f}"
    )
