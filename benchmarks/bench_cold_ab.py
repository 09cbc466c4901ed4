"""Cold ranking and one-thread ``score_park`` of a saved index, for side-by-side runs.

    PYTHONPATH=/path/to/other/checkout python benchmarks/bench_cold_ab.py FOLDER --repeat 400

Loads ``FOLDER`` (memory-mapped), then times ``rank_enterprises(k=20)`` after ``clear_cache()``,
the library's cold page as the service asks for it (``enterprise_page(k=20)`` after
``clear_cache()``) and ``score_park(..., threads=False)`` on the same random parks: the medians of
wall-clock and CPU time (every thread, user + system) in ms, and for the page also the CPU time
of the whole loop over the pages (``mean``: no per-call clock resolution). Run it alternately with two checkouts of the
library (``PYTHONPATH``) to compare them on one index.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import time
from collections.abc import Callable

import numpy as np

from matcher import Matcher
from matcher.ranking import score_park


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder")
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    m = Matcher.load(args.folder, mmap=True)
    index, parks = m.index_, m.index_.parks
    chosen = np.random.default_rng(0).integers(len(parks), size=args.repeat)

    def measure(fn: Callable[[int], object]) -> str:
        wall, cpu = [], []
        for park in chosen.tolist():
            before, start = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
            fn(park)
            wall.append(time.perf_counter() - start)
            after = resource.getrusage(resource.RUSAGE_SELF)
            cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
        return f"{statistics.median(wall) * 1000:.2f} ms (CPU {statistics.median(cpu) * 1000:.2f})"

    def cold(park: int) -> None:
        m.clear_cache()
        m.rank_enterprises(parks.ids[park], k=20)

    def page(park: int) -> None:
        m.clear_cache()
        m.enterprise_page(parks.ids[park], k=20)

    def one_thread(park: int) -> None:
        score_park(index, m.families_, m.scorer_, park, None, m.park_coef(park), threads=False)

    cold(0)
    start = time.process_time()
    pages = measure(page)
    mean = (time.process_time() - start) / len(chosen) * 1000
    print(
        f"cold rank_enterprises {measure(cold)}; cold enterprise_page {pages}, mean CPU "
        f"{mean:.2f} ms; score_park on one thread {measure(one_thread)}; "
        f"load average {os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
