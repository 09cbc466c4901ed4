"""The per-thread work arrays of the one-park paths and the helpers that write into them."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from matcher.features import _base as base_module
from matcher.features import clear_scratch, gather, replace_where, scratch
from matcher.features.location import distance_value


def _bits(values: np.ndarray) -> bytes:
    return np.ascontiguousarray(values).tobytes()


def test_scratch_is_reused_on_one_thread_and_apart_on_two() -> None:
    clear_scratch()
    a = scratch("test.a", 1000, np.float32)
    a[:] = 1.5
    again = scratch("test.a", 500, np.float32)
    assert again.dtype == np.float32 and again.shape == (500,)
    assert np.shares_memory(a, again) and again[0] == 1.5  # contents are left as they were
    assert not np.shares_memory(a, scratch("test.b", 1000, np.float32))
    wider = scratch("test.a", 1000, np.float64)  # larger than the buffer: a new one
    assert wider.shape == (1000,) and not np.shares_memory(a, wider)
    assert np.shares_memory(wider, scratch("test.a", 2000, np.float32))  # 8000 bytes fit

    other: list[np.ndarray] = []
    thread = threading.Thread(target=lambda: other.append(scratch("test.a", 1000, np.float64)))
    thread.start()
    thread.join()
    assert not np.shares_memory(other[0], wider)
    clear_scratch()
    assert not np.shares_memory(wider, scratch("test.a", 1000, np.float64))
    clear_scratch()


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
    out = np.full_like(km, 3.0)
    assert distance_value(km, out=out) is out
    assert _bits(out) == _bits(distance_value(km))
