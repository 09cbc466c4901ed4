"""Load test of ``GET /parks/{park_id}/leads`` on the real server over 100,000 enterprises.

Usage::

    python benchmarks/bench_service.py                      # 100,000 enterprises, 120 req/s, 20 s
    python benchmarks/bench_service.py --rate 0             # closed loop: as fast as it goes
    python benchmarks/bench_service.py --no-response-cache  # every request ranks in the library
    python benchmarks/bench_service.py --cold --rate 0      # and scores the park anew (truly cold)

Seeds a temporary SQLite database with the bundled parks and ``make_enterprises(n)``, starts
``python -m service`` (uvicorn, one worker) on a free 127.0.0.1 port, waits for the index,
requests every query of the mix once (timed and printed: the cost of a page the library ranks),
then drives the leads endpoint from several client threads with a mix of parks, pages and filters
(the standard library's ``http.client`` on kept-alive connections: a light load generator, since
it shares the machine with the server; its CPU per request is printed too):
open loop at ``--rate`` requests per second (latency counted from each request's scheduled
start, so a slow server cannot hide queueing) or closed loop with ``--rate 0``. Prints p50, p90,
p99 and max latency and the requests per second achieved; stops by itself after ``--duration``
seconds or ``--requests`` requests, and stops the server.

``--cold`` turns the response cache off and gives every request its own per-call weights
(``weights=industry=0.35…`` differing in the ninth decimal: no ranking changes), so that no
request finds its park's scores in the library's per-park cache either: each one scores the
park over every enterprise, selects the page and builds its reasons, as a first request does.
Issue 14's targets at 100,000 enterprises, one worker: cold ≥ 150 req/s with p99 ≤ 60 ms;
with the caches ≥ 800 req/s with p99 ≤ 25 ms.
"""

from __future__ import annotations

import argparse
import gc
import http.client
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import quote, urlencode

import httpx
import numpy as np
from sqlalchemy.orm import Session

from matcher import load_sample
from matcher.datasets import make_enterprises
from matcher.io import validate_enterprises

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from service import store  # noqa: E402  (the service package lives in the source tree)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process (Linux ``/proc``); -1 elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return -1.0


