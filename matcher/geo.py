"""Alias of :mod:`matcher.reference.geo`, kept for :mod:`matcher.text`.

The text package imports this module under its old path (``matcher.geo``); that package is being
reworked separately and will import :mod:`matcher.reference.geo` then, and this file go. Nothing
else imports it.
"""

from .reference.geo import *  # noqa: F403
from .reference.geo import __all__ as __all__
