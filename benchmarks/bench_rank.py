"""Time ``Matcher.fit`` and one ``rank_enterprises`` / ``rank_parks`` over generated enterprises.

Usage::

    python benchmarks/bench_rank.py --n 100000 --repeat 20

Reports medians (and p90) over repeated runs, and the ratio of one ranking to the floor: one
pass over the index's arrays (the least any ranking must read) in the same run.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time

import numpy as np
from timing import fmt, times

from matcher import Matcher, load_sample
from matcher.datasets import make_enterprises
from matcher.io import validate_enterprises


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="enterprises to generate")
    parser.add_argument("--repeat", type=int, default=20, help="timed rankings per measure")
    parser.add_argument("--fit-repeat", type=int, default=3, help="timed fits")
    parser.add_argument("--seed", type=int, default=7)
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
    first = times(lambda: Matcher().fit(parks, enterprises), 1)
    print(f"fit, first          {fmt(first, 's')}")
    fits = times(lambda: Matcher().fit(parks, enterprises), args.fit_repeat)
    print(f"refit (texts read)  {fmt(fits, 's')}")
    m = Matcher().fit(parks, enterprises)
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

    one_rank()
    warm_rank()
    ranks = times(one_rank, args.repeat)
    warms = times(warm_rank, args.repeat)
    floors = times(floor, args.repeat)
    parks_t = times(one_rank_parks, args.repeat)
    print(f"rank_enterprises    {fmt(ranks)}   (cold)")
    print(f"rank_enterprises    {fmt(warms)}   (warm: another page)")
    print(f"rank_parks          {fmt(parks_t)}")
    print(f"array-pass floor    {fmt(floors)}")
    ratio = statistics.median(ranks) / statistics.median(floors)
    print(f"cold rank_enterprises / floor = {ratio:.1f}x")


if __name__ == "__main__":
    main()
