"""Server time of the workbench's leads page (``GET /app/parks/{park_id}/leads``) at 100,000
enterprises, on the real server.

Usage::

    python benchmarks/bench_web.py                     # 100,000 enterprises, 14 parks
    python benchmarks/bench_web.py --n 20000 --pages 2  # a quicker look

Seeds a temporary SQLite database with the bundled parks and ``make_enterprises(n)`` (as
``bench_service.py`` does), starts ``python -m service`` (one worker) on a free 127.0.0.1 port,
waits for the index, then requests the leads page of every park with a mix of views, one
request at a time: the first view of each park (its scores computed), further pages, filters
(区县, 专精特新, 规模), a status filter (never cached: it reads the lead table), and weight-slider
positions (each one new, so the library ranks again). The page reports its own time in the
``Server-Timing`` header (park lookup, ranking, tracking, rendering: everything the server does
for the page); the client's round trip is printed beside it. Target: p90 server time ≤ 300 ms.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_service import _free_port, seed, wait_ready  # noqa: E402

ROOT = HERE.parent
_TIMING = re.compile(r"dur=([0-9.]+)")


def views(park_ids: list[str], pages: int) -> list[tuple[str, str, dict[str, object]]]:
    """(kind, park, query) for every park: first view, pages, filters, status, sliders."""
    out: list[tuple[str, str, dict[str, object]]] = []
    for i, park in enumerate(park_ids):
        out.append(("first view", park, {}))
        out += [("next pages", park, {"offset": 20 * p}) for p in range(1, pages)]
        out.append(
            ("filters", park, {"county": "巩义市、荥阳市", "size_class": ["small", "micro"]})
        )
        out.append(("filters", park, {"srdi_level": ["provincial", "national"], "limit": 50}))
        out.append(("status filter", park, {"status": "untracked"}))
        for j in range(2):  # slider positions: new weights, ranked again by the library
            weights = {
                "w_industry": 20 + 7 * i + j,
                "w_text": 30,
                "w_capacity": 15,
                "w_quality": 25 - j,
                "w_location": 10,
            }
            out.append(("weight sliders", park, weights))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="enterprises (default 100,000)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--pages", type=int, default=3, help="pages per park (default 3)")
    parser.add_argument("--no-response-cache", action="store_true")
    args = parser.parse_args()
    print(f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory(prefix="parkmatch-bench-web-") as tmp:
        folder = Path(tmp)
        url = f"sqlite:///{folder / 'bench.db'}"
        park_ids = seed(url, args.n, args.seed)
        port = _free_port()
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "PARKMATCH_DATABASE_URL": url,
            "PARKMATCH_SEED_SAMPLE": "false",
            "PARKMATCH_LOG_LEVEL": "warning",
            "PARKMATCH_RESPONSE_CACHE_SIZE": "0" if args.no_response_cache else "512",
        }
        cmd = [sys.executable, "-m", "service", "--host", "127.0.0.1", "--port", str(port)]
        proc = subprocess.Popen(cmd, cwd=folder, env=env)
        server: dict[str, list[float]] = {}
        client: dict[str, list[float]] = {}
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as http:
                health = wait_ready(http, proc, timeout=900)
                index = health["index"]
                print(
                    f"index: {index['parks']} parks × {index['enterprises']:,} enterprises "
                    f"(load + validate + fit {index['fit_seconds']:.1f} s)"
                )
                http.get("/app/").raise_for_status()  # session key, templates compiled
                for kind, park, params in views(park_ids, args.pages):
                    t = time.perf_counter()
                    r = http.get(f"/app/parks/{park}/leads", params=params)
                    elapsed = time.perf_counter() - t
                    r.raise_for_status()
                    match = _TIMING.search(r.headers.get("server-timing", ""))
                    assert match, "the page did not report its server time"
                    server.setdefault(kind, []).append(float(match.group(1)))
                    client.setdefault(kind, []).append(elapsed * 1000)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    print(f"{'view':<16}{'n':>4}  {'server p50':>11}{'p90':>9}{'max':>9}   {'round trip p50':>15}")
    every: list[float] = []
    for kind, times in server.items():
        xs = np.array(times)
        every += times
        print(
            f"{kind:<16}{len(xs):>4}  {np.median(xs):>8.1f} ms{np.percentile(xs, 90):>6.1f} ms"
            f"{xs.max():>6.1f} ms   {statistics.median(client[kind]):>12.1f} ms"
        )
    xs = np.array(every)
    p50, p90 = np.percentile(xs, [50, 90])
    print(f"{'all':<16}{len(xs):>4}  {p50:>8.1f} ms{p90:>6.1f} ms{xs.max():>6.1f} ms")
    print(f"target p90 server time ≤ 300 ms: {'met' if p90 <= 300 else 'NOT met'}")


if __name__ == "__main__":
    main()
