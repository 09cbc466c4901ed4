"""Alias of :mod:`matcher.reference.taxonomy`, kept for :mod:`matcher.text`.

The text package imports this module under its old path (``matcher.taxonomy``); that package is being
reworked separately and will import :mod:`matcher.reference.taxonomy` then, and this file go. Nothing
else imports it.
"""

from .reference.taxonomy import *  # noqa: F403
from .reference.taxonomy import __all__ as __all__
