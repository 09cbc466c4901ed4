"""Scale benchmark: one machine, 1,000,000 generated enterprises (issue targets in brackets).

    python benchmarks/bench_scale.py --n 1000000 --parks 1000

Measures, each as the median over repeated runs with the p90:
- ``Matcher.fit`` on validated frames, and the resident memory it peaks at
  [≤ 25 s per million, peak ≤ 3 GiB; ``--fit-only`` stops after it; ``--n-jobs k`` reads the
  texts in k worker processes]
- ``rank_enterprises(k=20)`` cold (per-park score cache off)  [≤ 40 ms and ≤ 5× the 8-column
  floor]; and warm (cached)
- ``rank_parks(k=5)`` for one enterprise over ``--parks`` parks [≤ 20 ms]
- the floors in the same run, and the ratios: one pass over the index's enterprise arrays, and
  one single-threaded pass over n × 8 float32 columns with a top-k (issue 14's floor)
- the cold cost of each feature family's one-park path and of the eligibility check
- the batch top-50 of every park (``matcher.batch.top_enterprises``)       [≤ 60 s for 1,000]
- memory of the fitted index (array bytes) and the resident memory (VmRSS, with its anonymous
  and file-backed parts) of a fresh process that memory-maps the saved index: right after the
  load, after one cold ranking, and after touching every index array and ranking  [≤ 2 GB]

``--index FOLDER`` saves the fitted matcher there, and a later run with the same option loads it
instead of generating and fitting again (side-by-side runs of two versions of the library on one
index; ``--n``, ``--parks`` and ``--seed`` are then those of the saved run):

    python benchmarks/bench_scale.py --n 1000000 --parks 1000 --fit-only --index idx-1m
    python benchmarks/bench_scale.py --index idx-1m --repeat 15 --batch-parks 0

Parks beyond the 14 bundled ones are copies of them with new ids, coordinates jittered by up
to ~50 km and free space drawn at random (the benchmark needs many parks, not new profiles).
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from timing import column_floor, cpu_and_faults, floor_ratios, fmt, times

from matcher import Matcher, load_sample
from matcher.batch import top_enterprises
from matcher.datasets import make_enterprises
from matcher.features import scratch_session
from matcher.io import validate_enterprises, validate_parks
from matcher.ranking import park_eligibility


def many_parks(n: int, seed: int = 0) -> pd.DataFrame:
    """The bundled parks, repeated to ``n`` rows with new ids and jittered places."""
    parks, _ = load_sample()
    rng = np.random.default_rng(seed)
    reps = parks.iloc[np.arange(n) % len(parks)].reset_index(drop=True).copy()
    reps["park_id"] = [
        f"{pid}-{i:04d}" if i >= len(parks) else pid for i, pid in enumerate(reps["park_id"])
    ]
    reps["lat"] = reps["lat"] + rng.uniform(-0.4, 0.4, n)
    reps["lon"] = reps["lon"] + rng.uniform(-0.4, 0.4, n)
    reps["available_sqm"] = rng.uniform(10_000, 150_000, n).round()
    return validate_parks(reps.drop(columns=["location_source"]).astype(str))


RSS_PROBE = """
import sys, numpy as np
from matcher import Matcher

def rss_gib():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024 / 1024
    return float("nan")

def parts_gib():  # the anonymous and the file-backed (mapped) part of the resident memory
    parts = {}
    for line in open("/proc/self/status"):
        if line.startswith(("RssAnon:", "RssFile:")):
            parts[line.split(":")[0]] = int(line.split()[1]) / 1024 / 1024
    return parts.get("RssAnon", float("nan")), parts.get("RssFile", float("nan"))

m = Matcher.load(sys.argv[1], mmap=True)
before = rss_gib()
if sys.argv[2:] == ["ranking"]:  # what a cold ranking touches, nothing more
    m.rank_enterprises(m.index_.parks.ids[1], k=20)
    print(f"{before:.2f} {rss_gib():.2f} {parts_gib()[0]:.2f} {parts_gib()[1]:.2f}")
    raise SystemExit
E = m.index_.enterprises
total = 0.0
for a in (E.X.data, E.X.indices, E.X.indptr, E.leaf, E.declared_leaf, E.lat, E.lon, E.space,
          E.size, E.srdi, E.high_tech, E.patents, E.code_conf, E.names.data, E.docs.data,
          E.place.data, E.has_text, E.code_source, E.size_source):
    total += float(np.asarray(a).sum())
m.rank_enterprises(m.index_.parks.ids[0], k=20)
after = rss_gib()
print(f"{before:.2f} {after:.2f} {parts_gib()[0]:.2f} {parts_gib()[1]:.2f}")
"""


def _status_gib(field: str) -> float:
    """A memory line of /proc/self/status in GiB (NaN where there is none)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 2**20
    except OSError:
        pass
    return float("nan")


