"""Compact, memory-mappable string columns for the fitted index.

A :class:`StringColumn` keeps many strings as one UTF-8 byte buffer plus int64 offsets: about
the bytes of the text itself (no per-string Python objects), and both arrays can be saved with
``numpy.save`` and memory-mapped back.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, overload

import numpy as np
import pandas as pd

__all__ = ["RowPositions", "StringColumn"]


class StringColumn:
    """An immutable sequence of ``str | None`` stored as UTF-8 bytes and offsets.

    Examples
    --------
    >>> col = StringColumn.from_iterable(["铝板", None, "型材"])
    >>> len(col), col[0], col[1], col[-1]
    (3, '铝板', None, '型材')
    >>> col[np.array([2, 0])].tolist()
    ['型材', '铝板']
    """

    def __init__(self, data: np.ndarray, offsets: np.ndarray, missing: np.ndarray):
        self.data = data  # uint8, the UTF-8 bytes of all strings
        self.offsets = offsets  # int64 (n + 1,), string i is data[offsets[i]:offsets[i + 1]]
        self.missing = missing  # bool (n,), None values

    @classmethod
    def from_iterable(cls, values: Iterable[object]) -> StringColumn:
        """Build from strings (None and NaN become None), through Arrow's string arrays."""
        import pyarrow as pa

        if isinstance(values, pd.Series) and isinstance(values.dtype, pd.StringDtype):
            # a string column hands over its own Arrow buffers (no copy for the ``str`` dtype;
            # its missing values become nulls, as below): no Python object per string
            array = pa.array(values, from_pandas=True).cast(pa.large_string())
        elif isinstance(values, pd.Series):
            array = pa.array(values.astype(object), type=pa.large_string(), from_pandas=True)
        else:
            items = [
                None if v is None or (isinstance(v, float) and v != v) else str(v) for v in values
            ]
            array = pa.array(items, type=pa.large_string())
        if isinstance(array, pa.ChunkedArray):
            array = array.combine_chunks()
        missing = np.asarray(array.is_null().to_numpy(zero_copy_only=False), dtype=bool)
        return cls._from_arrow(array, missing)

    @classmethod
    def from_strings(cls, values: list[str]) -> StringColumn:
        """Build from a list whose every value is a ``str`` (none missing), in one call to
        Arrow: no check or conversion per value (:meth:`from_iterable` makes both; 242,877
        documents took 0.25 s through a Series, 0.03 s this way).

        Examples
        --------
        >>> StringColumn.from_strings(["铝板", "型材"]).tolist()
        ['铝板', '型材']
        """
        import pyarrow as pa

        array = pa.array(values, type=pa.large_string())
        return cls._from_arrow(array, np.zeros(len(values), dtype=bool))

    @classmethod
    def _from_arrow(cls, array: Any, missing: np.ndarray) -> StringColumn:
        """A column of the values of a ``large_string`` Arrow array: its bytes are a read-only
        view of the array's buffer when the values fill it (as a new array's do), else copied
        (a slice would keep the whole buffer alive). Not copying 150 MB of documents saved
        0.15-0.8 s at 1,000,000 rows, most of it the first touch of new pages."""
        n = len(array)
        _, offsets_buf, data_buf = array.buffers()
        offsets = np.frombuffer(offsets_buf, dtype=np.int64)[array.offset : array.offset + n + 1]
        start, end = int(offsets[0]) if n else 0, int(offsets[-1]) if n else 0
        if data_buf is None:
            data = np.zeros(0, dtype=np.uint8)
        else:
            data = np.frombuffer(data_buf, dtype=np.uint8)
            data = data if start == 0 and end == len(data) else data[start:end].copy()
        return cls(data, (offsets - start).astype(np.int64), missing)

    @classmethod
    def concat(cls, columns: Iterable[StringColumn]) -> StringColumn:
        """The values of ``columns`` one after another, in one column.

        Examples
        --------
        >>> StringColumn.concat([StringColumn.from_iterable(["铝", None]),
        ...                      StringColumn.from_iterable(["型材"])]).tolist()
        ['铝', None, '型材']
        """
        columns = list(columns)
        sizes = np.array([len(c.data) for c in columns], dtype=np.int64)
        shifts = np.cumsum(sizes) - sizes
        offsets = np.zeros(sum(len(c) for c in columns) + 1, dtype=np.int64)
        at = 0
        for column, shift in zip(columns, shifts.tolist(), strict=True):
            offsets[at + 1 : at + len(column) + 1] = column.offsets[1:] + shift
            at += len(column)
        return cls(
            np.concatenate([c.data for c in columns]) if columns else np.zeros(0, np.uint8),
            offsets,
            np.concatenate([c.missing for c in columns]) if columns else np.zeros(0, bool),
        )

    def take(self, rows: np.ndarray | Sequence[int]) -> StringColumn:
        """A new column of the values at ``rows`` (integers; negative ones count from the end),
        gathered without a Python object per value (through Arrow's ``take``).

        Examples
        --------
        >>> StringColumn.from_iterable(["铝板", None, "型材"]).take([2, 0, 1, 2]).tolist()
        ['型材', '铝板', None, '型材']
        """
        import pyarrow as pa

        n = len(self)
        rows = np.asarray(rows)
        if rows.ndim != 1 or (len(rows) and rows.dtype.kind not in "iu"):
            raise TypeError("rows 应为一维整数数组")
        rows = rows.astype(np.int64)
        if len(rows) and (rows.min() < -n or rows.max() >= n):
            bad = rows[(rows < -n) | (rows >= n)][0]
            raise IndexError(f"index {bad} is out of bounds for axis 0 with size {n}")
        rows = np.where(rows < 0, rows + n, rows)
        offsets = np.ascontiguousarray(self.offsets, dtype=np.int64)
        array = pa.LargeStringArray.from_buffers(
            n, pa.py_buffer(offsets), pa.py_buffer(np.ascontiguousarray(self.data))
        )
        return self._from_arrow(array.take(pa.array(rows)), self.missing[rows])

    def __len__(self) -> int:
        return len(self.missing)

    def _one(self, i: int) -> str | None:
        if self.missing[i]:
            return None
        return self.data[self.offsets[i] : self.offsets[i + 1]].tobytes().decode("utf-8")

    @overload
    def __getitem__(self, key: int | np.integer[Any]) -> str | None: ...

    @overload
    def __getitem__(self, key: slice | np.ndarray | list[int]) -> np.ndarray: ...

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, int | np.integer):
            i = int(key)
            if i < 0:
                i += len(self)
            if not 0 <= i < len(self):
                raise IndexError(key)
            return self._one(i)
        n = len(self)
        if isinstance(key, np.ndarray) and key.dtype.kind in "iu" and key.ndim == 1:
            # a page's few rows: checked and wrapped as they are (no arange of every row)
            rows = key.astype(np.int64)
            if len(rows) and (rows.min() < -n or rows.max() >= n):
                bad = rows[(rows < -n) | (rows >= n)][0]
                raise IndexError(f"index {bad} is out of bounds for axis 0 with size {n}")
            rows = np.where(rows < 0, rows + n, rows)
        elif isinstance(key, slice):
            rows = np.arange(*key.indices(n))
        else:
            rows = np.arange(n)[key]
        out = np.empty(len(rows), dtype=object)
        out[:] = self._many(rows)
        return out

    def _many(self, rows: np.ndarray) -> list[str | None]:
        """:meth:`_one` of each of ``rows`` (in range, not negative), their offsets and flags
        read in one gather each."""
        starts, ends = self.offsets[rows].tolist(), self.offsets[rows + 1].tolist()
        data = np.ascontiguousarray(self.data).data  # a memoryview: a slice of it is no array
        return [
            None if missing else str(data[start:end], "utf-8")
            for missing, start, end in zip(self.missing[rows].tolist(), starts, ends, strict=True)
        ]

    def __iter__(self) -> Iterator[str | None]:
        for i in range(len(self)):
            yield self._one(i)

    def tolist(self) -> list[str | None]:
        """All values as a list."""
        return list(self)

    @property
    def nbytes(self) -> int:
        """Bytes held by the arrays."""
        return int(self.data.nbytes + self.offsets.nbytes + self.missing.nbytes)


