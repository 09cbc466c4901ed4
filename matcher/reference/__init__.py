"""Reference facts, loaded once from the data files under ``matcher/data``.

* :mod:`~matcher.reference.taxonomy` — GB/T 4754-2017 industry codes, names and similarity;
* :mod:`~matcher.reference.relatedness` — how related two industries are (codes and links);
* :mod:`~matcher.reference.sizes` — the official size classes and their thresholds;
* :mod:`~matcher.reference.geo` — the gazetteer (provinces, cities, counties, coordinates);
* :mod:`~matcher.reference.creditcode` — unified social credit codes (GB 32100).

The modules are public and imported as modules (``from matcher.reference import taxonomy``).
"""

from __future__ import annotations

from . import creditcode, geo, relatedness, sizes, taxonomy

__all__ = ["creditcode", "geo", "relatedness", "sizes", "taxonomy"]
