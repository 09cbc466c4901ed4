"""Commands for learned rankers: ``parkmatch train`` and ``parkmatch evaluate``.

Imported by :mod:`matcher.cli`; commands register on its ``app``.
"""

from __future__ import annotations
