"""The ``parkmatch`` command line: parse the arguments, call the library, print.

:mod:`~matcher.cli._app` holds the ``app``, the consoles and :func:`main` (one line per problem,
never a traceback); each command module registers its commands on ``app`` when imported here:
rank, explain, validate, sample (``_rank``); train, evaluate (``_learning``); fit, batch
(``_scale``); chain, allocate (``_chain``); signals, policies, vet, rate, report (``_report``).
"""

from __future__ import annotations

from . import _chain, _learning, _rank, _report, _scale
from ._app import app, main

__all__ = ["app", "main"]

_COMMAND_MODULES = (_rank, _learning, _scale, _chain, _report)  # imported for their commands
