"""City-level allocation: which enterprise to pursue for which park, maximising the total fit.

:func:`allocate` takes each park's top candidates from a fitted matcher's ranking and solves the
assignment (every enterprise to at most one park, no park beyond its free space) with
:func:`solve_allocation` (scipy's HiGHS MILP, or the assignment problem when space cannot bind);
:class:`Allocation` holds the proposal, the unassigned enterprises and why.
"""

from __future__ import annotations

from ._allocate import FALLBACK_SPACE, Allocation, allocate, default_space_needs
from ._solver import solve_allocation

__all__ = ["FALLBACK_SPACE", "Allocation", "allocate", "default_space_needs", "solve_allocation"]
