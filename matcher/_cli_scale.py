"""Commands for large jobs: ``parkmatch batch``.

Imported by :mod:`matcher.cli`; commands register on its ``app``.
"""

from __future__ import annotations