def _reset_peak() -> bool:
    """Start VmHWM (the peak resident memory) afresh, so it shows the fit's own peak."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as refs:
            refs.write("5")
        return True
    except OSError:
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--parks", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--fit-repeat", type=int, default=2)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument(
        "--fit-only", action="store_true", help="stop after the first fit (time and peak memory)"
    )
    parser.add_argument(
        "--batch-parks", type=int, default=-1, help="parks of the batch top-50 (-1 all, 0 none)"
    )
    parser.add_argument(
        "--index",
        type=Path,
        default=None,
        help="a saved matcher folder: loaded when it exists (no generate, validate or fit; the "
        "memory probe reads it), else written after the fit for the next run",
    )
    parser.add_argument(
        "--n-jobs",
        type=int,
        default=1,
        help="worker processes that read the texts at fit (Matcher.fit(n_jobs=...); default 1)",
    )
    args = parser.parse_args()
    if args.index is not None and args.index.exists():
        loaded(args)
        return

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"numpy {np.__version__}; n={args.n:,} enterprises, {args.parks} parks"
    )
    t0 = time.perf_counter()
    raw = make_enterprises(args.n, random_state=args.seed)
    t1 = time.perf_counter()
    enterprises = validate_enterprises(raw)
    del raw
    t2 = time.perf_counter()
    parks = many_parks(args.parks)
    print(f"generate: {t1 - t0:.1f} s; validate (load-time work, not fit): {t2 - t1:.1f} s")

    # the first fit reads every text; later fits in the process reuse the text caches
    before_fit = _status_gib("VmRSS")
    fresh_peak = _reset_peak()
    t_fit, cpu_fit = time.perf_counter(), time.process_time()
    m = Matcher().fit(parks, enterprises, n_jobs=args.n_jobs)
    first = [time.perf_counter() - t_fit]
    cpu = time.process_time() - cpu_fit
    print(f"fit, first               {fmt(first, 's')}")
    print(
        f"fit: {first[0] / args.n * 1e6:.1f} s per million rows (CPU time {cpu:.1f} s); "
        f"load average {' / '.join(f'{x:.1f}' for x in os.getloadavg())} after it"
    )
    peak = _status_gib("VmHWM")
    print(
        f"resident memory: {before_fit:.2f} GiB before the fit (the frames), peak during the fit "
        f"{peak:.2f} GiB" + ("" if fresh_peak else " (the process's peak: VmHWM not reset)")
    )
    if args.index is not None:
        m.save(args.index)
        print(f"saved the fitted matcher to {args.index} (--index {args.index} loads it)")
    if args.n_jobs > 1:
        workers = resource.getrusage(resource.RUSAGE_CHILDREN)
        print(
            f"fit with n_jobs={args.n_jobs}: the reading workers' CPU time "
            f"{workers.ru_utime + workers.ru_stime:.1f} s, the largest one's peak resident memory "
            f"{workers.ru_maxrss / 2**20:.2f} GiB (forked: pages shared with this process count "
            "in both)"
        )
    if args.fit_only:
        return
    if args.fit_repeat:
        fits = times(lambda: Matcher().fit(parks, enterprises), args.fit_repeat)
        print(f"refit (texts read)       {fmt(fits, 's')}")
    measure(m, args)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "matcher"
        t = time.perf_counter()
        m.save(folder)
        print(f"save: {time.perf_counter() - t:.1f} s")
        memory_probe(folder)


def loaded(args: argparse.Namespace) -> None:
    """The measures of a matcher saved by an earlier run (``--index``): no fit."""
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, numpy {np.__version__}"
    )
    t = time.perf_counter()
    m = Matcher.load(args.index, mmap=True)
    print(
        f"loaded {args.index} (mmap; the one-park state is mapped when saved with the index, "
        f"else built) in "
        f"{time.perf_counter() - t:.1f} s: n={len(m.index_.enterprises):,} enterprises, "
        f"{len(m.index_.parks)} parks; load average "
        f"{' / '.join(f'{x:.1f}' for x in os.getloadavg())}"
    )
    measure(m, args)
    memory_probe(args.index)


def _probe(folder: Path, *mode: str) -> tuple[float, list[float]]:
    """Seconds and the RSS_PROBE figures (GiB) of one fresh process on ``folder``."""
    t = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", RSS_PROBE, str(folder), *mode],
        capture_output=True,
        text=True,
        check=True,
    )
    return time.perf_counter() - t, [float(x) for x in out.stdout.split()]


def memory_probe(folder: Path) -> None:
    """Resident memory of a fresh process that memory-maps ``folder``: after one cold ranking,
    and after touching every index array and ranking (the probe of the README's figure)."""
    spent, (before, after, anon, file) = _probe(folder, "ranking")
    print(
        f"fresh process: load (mmap) + one cold ranking {spent:.1f} s; RSS "
        f"{before:.2f} GiB after load, {after:.2f} GiB after the ranking ({anon:.2f} anonymous, "
        f"{file:.2f} mapped from the folder's files and the libraries)"
    )
    spent, (before, after, anon, file) = _probe(folder)
    print(
        f"fresh process: load (mmap) + touch every index array + one ranking {spent:.1f} s; "
        f"RSS {before:.2f} GiB after load (tables), {after:.2f} GiB after touching "
        f"({anon:.2f} anonymous, {file:.2f} mapped): the index adds {after - before:.2f} GiB"
    )


def measure(m: Matcher, args: argparse.Namespace) -> None:
    """Rankings cold and warm, the floors, each family's cold cost and the batch."""
    E = m.index_.enterprises
    index_bytes = (
        sum(int(getattr(v, "nbytes", 0)) for v in vars(E).values() if hasattr(v, "nbytes"))
        + E.X.data.nbytes
        + E.X.indices.nbytes
        + E.X.indptr.nbytes
    )
    print(f"index arrays (enterprises): {index_bytes / 2**30:.2f} GiB")

    rng = np.random.default_rng(0)
    park_ids = m.index_.parks.ids.tolist()
    ent_ids = E.ids.tolist()

    def cold() -> None:
        m.clear_cache()
        m.rank_enterprises(park_ids[rng.integers(len(park_ids))], k=20)

    def warm() -> None:
        m.rank_enterprises(park_ids[0], k=20, offset=int(rng.integers(0, 100)))

    def parks_for_one() -> None:
        m.rank_parks(ent_ids[rng.integers(len(ent_ids))], k=5)

    def floor() -> None:  # read every enterprise array a ranking reads, once
        float(E.X.data.sum()) + int(E.X.indices.sum()) + int(E.leaf.sum())
        float(np.nansum(E.lat) + np.nansum(E.lon) + np.nansum(E.space) + E.code_conf.sum())
        int(E.size.sum() + E.srdi.sum() + E.high_tech.sum() + E.declared_leaf.sum())

    columns = column_floor(len(E))
    cold()
    warm()
    parks_for_one()
    floors = times(floor, args.repeat)
    column_floors = times(columns, args.repeat)
    colds = times(cold, args.repeat)
    warms = times(warm, args.repeat)
    rps = times(parks_for_one, args.repeat * 4)
    print(f"rank_enterprises (cold)  {fmt(colds)}")
    print(f"rank_enterprises (warm)  {fmt(warms)}")
    print(f"rank_parks ({len(park_ids)} parks) {fmt(rps)}")
    print(f"array-pass floor         {fmt(floors)}")
    print(f"8-column floor           {fmt(column_floors)}")
    print(floor_ratios("cold rank", colds, floors, column_floors))
    print(f"  cold rank:      {cpu_and_faults(cold, args.repeat)}")
    print(f"  warm rank:      {cpu_and_faults(warm, args.repeat)}")
    print(f"  8-column floor: {cpu_and_faults(columns, args.repeat)}")
    index = m.index_
    sample = rng.choice(len(park_ids), size=min(14, len(park_ids)), replace=False)
    print("cold cost per park (one-park paths, median over 14 parks):")
    with scratch_session():  # as score_park runs them: work arrays lent for the calls
        for family in m.families_:
            spent = [
                statistics.median(times(lambda r=int(r), f=family: f.compute_park(index, r), 3))
                for r in sample
            ]
            print(f"  {family.name:<12}{statistics.median(spent) * 1000:8.1f} ms")
        spent = [
            statistics.median(times(lambda r=int(r): park_eligibility(index, r), 3)) for r in sample
        ]
        print(f"  {'eligibility':<12}{statistics.median(spent) * 1000:8.1f} ms")
    if args.batch_parks:
        chosen = park_ids if args.batch_parks < 0 else park_ids[: args.batch_parks]
        t = time.perf_counter()
        top_enterprises(m, k=50, park_ids=chosen)
        spent_batch = time.perf_counter() - t
        print(
            f"batch top-50 for {len(chosen)} parks: {spent_batch:.1f} s "
            f"({spent_batch / len(chosen) * 1000:.1f} ms a park)"
        )
    print(f"load average {' / '.join(f'{x:.1f}' for x in os.getloadavg())} at the end")


if __name__ == "__main__":
    main()
