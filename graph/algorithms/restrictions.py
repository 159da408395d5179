"""Export controls: the supply a restriction in effect cuts, as supplier availability.

A ``restricts`` action (input X, target country C, effective year on or
before the as-of year) cuts the C-located share of the suppliers of X, of X's
subtypes and of the inputs that directly require them, all year: C's
production that needs X stops. Products have no location in the data, so a
product's own access is not modelled.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from chiprisk.graph.algorithms.scenario_effects import _subtypes
from chiprisk.graph.io.countries import ISO_COUNTRIES
from chiprisk.graph.io.loader import Tables
from chiprisk.graph.model.propagation import SupplyNetwork

__all__ = ["restriction_availability"]


def restriction_availability(
    net: SupplyNetwork, tables: Tables, acts: pd.DataFrame
) -> tuple[np.ndarray | None, list[str]]:
    """Supplier availability left by the export controls in effect among ``acts``.

    Each counted ``restricts`` action (input X, target country C) makes the
    C-located share of the suppliers of X, of X's subtypes and of the inputs
    that directly require them unavailable all year.

    Parameters
    ----------
    net : SupplyNetwork
        The network the availability applies to.
    tables : Tables
        Its rows (inputs and requirements).
    acts : pandas.DataFrame
        Rows of :func:`~chiprisk.graph.algorithms.policy_actions.policy_actions`.

    Returns
    -------
    (numpy.ndarray or None, list of str)
        Availability per supplier node (None: no restriction applies) and one
        note per restriction.

    Examples
    --------
    >>> from chiprisk.graph.io.loader import load_tables
    >>> from chiprisk.graph.model.propagation import build_network
    >>> from chiprisk.graph.algorithms.policy_actions import policy_actions
    >>> t = load_tables()
    >>> acts = policy_actions(t, "nl-duv-export-licence-2024", 2030)
    >>> a, notes = restriction_availability(build_network(t, 2030), t, acts)
    >>> int((a < 1).sum()), notes[0].split(":")[0]
    (3, 'pa-nl-2024-duv')
    """
    rest = acts[(acts["action"] == "restricts") & acts["counted"] & acts["input"].notna()]
    rest = rest[rest["target"].isin(list(net.countries)) | rest["target"].isin(ISO_COUNTRIES)]
    if rest.empty:
        return None, []
    a = np.ones(net.n_suppliers)
    notes = []
    reqs = tables["requirements"]
    node_input = np.array(net.node_input, dtype=object)
    for _, r in rest.iterrows():
        types = _subtypes(tables["inputs"], r["input"])
        parents = set(reqs.loc[reqs["input"].isin(types), "product"])
        nodes = np.flatnonzero(np.isin(node_input, list(types | parents)))
        sup = np.unique(net.W[nodes].indices) if len(nodes) else np.array([], dtype=int)
        if r["target"] not in net.countries or not len(sup):
            notes.append(f"{r['action_id']}: no {r['target']}-located supplier needs {r['input']}")
            continue
        c = net.countries.index(r["target"])
        loc = net.L[:, c].toarray().ravel()
        cut = np.zeros(net.n_suppliers)
        cut[sup] = loc[sup]
        a *= 1.0 - cut
        notes.append(
            f"{r['action_id']}: {r['target']}-located supply of {r['input']} and of inputs "
            f"needing it cut ({int((cut > 0).sum())} supplier node(s))"
        )
    return a, notes
