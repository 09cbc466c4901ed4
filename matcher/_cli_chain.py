"""Commands for industry chains and city-level allocation: ``parkmatch chain``, ``parkmatch allocate``.

Imported by :mod:`matcher.cli`; commands register on its ``app``.
"""

from __future__ import annotations
