"""Time ``Matcher.fit`` and one ``rank_enterprises`` / ``rank_parks`` over generated enterprises.

Usage::

    python benchmarks/bench_rank.py --n 100000 --repeat 20
    python benchmarks/bench_rank.py --n 300000 --fit-repeat 0 --batch   # + per family, batch

Reports medians (and p90) over repeated runs, and the ratio of one cold ranking to two floors
measured in the same run: one pass over the index's arrays (what any ranking must read), and
one single-threaded pass over n × 8 float32 columns with a top-k (issue 14's floor; target: a
cold ranking at 100,000 enterprises ≤ 8 ms). Also the cold cost of each feature family's
one-park path and of the eligibility check, and with ``--batch`` the batch top-50 of every park
against a loop of cold ``rank_enterprises(k=50)``.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from typing import Any

import numpy as np
from timing import column_floor, cpu_and_faults, floor_ratios, fmt, times

from matcher import Matcher, load_sample
from matcher.batch import top_enterprises
from matcher.datasets import make_enterprises
from matcher.features import scratch_session
from matcher.io import validate_enterprises
from matcher.ranking import park_eligibility


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="enterprises to generate")
    parser.add_argument("--repeat", type=int, default=20, help="timed rankings per measure")
    parser.add_argument("--fit-repeat", type=int, default=3, help="timed fits")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--batch", action="store_true", help="also time the batch top-50")
    args = parser.parse_args()

    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, numpy {np.__version__}"
    )
    parks, _ = load_sample()
    t0 = time.perf_counter()
    raw = make_enterprises(args.n, random_state=args.seed)
    t1 = time.perf_counter()
    enterprises = validate_enterprises(raw)
    t2 = time.perf_counter()
    print(f"generate {args.n:,} enterprises: {t1 - t0:.1f} s; validate: {t2 - t1:.1f} s")

    # the first fit reads every text; later fits in the process reuse the text caches
    t_fit = time.perf_counter()
    m = Matcher().fit(parks, enterprises)
    first = [time.perf_counter() - t_fit]
    print(f"fit, first          {fmt(first, 's')}")
    if args.fit_repeat:
        fits = times(lambda: Matcher().fit(parks, enterprises), args.fit_repeat)
        print(f"refit (texts read)  {fmt(fits, 's')}")
    park_ids = list(m.index_.parks.ids)
    ent_ids = list(m.index_.enterprises.ids)
    rng = np.random.default_rng(0)

    def one_rank() -> None:  # cold: the per-park score cache is cleared first
        m.clear_cache()
        m.rank_enterprises(park_ids[rng.integers(len(park_ids))], k=20)

    def warm_rank() -> None:  # another page of a park already ranked
        m.rank_enterprises(park_ids[0], k=20, offset=int(rng.integers(0, 200)))

    def one_rank_parks() -> None:
        m.rank_parks(ent_ids[rng.integers(len(ent_ids))], k=5)

    E = m.index_.enterprises

    def floor() -> None:  # read every enterprise array a ranking reads, once
        float(E.X.data.sum()) + int(E.X.indices.sum()) + int(E.leaf.sum())
        float(np.nansum(E.lat) + np.nansum(E.lon) + np.nansum(E.space) + E.code_conf.sum())
        int(E.size.sum() + E.srdi.sum() + E.high_tech.sum() + E.declared_leaf.sum())

    columns = column_floor(len(E))
    one_rank()
    warm_rank()
    ranks = times(one_rank, args.repeat)
    warms = times(warm_rank, args.repeat)
    floors = times(floor, args.repeat)
    column_floors = times(columns, args.repeat)
    parks_t = times(one_rank_parks, args.repeat)
    print(f"rank_enterprises    {fmt(ranks)}   (cold)")
    print(f"rank_enterprises    {fmt(warms)}   (warm: another page)")
    print(f"rank_parks          {fmt(parks_t)}")
    print(f"array-pass floor    {fmt(floors)}")
    print(f"8-column floor      {fmt(column_floors)}")
    print(floor_ratios("cold rank_enterprises", ranks, floors, column_floors))
    print(f"  cold:           {cpu_and_faults(one_rank, args.repeat)}")
    print(f"  warm:           {cpu_and_faults(warm_rank, args.repeat)}")
    print(f"  8-column floor: {cpu_and_faults(columns, args.repeat)}")

    index = m.index_
    rows = [int(index.park_row(p)) for p in park_ids]
    print(
        "cold cost per park (median over the parks): what a ranking pays (park_values), and "
        "the one-park path (compute_park) a ranking runs when the values are not kept"
    )

    def cost(call: Any) -> float:  # median over the parks of each park's median
        return statistics.median(
            statistics.median(times(lambda r=r: call(index, r), 5)) for r in rows
        )

    extras = index.enterprises.extras
    with scratch_session():  # as score_park runs them: work arrays lent for the calls
        for family in m.families_:
            read, computed = cost(family.park_values), cost(family.compute_park)
            kept = any(k.startswith(f"park_values:{family.name}:") for k in extras)
            print(
                f"  {family.name:<12}{read * 1000:8.2f} ms   (one-park path {computed * 1000:.2f} ms"
                f"{'; every park kept' if kept else ''})"
            )
        spent = [statistics.median(times(lambda r=r: park_eligibility(index, r), 5)) for r in rows]
        kept = "park_eligibility" in extras
        print(
            f"  {'eligibility':<12}{statistics.median(spent) * 1000:8.2f} ms"
            f"{'   (every park kept)' if kept else ''}"
        )

    if args.batch:
        t0 = time.perf_counter()
        top_enterprises(m, k=50)
        batch = time.perf_counter() - t0
        t0 = time.perf_counter()
        for park in park_ids:
            m.clear_cache()
            m.rank_enterprises(park, k=50)
        loop = time.perf_counter() - t0
        print(
            f"batch top-50, {len(park_ids)} parks: {batch:.2f} s ({batch / len(park_ids) * 1000:.1f} "
            f"ms a park); a loop of cold rank_enterprises(k=50): {loop:.2f} s"
        )


if __name__ == "__main__":
    main()
