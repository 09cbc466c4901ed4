"""统一社会信用代码 (GB 32100-2015) check digit.

>>> is_valid_credit_code("91350100M000100Y43")
True
>>> credit_code_check_digit("91350100M000100Y4")
'3'
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = [
    "CREDIT_CODE_CHARSET",
    "credit_code_check_digit",
    "credit_code_check_digits",
    "is_valid_credit_code",
]

#: The 31 characters allowed in a credit code (no I, O, Z, S, V).
CREDIT_CODE_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {c: i for i, c in enumerate(CREDIT_CODE_CHARSET)}
_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_check_digit(first17: str) -> str:
    """Return the 18th character for the first 17 characters of a credit code."""
    if len(first17) != 17 or any(c not in _VALUE for c in first17):
        raise ValueError(f"expected 17 characters from {CREDIT_CODE_CHARSET!r}, got {first17!r}")
    total = sum(_VALUE[c] * w for c, w in zip(first17, _WEIGHTS, strict=True))
    return CREDIT_CODE_CHARSET[(31 - total % 31) % 31]


def is_valid_credit_code(code: str) -> bool:
    """True when ``code`` has 18 allowed characters and a correct check digit."""
    if len(code) != 18 or any(c not in _VALUE for c in code):
        return False
    return credit_code_check_digit(code[:17]) == code[17]


_LOOKUP = np.full(256, -1, dtype=np.int64)
for _i, _c in enumerate(CREDIT_CODE_CHARSET):
    _LOOKUP[ord(_c)] = _i


def credit_code_check_digits(codes: Sequence[str]) -> np.ndarray:
    """Vectorised check: the expected 18th character of each code, or '' when the code is not
    18 allowed characters (then the caller reports length or charset).

    >>> credit_code_check_digits(["91350100M000100Y43", "91350100M000100Y4", "9135010OM000100Y43"]).tolist()
    ['3', '', '']
    """
    n = len(codes)
    out = np.full(n, "", dtype="<U1")
    ok_len = np.fromiter((len(c) == 18 and c.isascii() for c in codes), dtype=bool, count=n)
    rows = np.flatnonzero(ok_len)
    if len(rows) == 0:
        return out
    raw = np.frombuffer("".join(codes[int(i)] for i in rows).encode("ascii"), dtype=np.uint8)
    values = _LOOKUP[raw.reshape(len(rows), 18)]
    valid = (values >= 0).all(axis=1)
    total = values[:, :17] @ np.asarray(_WEIGHTS, dtype=np.int64)
    check = (31 - total % 31) % 31
    chars = np.asarray(list(CREDIT_CODE_CHARSET))[check]
    out[rows[valid]] = chars[valid]
    return out
