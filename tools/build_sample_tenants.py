"""Build datasets/tenants.csv: tenants of the 14 sample parks drawn from the sample enterprises.

For every park, each targeted node of its chains gets a planned number of tenants (some nodes
planned thin or empty on purpose, so chain reports have gaps to find); tenants are eligible sample
enterprises whose best placement is that node (confidence >= 0.6), drawn with a preference for
nearby ones. A few parks also get one unrelated tenant (a trader or warehouse). Deterministic
(seed 2022). Run from the repository root: .venv/bin/python build_sample_tenants.py
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from matcher import Matcher, load_sample
from matcher.chains import TARGET, chain_state
from matcher.features.location import distance_value
from matcher.reference.geo import haversine_km

#: Hand-written plans of the flagship parks (node -> tenants); others are drawn.
PLANS = {
    "GY-LZ-AL": {"al_flat": 6, "al_extrusion": 3, "al_building": 2, "al_casting": 1, "al_auto": 0},
    "DF-XCL": {
        "nm_refractory": 3,
        "nm_superhard": 4,
        "nm_tools": 2,
        "nm_abrasives": 1,
        "nm_grains": 2,
        "nm_carbon": 0,
        "nm_ceramics": 1,
        "nm_services": 0,
    },
    "XZ-SP": {
        "fd_frozen": 4,
        "fd_noodles": 3,
        "fd_bakery": 1,
        "fd_meat": 0,
        "fd_starch": 2,
        "fd_additives": 0,
        "fd_coldchain": 1,
    },
    "HKG-DZ": {
        "el_terminals": 3,
        "el_pcb": 2,
        "el_components": 0,
        "el_opto": 1,
        "el_sensors": 0,
        "el_materials": 1,
    },
    "EQ-FZ": {"gm_woven": 3, "gm_knit": 0, "gm_ecommerce": 0},
    "XM-QL-FZ": {"gm_woven": 4, "gm_knit": 0, "gm_logistics": 1},
}
SEED = 2022
MIN_CONF = 0.6


def main() -> None:
    parks, enterprises = load_sample()
    m = Matcher().fit(parks, enterprises)
    index = m.index_
    state = chain_state(index, m.parks_, None, cache=False)
    E, P = index.enterprises, index.parks
    rng = np.random.default_rng(SEED)
    used = np.zeros(len(E), dtype=bool)
    primary = state.placement.nodes[:, 0]
    primary_conf = state.placement.conf[:, 0]
    rows: list[tuple[str, str]] = []
    for p, prof in enumerate(state.profiles):
        pid = str(P.ids[p])
        targeted = [int(j) for j in np.flatnonzero(prof.status == TARGET)]
        plan = PLANS.get(pid)
        if plan is None:
            order = list(rng.permutation(targeted))
            counts = [0, 1] + [int(rng.integers(2, 6)) for _ in order[2:]]
            if len(order) <= 2:
                counts = [1, 3][: len(order)]
            plan = {state.chains.nodes[j].id: c for j, c in zip(order, counts, strict=True)}
        eligible = m.eligibility(np.array([p]), np.arange(len(E)))
        dist = haversine_km(E.lat, E.lon, P.lat[p], P.lon[p])
        near = np.where(np.isnan(dist), 0.05, distance_value(np.nan_to_num(dist, nan=1e4)))
        for node_id, count in plan.items():
            j = state.chains.position[node_id]
            pool = np.flatnonzero((primary == j) & (primary_conf >= MIN_CONF) & eligible & ~used)
            if count == 0 or len(pool) == 0:
                continue
            w = near[pool] + 0.02
            pick = rng.choice(pool, size=min(count, len(pool)), replace=False, p=w / w.sum())
            used[pick] = True
            rows.extend((pid, str(E.ids[r])) for r in sorted(pick))
        if rng.random() < 0.4:  # an unrelated tenant: a trader or a warehouse
            other = np.flatnonzero(
                np.isin(E.code, ["5179", "5990"]) & eligible & ~used & (near > 0.9)
            )
            if len(other):
                r = int(rng.choice(other))
                used[r] = True
                rows.append((pid, str(E.ids[r])))
    out = pd.DataFrame(rows, columns=["park_id", "enterprise_id"])
    out.to_csv("datasets/tenants.csv", index=False, encoding="utf-8")
    print(out.groupby("park_id").size().to_string())
    print(len(out), "tenants")


if __name__ == "__main__":
    main()
