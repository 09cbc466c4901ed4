"""The per-thread work arrays of the one-park paths and the helpers that write into them."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from matcher.features import (
    SPARE_SETS,
    clear_scratch,
    gather,
    keep_scratch,
    replace_where,
    scratch,
    scratch_nbytes,
    scratch_session,
)
from matcher.features import _base as base_module
from matcher.features.location import distance_value


def _bits(values: np.ndarray) -> bytes:
    return np.ascontiguousarray(values).tobytes()


def test_scratch_is_reused_in_a_session_and_apart_on_two_threads() -> None:
    clear_scratch()
    with scratch_session():
        a = scratch("test.a", 1000, np.float32)
        a[:] = 1.5
        again = scratch("test.a", 500, np.float32)
        assert again.dtype == np.float32 and again.shape == (500,)
        assert np.shares_memory(a, again) and again[0] == 1.5  # contents are left as they were
        assert not np.shares_memory(a, scratch("test.b", 1000, np.float32))
        wider = scratch("test.a", 1000, np.float64)  # larger than the buffer: a new one
        assert wider.shape == (1000,) and not np.shares_memory(a, wider)
        assert np.shares_memory(wider, scratch("test.a", 2000, np.float32))  # 8000 bytes fit
        with scratch_session():  # nested: the same set
            assert np.shares_memory(wider, scratch("test.a", 1000, np.float64))
        assert scratch_nbytes() >= 8000 + 4000

        other: list[np.ndarray] = []

        def on_another_thread() -> None:
            with scratch_session():  # the set in use here is not lent twice
                other.append(scratch("test.a", 1000, np.float64))

        thread = threading.Thread(target=on_another_thread)
        thread.start()
        thread.join()
        assert not np.shares_memory(other[0], wider)
    assert scratch_nbytes() == 0  # outside a session this thread holds nothing
    assert 0 < scratch_nbytes(spare=True)
    with scratch_session():  # the set kept from the session before
        assert np.shares_memory(wider, scratch("test.a", 1000, np.float64))
    clear_scratch()
    assert scratch_nbytes(spare=True) == 0
    with scratch_session():
        assert not np.shares_memory(wider, scratch("test.a", 1000, np.float64))
    clear_scratch()


def test_scratch_outside_a_session_is_a_new_array() -> None:
    clear_scratch()
    a = scratch("test.a", 100, np.float32)
    assert not np.shares_memory(a, scratch("test.a", 100, np.float32))
    assert scratch_nbytes() == 0 and scratch_nbytes(spare=True) == 0


def test_many_threads_keep_at_most_the_spare_sets() -> None:
    """Threads of a web server's pool that each rank once keep nothing of their own: at most
    SPARE_SETS sets are kept between sessions, however many threads opened one."""
    clear_scratch()
    start = threading.Barrier(6)
    held: list[int] = []

    def rank_once() -> None:
        with scratch_session():
            scratch("test.a", 10_000, np.float32)[:] = 0
            start.wait()  # six sessions at once: six sets in use
        held.append(scratch_nbytes())

    threads = [threading.Thread(target=rank_once) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert held == [0] * 6
    assert scratch_nbytes(spare=True) == SPARE_SETS * 40_000
    clear_scratch()


def test_a_failed_session_does_not_lend_its_set_again() -> None:
    clear_scratch()
    with pytest.raises(RuntimeError), scratch_session():
        scratch("test.a", 10, np.float32)
        raise RuntimeError("stop")
    assert scratch_nbytes() == 0 and scratch_nbytes(spare=True) == 0


def test_a_thread_that_keeps_scratch_reuses_it_without_a_session() -> None:
    seen: list[bool] = []

    def worker() -> None:
        keep_scratch()
        a = scratch("test.a", 100, np.float32)
        seen.append(np.shares_memory(a, scratch("test.a", 100, np.float32)))
        with scratch_session():  # nothing lent: the thread's own arrays
            seen.append(np.shares_memory(a, scratch("test.a", 100, np.float32)))

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert seen == [True, True]


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.int32, np.int64, np.intp])
@pytest.mark.parametrize("block", [7, 1 << 16])
def test_gather_equals_indexing(dtype: type, block: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(base_module, "GATHER_BLOCK", block)
    rng = np.random.default_rng(3)
    table = rng.random(9).astype(np.float32)
    table[4] = np.nan
    low = -9 if np.issubdtype(dtype, np.signedinteger) else 0
    for n in (0, 1, 6, 7, 50):
        positions = rng.integers(low, 9, size=n).astype(dtype)
        out = np.full(n, 5.0, dtype=np.float32)
        assert gather(table, positions, out) is out
        assert _bits(out) == _bits(table[positions])
    flags = np.array([True, False, True])
    out_flags = np.zeros(40, dtype=bool)
    positions = rng.integers(0, 3, size=40).astype(dtype)
    assert np.array_equal(gather(flags, positions, out_flags), flags[positions])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("fill", [0.5, 0.0, -0.0, np.nan, 1.0])
def test_replace_where_into_out_equals_a_new_array(dtype: type, fill: float) -> None:
    rng = np.random.default_rng(4)
    values = rng.random(1001).astype(dtype)
    values[::5] = np.nan
    values[::11] = -0.0
    mask = rng.random(1001) < 0.4
    expected = np.where(mask, np.asarray(fill, dtype=dtype), values)
    new = replace_where(values, mask, fill)
    assert _bits(new) == _bits(expected)
    out = np.full_like(values, 9.0)
    assert replace_where(values, mask, fill, out=out) is out
    assert _bits(out) == _bits(expected)
    in_place = values.copy()
    assert replace_where(in_place, mask, fill, out=in_place) is in_place
    assert _bits(in_place) == _bits(expected)


def test_distance_value_into_out_equals_a_new_array() -> None:
    km = np.random.default_rng(5).random(777).astype(np.float32) * 600
    km[::9] = np.nan
    km[::13] = 0.0
    r = km / np.float32(125.0)
    expected = (1.0 / (1.0 + r * r * r)).astype(np.float32)  # the formula, float32 throughout
    assert _bits(distance_value(km)) == _bits(expected)
    assert _bits(distance_value(km.reshape(7, 111))) == _bits(expected)  # any shape
    out = np.full_like(km, 3.0)
    assert distance_value(km, out=out) is out
    assert _bits(out) == _bits(expected)
