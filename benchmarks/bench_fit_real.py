"""Time ``Matcher.fit`` on real registry rows (every 经营范围 different, as registries hold them).

Usage::

    python benchmarks/bench_fit_real.py [--repeat 3] [--n-jobs 2] [--rank-all 3]

Generated enterprises share scope templates, so their text caches hit often; real rows do not.
This reads the registry sample in ``../shared/corpora/registry_sample`` (evaluation only, never
copied into the repository) and exits when it is absent. Each timed fit runs in a fresh process so
that no text cache survives between runs; it reports the median and microseconds per row.
``--n-jobs k`` fits with ``Matcher.fit(..., n_jobs=k)`` (the texts read in ``k`` processes).
After each fit, ``--rank-all N`` times the whole ranking of the first ``N`` parks
(``rank_enterprises(park, k=None)``: every eligible row, each with its reasons), in the same
process as the fit: what exporting a park's full list of leads costs (0: not measured).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _one_fit(n_jobs: int = 1, rank_all: int = 0) -> dict[str, object]:
    sys.path.insert(0, str(HERE))
    import pandas as pd
    from devset import REGISTRY, load_devset

    from matcher import Matcher
    from matcher.io import validate_enterprises

    reg = pd.read_csv(REGISTRY, dtype=str)
    frame = pd.DataFrame(
        {
            "enterprise_id": [f"R{i}" for i in range(len(reg))],
            "name": reg["企业名称"],
            "business_scope": reg["经营范围"],
            "province": reg["所在省份"],
            "city": reg["地区"],
        }
    )
    enterprises = validate_enterprises(frame)
    parks = load_devset().parks
    start = time.perf_counter()
    matcher = Matcher().fit(parks, enterprises, n_jobs=n_jobs)
    fit = time.perf_counter() - start
    whole, shown = [], []
    for park in matcher.parks_.park_id.tolist()[:rank_all]:
        start = time.perf_counter()
        shown.append(len(matcher.rank_enterprises(park, k=None)))
        whole.append(time.perf_counter() - start)
    return {"rows": len(enterprises), "fit": fit, "whole": whole, "shown": shown}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="fits, each in a fresh process")
    parser.add_argument(
        "--n-jobs", type=int, default=1, help="processes that read the texts (default 1)"
    )
    parser.add_argument(
        "--rank-all", type=int, default=3, help="parks ranked whole after each fit (0: none)"
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_one_fit(args.n_jobs, args.rank_all)))
        return
    sys.path.insert(0, str(HERE))
    from devset import REGISTRY

    if not REGISTRY.exists():
        raise SystemExit(f"{REGISTRY} is absent: nothing to measure")
    runs = []
    for _ in range(args.repeat):
        out = subprocess.run(
            [
                sys.executable,
                __file__,
                "--child",
                "--n-jobs",
                str(args.n_jobs),
                "--rank-all",
                str(args.rank_all),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    rows = runs[0]["rows"]
    fit = statistics.median(r["fit"] for r in runs)
    print(
        f"real registry rows: {rows:,}; {args.repeat} fits, each the first in a fresh process"
        f"{f', n_jobs={args.n_jobs}' if args.n_jobs > 1 else ''}"
    )
    print(
        f"fit  median {fit:6.1f} s   {fit / rows * 1e6:6.0f} µs/row   ≈ {fit / rows * 1e6:.0f} s per million"
    )
    whole = [t for r in runs for t in r["whole"]]
    if whole:
        shown = [n for r in runs for n in r["shown"]]
        print(
            f"whole ranking of a park (k=None, reasons for every row): median "
            f"{statistics.median(whole):.2f} s (max {max(whole):.2f} s) over {len(whole)} rankings"
            f" of {min(shown):,}–{max(shown):,} rows"
        )


if __name__ == "__main__":
    main()
