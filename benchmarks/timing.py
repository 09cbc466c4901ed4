"""Shared timing helpers of the benchmark scripts (medians and p90 over repeated runs)."""

from __future__ import annotations

import resource
import statistics
import time
from collections.abc import Callable

import numpy as np


def times(fn: Callable[[], object], repeat: int) -> list[float]:
    """Wall-clock seconds of ``repeat`` calls of ``fn``."""
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def fmt(seconds: list[float], unit: str = "ms") -> str:
    """``median … p90 … (n=…)`` in milliseconds or seconds."""
    scale = 1000 if unit == "ms" else 1
    xs = sorted(s * scale for s in seconds)
    p90 = xs[min(len(xs) - 1, int(0.9 * len(xs)))]
    return f"median {statistics.median(xs):9.1f} {unit}   p90 {p90:9.1f} {unit}   (n={len(xs)})"


def cpu_and_faults(fn: Callable[[], object], repeat: int) -> str:
    """Median CPU time (every thread of the process, user + system) and minor page faults of one
    call of ``fn``: steadier than wall-clock time on a shared machine, and the faults show
    large temporaries whose pages the C library hands back and takes again on each call."""
    cpu, faults = [], []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_SELF)
        fn()
        after = resource.getrusage(resource.RUSAGE_SELF)
        cpu.append(
            after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime,
        )
        faults.append(after.ru_minflt - before.ru_minflt)
    return (
        f"CPU {statistics.median(cpu) * 1000:7.1f} ms, "
        f"{statistics.median(faults):6.0f} page faults a call (medians, n={repeat})"
    )


def column_floor(n: int, k: int = 20, columns: int = 8, seed: int = 0) -> Callable[[], object]:
    """The least a cold ranking of ``n`` rows must do: one single-threaded pass over ``columns``
    float32 columns (a weighted sum) and a top-``k`` (the issue's floor).

    The sum and its products go into two arrays made once, as a ranking's work arrays are: with
    a new 4 MB temporary per product, the floor measured the C library's state as much as the
    pass (in one process 2.5 ms, in another 6.0–6.6 ms with about 2,300 page faults a call,
    the same code on the same host, 2026-12-04)."""
    rng = np.random.default_rng(seed)
    data = [rng.random(n, dtype=np.float32) for _ in range(columns)]
    weights = rng.random(columns).astype(np.float32)
    total = np.empty(n, dtype=np.float32)
    part = np.empty(n, dtype=np.float32)

    def run() -> object:
        np.multiply(data[0], weights[0], out=total)
        for column, weight in zip(data[1:], weights[1:], strict=True):
            np.multiply(column, weight, out=part)
            np.add(total, part, out=total)
        np.negative(total, out=part)
        return np.argpartition(part, k)[:k]

    return run


def floor_ratios(label: str, cold: list[float], floors: list[float], columns: list[float]) -> str:
    """``<label> / array-pass floor = …x, / 8-column floor = …x`` of the medians."""
    median = statistics.median(cold)
    return (
        f"{label} / array-pass floor = {median / statistics.median(floors):.1f}x, "
        f"/ 8-column floor = {median / statistics.median(columns):.1f}x"
    )