def _children(pid: int) -> list[int]:
    """Every live descendant of ``pid`` (Linux ``/proc``): the ranking worker processes."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                parents[int(entry.name)] = int(stat[1])
            except (OSError, ValueError, IndexError):
                continue
    out, frontier = [], [pid]
    while frontier:
        kids = [p for p, parent in parents.items() if parent in frontier]
        out.extend(kids)
        frontier = kids
    return out


def _children_cpu(pid: int) -> dict[int, float]:
    """CPU seconds of each live descendant of ``pid``."""
    return {child: _cpu_seconds(child) for child in _children(pid)}


def _memory_kib(pid: int) -> tuple[int, int]:
    """RSS and PSS of a process in KiB (``/proc/PID/smaps_rollup``); -1 when unreadable."""
    try:
        lines = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
    except OSError:
        return -1, -1
    values = {line.split(":")[0]: int(line.split()[1]) for line in lines[1:] if ":" in line}
    return values.get("Rss", -1), values.get("Pss", -1)


def seed(url: str, n: int, seed: int) -> list[str]:
    """Write the sample parks and ``n`` generated enterprises; return the park ids."""
    parks, _ = load_sample()
    t0 = time.perf_counter()
    enterprises = validate_enterprises(make_enterprises(n, random_state=seed))
    t1 = time.perf_counter()
    engine = store.make_engine(url)
    store.create_schema(engine)
    with Session(engine) as session:
        store.upsert(session, store.Park, store.park_rows(parks))
        store.upsert(session, store.Enterprise, store.enterprise_rows(enterprises))
        store.mark_changed(session)
        session.commit()
    engine.dispose()
    t2 = time.perf_counter()
    print(
        f"seed: generate + validate {n:,} enterprises {t1 - t0:.1f} s, bulk insert {t2 - t1:.1f} s"
    )
    return parks["park_id"].astype(str).tolist()


def queries(park_ids: list[str]) -> list[tuple[str, dict[str, object]]]:
    """The request mix: every park × five pages × three filter variants."""
    variants: list[dict[str, object]] = [
        {},
        {"county": "巩义市"},
        {"srdi_level": ["provincial", "national"]},
    ]
    out = []
    for park in park_ids:
        for page in range(5):
            for extra in variants:
                out.append((park, {"limit": 20, "offset": 20 * page, **extra}))
    return out


def wait_ready(http: httpx.Client, proc: subprocess.Popen[bytes], timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("server exited before it was ready")
        try:
            health = http.get("/health").json()
            if health["index"]["state"] == "ready":
                return health  # type: ignore[no-any-return]
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"index not ready after {timeout:.0f} s")


def drive(
    base: str,
    mix: list[tuple[str, dict[str, object]]],
    *,
    clients: int,
    rate: float,
    duration: float,
    max_requests: int,
    cold: bool = False,
) -> tuple[list[float], Counter[int], float]:
    """Send requests from ``clients`` threads; return latencies (s), status counts, wall time."""
    rng = np.random.default_rng(0)
    order = rng.permutation(max_requests) % len(mix)
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    lock = threading.Lock()
    counter = iter(range(max_requests))
    start = time.perf_counter() + 0.2
    stop_at = start + duration

    host, port = base.removeprefix("http://").rsplit(":", 1)

    def worker() -> None:
        # the standard library's client on a kept-alive connection: the load generator shares
        # the machine with the server, and httpx costs about four times its CPU per request
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        try:
            while True:
                with lock:
                    i = next(counter, None)
                if i is None:
                    return
                scheduled = start + i / rate if rate > 0 else time.perf_counter()
                if scheduled > stop_at:
                    return
                delay = scheduled - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                park, params = mix[order[i]]
                if cold:  # weights of this request alone: no cached scores to reuse
                    params = {**params, "weights": f"industry={0.35 + (i + 1) * 1e-9:.12f}"}
                conn.request("GET", f"/parks/{quote(park)}/leads?{urlencode(params, doseq=True)}")
                response = conn.getresponse()
                response.read()
                done = time.perf_counter()
                with lock:
                    latencies.append(done - scheduled)
                    statuses[response.status] += 1
        finally:
            conn.close()

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, statuses, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="enterprises to generate")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--clients", type=int, default=8, help="concurrent client threads")
    parser.add_argument("--rate", type=float, default=120.0, help="req/s (0: closed loop)")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of load")
    parser.add_argument("--requests", type=int, default=5000, help="at most this many requests")
    parser.add_argument(
        "--no-response-cache", action="store_true", help="PARKMATCH_RESPONSE_CACHE_SIZE=0"
    )
    parser.add_argument(
        "--cold",
        action="store_true",
        help="no response cache and no per-park score reuse: every request ranks anew",
    )
    args = parser.parse_args()
    if args.cold:
        args.no_response_cache = True

    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores "
        f"(load average {os.getloadavg()[0]:.1f}), Python {platform.python_version()}"
    )
    with tempfile.TemporaryDirectory(prefix="parkmatch-bench-") as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
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
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=folder, env=env)
        base = f"http://127.0.0.1:{port}"
        try:
            with httpx.Client(base_url=base, timeout=30) as http:
                health = wait_ready(http, proc, timeout=600)
                index = health["index"]
                print(
                    f"server ready after {time.perf_counter() - t0:.1f} s: index of "
                    f"{index['parks']} parks × {index['enterprises']:,} enterprises "
                    f"(load + validate + fit {index['fit_seconds']:.1f} s)"
                )
                for park in park_ids:  # first request per park computes its score vector
                    http.get(f"/parks/{park}/leads", params={"limit": 20})
                mix = queries(park_ids)
                cold = []
                for park, params in mix:  # one pass: each page ranked once by the library
                    t = time.perf_counter()
                    http.get(f"/parks/{park}/leads", params=params).raise_for_status()
                    cold.append(time.perf_counter() - t)
                cold_ms = np.array(cold) * 1000
                print(
                    f"warm-up pass (each query once, uncached unless disabled): {len(cold)} "
                    f"requests, p50 {np.percentile(cold_ms, 50):.1f} ms, "
                    f"p99 {np.percentile(cold_ms, 99):.1f} ms"
                )
            mode = f"open loop at {args.rate:g} req/s" if args.rate > 0 else "closed loop"
            cache = "off" if args.no_response_cache else "on"
            if args.cold:
                cache += ", every request scored anew (cold)"
            print(
                f"load: {mode}, {args.clients} clients, {len(mix)} distinct queries, "
                f"response cache {cache}, {args.duration:g} s / ≤ {args.requests} requests"
            )
            gc.collect()  # keep the client's own collector pauses out of the latencies
            gc.freeze()
            cpu0 = _cpu_seconds(proc.pid)
            children0 = _children_cpu(proc.pid)
            client0 = sum(os.times()[:2])
            latencies, statuses, wall = drive(
                base,
                mix,
                clients=args.clients,
                rate=args.rate,
                duration=args.duration,
                max_requests=args.requests,
                cold=args.cold,
            )
            cpu = _cpu_seconds(proc.pid) - cpu0
            children = {p: c - children0.get(p, 0.0) for p, c in _children_cpu(proc.pid).items()}
            memory = [_memory_kib(p) for p in (proc.pid, *children)]
            client_cpu = sum(os.times()[:2]) - client0
            load = os.getloadavg()[0]
            with httpx.Client(base_url=base, timeout=30) as http:
                index = http.get("/health").json()["index"]
            print(f"response cache: {index['response_cache']}")
            if index.get("ranking_processes"):  # where the cold pages were ranked
                print(f"ranking processes: {index['ranking_processes']}")
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    ms = np.array(sorted(latencies)) * 1000
    if not len(ms):
        raise SystemExit("no requests completed")
    p50, p90, p99 = np.percentile(ms, [50, 90, 99])
    print(
        f"requests: {len(ms)} in {wall:.1f} s = {len(ms) / wall:.1f} req/s; status {dict(statuses)}"
    )
    print(
        f"latency: p50 {p50:.1f} ms   p90 {p90:.1f} ms   p99 {p99:.1f} ms   "
        f"max {ms.max():.1f} ms   mean {statistics.fmean(ms):.1f} ms"
    )
    if cpu >= 0:
        workers = sum(children.values())
        print(
            f"server CPU: {cpu + workers:.1f} s = {1000 * (cpu + workers) / len(ms):.2f} ms per "
            f"request (request process {1000 * cpu / len(ms):.2f} ms, "
            f"{len(children)} ranking processes {1000 * workers / len(ms):.2f} ms); "
            f"client {1000 * client_cpu / len(ms):.2f} ms per request; "
            f"load average at the end {load:.1f}"
        )
        print(
            "memory at the end (RSS / PSS MiB): "
            + ", ".join(
                f"{'request process' if i == 0 else 'ranking process'} "
                f"{rss / 1024:.0f} / {pss / 1024:.0f}"
                for i, (rss, pss) in enumerate(memory)
            )
        )
    rps, all_ok = len(ms) / wall, set(statuses) == {200}
    ok = p99 <= 100 and rps >= 100 and all_ok
    print(f"target p99 ≤ 100 ms at ≥ 100 req/s: {'met' if ok else 'NOT met'}")
    if args.rate == 0 and (args.cold or not args.no_response_cache):
        floor, ceiling = (150, 60) if args.cold else (800, 25)
        ok = rps >= floor and p99 <= ceiling and all_ok
        mode = "cold" if args.cold else "cached"
        print(
            f"issue 14 target ({mode}: ≥ {floor} req/s, p99 ≤ {ceiling} ms): "
            f"{'met' if ok else 'NOT met'}"
        )


if __name__ == "__main__":
    main()
