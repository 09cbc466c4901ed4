"""Cold rankings with the one-park text columns memory-mapped from a saved folder against the
same columns built in memory (as a format-2 folder's load builds them), in one process.

    python benchmarks/bench_mapped_columns.py idx-1m [--parks 40] [--seed 0]

Both matchers load the same folder (saved in format 3); the second one's columns are built
again from the rows. Cold ``rank_enterprises(k=20)`` (score cache cleared) alternates between
the two on the same random parks, twice: first while each park's columns are touched for the
first time in the mapped matcher, then again. Prints the medians and the median paired ratio.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

import numpy as np

from matcher import Matcher
from matcher.features.text import TermColumns, term_columns


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="a matcher saved in format 3")
    parser.add_argument("--parks", type=int, default=40)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    mapped, built = Matcher.load(args.folder), Matcher.load(args.folder)
    if not isinstance(mapped.index_.enterprises.extras.get("term_columns"), TermColumns):
        raise SystemExit("这个索引不经过文本列（园区少：按园区预先算好），无可比较")
    E = built.index_.enterprises
    E.extras["term_columns"] = term_columns(E.X)
    rng = np.random.default_rng(args.seed)
    P = mapped.index_.parks
    parks = P.ids[rng.choice(len(P), min(args.parks, len(P)), replace=False)].tolist()

    def one(m: Matcher, park: str) -> float:
        m.clear_cache()
        t = time.perf_counter()
        m.rank_enterprises(park, k=20)
        return time.perf_counter() - t

    for label in ("first touch", "again"):
        a: list[float] = []
        b: list[float] = []
        for i, park in enumerate(parks):
            if i % 2:
                a.append(one(mapped, park))
                b.append(one(built, park))
            else:
                b.append(one(built, park))
                a.append(one(mapped, park))
        ratio = statistics.median(x / y for x, y in zip(a, b, strict=True))
        print(
            f"{label}: mapped {statistics.median(a) * 1e3:.1f} ms, built "
            f"{statistics.median(b) * 1e3:.1f} ms, median paired ratio {ratio:.3f}; load average "
            f"{' / '.join(f'{x:.1f}' for x in os.getloadavg())}"
        )


if __name__ == "__main__":
    main()