class RowPositions(Mapping[str, int]):
    """The row of each id of an ids array, read-only, without a Python object per id.

    A ``dict`` from 1,000,000 ids to rows holds about 0.12 GiB of Python strings and integers
    and takes 0.6 s to build; this keeps the ids array itself (memory-mapped when the index was
    loaded) and, only when the ids are not in ascending order, a sorted copy and its order. One
    lookup is a binary search (microseconds); :meth:`rows` looks many ids up at once. As with
    a dict built from the rows in order, a repeated id maps to its last row.

    Examples
    --------
    >>> pos = RowPositions(np.array(["E3", "E1", "E2", "E1"]))
    >>> pos["E1"], "E9" in pos, pos.get("E9"), len(pos), list(pos)
    (3, False, None, 3, ['E3', 'E1', 'E2'])
    >>> pos.rows(["E2", "E9", "E3", 7]).tolist()
    [2, -1, 0, -1]
    """

    def __init__(self, ids: np.ndarray):
        self.ids = ids
        self._size = len(ids)
        if len(ids) < 2 or bool(np.all(ids[1:] > ids[:-1])):
            self._sorted, self._order = ids, None
        else:
            order = np.argsort(ids, kind="stable")
            self._sorted = ids[order]
            self._order = order.astype(np.int32 if len(ids) < 2**31 else np.int64)
            self._size = 1 + int(np.count_nonzero(self._sorted[1:] != self._sorted[:-1]))

    def rows(self, keys: Iterable[object]) -> np.ndarray:
        """The row of each of ``keys`` (``intp``), -1 where an id is not here."""
        keys = list(keys)
        wanted = np.array([k if isinstance(k, str) else "" for k in keys], dtype=str)
        known = np.array([isinstance(k, str) for k in keys], dtype=bool)
        out = np.full(len(wanted), -1, dtype=np.intp)
        if not len(wanted) or not len(self._sorted):
            return out
        at = np.searchsorted(self._sorted, wanted, side="right") - 1
        found = known & (at >= 0) & (self._sorted[np.maximum(at, 0)] == wanted)
        hit = at[found]
        out[found] = hit if self._order is None else self._order[hit]
        return out

    def __getitem__(self, key: object) -> int:
        if not isinstance(key, str) or not len(self._sorted):
            raise KeyError(key)
        at = int(np.searchsorted(self._sorted, key, side="right")) - 1
        if at < 0 or self._sorted[at] != key:
            raise KeyError(key)
        return at if self._order is None else int(self._order[at])

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys(np.asarray(self.ids).tolist()))

    def __len__(self) -> int:
        return self._size
