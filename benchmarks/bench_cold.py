"""Cold rankings of a saved matcher, for side-by-side runs of two versions of the library.

    python benchmarks/bench_cold.py --index idx-100k --n 100000       # fits and saves it once
    python benchmarks/bench_cold.py --index idx-100k --rounds 8         # then: load and measure

Each round is a fresh process that memory-maps the saved matcher and times ``--repeat`` cold
``rank_enterprises(k=20)`` (the table) and as many cold ``Matcher.enterprise_page(k=20)`` (the
arrays the service renders), each after clearing the per-park score cache, on random parks. The
medians and p90 pool every round; so does the mean process CPU a call (every thread's, the
figure that stays comparable when other jobs share the cores). To compare two versions, run the script with each on the same
index (``PYTHONPATH=<other checkout>`` for the other) alternately, so that
both see the same load; the load average of each round is printed.

Without a saved matcher at ``--index`` the first run fits one the way ``bench_rank.py`` does
(the bundled parks, ``--n`` generated enterprises) and saves it there.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROUND = """
import json, os, sys, time
import numpy as np
from matcher import Matcher

m = Matcher.load(sys.argv[1], mmap=True)
ids = list(m.index_.parks.ids)
rng = np.random.default_rng(int(sys.argv[3]))
m.rank_enterprises(ids[0], k=20)
cold, page, cold_cpu, page_cpu = [], [], [], []
for _ in range(int(sys.argv[2])):
    m.clear_cache()
    c, t = time.process_time(), time.perf_counter()
    m.rank_enterprises(ids[rng.integers(len(ids))], k=20)
    cold.append(time.perf_counter() - t)
    cold_cpu.append(time.process_time() - c)
    m.clear_cache()
    c, t = time.process_time(), time.perf_counter()
    m.enterprise_page(ids[rng.integers(len(ids))], k=20)
    page.append(time.perf_counter() - t)
    page_cpu.append(time.process_time() - c)
library = os.path.dirname(sys.modules["matcher"].__file__)
print(json.dumps({"cold": cold, "page": page, "cold_cpu": cold_cpu, "page_cpu": page_cpu,
                  "load": os.getloadavg()[0], "library": library}))
"""


def fit_and_save(folder: Path, n: int, seed: int) -> None:
    """Fit the bundled parks and ``n`` generated enterprises (as ``bench_rank.py``) and save."""
    from matcher import Matcher, load_sample
    from matcher.datasets import make_enterprises
    from matcher.io import validate_enterprises

    parks, _ = load_sample()
    enterprises = validate_enterprises(make_enterprises(n, random_state=seed))
    t = time.perf_counter()
    Matcher().fit(parks, enterprises).save(folder)
    print(f"fitted {n:,} enterprises and saved to {folder} in {time.perf_counter() - t:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, required=True, help="a saved matcher folder")
    parser.add_argument("--n", type=int, default=100_000, help="enterprises, when fitting")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rounds", type=int, default=4, help="fresh processes")
    parser.add_argument("--repeat", type=int, default=40, help="cold rankings per round")
    args = parser.parse_args()
    if not args.index.exists():
        fit_and_save(args.index, args.n, args.seed)
    rounds = []
    for r in range(args.rounds):
        out = subprocess.run(  # from outside any checkout: PYTHONPATH decides the library
            [sys.executable, "-c", ROUND, str(args.index.resolve()), str(args.repeat), str(r)],
            capture_output=True,
            text=True,
            check=True,
            cwd=tempfile.gettempdir(),
        )
        rounds.append(json.loads(out.stdout))
    loads = [r["load"] for r in rounds]
    print(f"{args.rounds} rounds × {args.repeat}; load average {min(loads):.1f}–{max(loads):.1f}")
    for key, label in (("cold", "rank_enterprises (cold)"), ("page", "enterprise_page (cold)")):
        xs = np.sort([x * 1000 for r in rounds for x in r[key]])
        p90 = xs[min(len(xs) - 1, int(0.9 * len(xs)))]
        cpu = statistics.mean(x * 1000 for r in rounds for x in r.get(f"{key}_cpu", [np.nan]))
        print(
            f"{label:<24} median {statistics.median(xs):7.2f} ms   p90 {p90:7.2f} ms   "
            f"CPU {cpu:5.2f} ms a call (mean, every thread)   (n={len(xs)})"
        )
    print(f"library: {rounds[0]['library']}")


if __name__ == "__main__":
    main()
