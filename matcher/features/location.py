"""Location family: distance from the park; chain support weakens beyond about 100–150 km."""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from .._index import MatchIndex
from ..geo import EARTH_RADIUS_KM, haversine_km
from ._base import FeatureFamily, broadcast_pairs

__all__ = ["LocationFeature", "distance_value", "unit_vectors"]

#: Distance (km) at which the location component is one half.
HALF_DISTANCE_KM = 125.0


def distance_value(km: np.ndarray) -> np.ndarray:
    """``1 / (1 + (d / 125)^3)``: ≈0.94 at 50 km, 0.66 at 100 km, 0.5 at 125 km, 0.2 at 200 km.

    >>> [round(float(v), 2) for v in distance_value(np.array([0.0, 125.0, 250.0]))]
    [1.0, 0.5, 0.11]
    """
    r = np.asarray(km, dtype=np.float32) / np.float32(HALF_DISTANCE_KM)
    return (1.0 / (1.0 + r * r * r)).astype(np.float32)


def unit_vectors(lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Points on the unit sphere as three float32 columns (x, y, z); NaN where unknown.

    float32 is ample here: the location value is flat near 0 km, and a reason's distance is
    computed exactly with :func:`matcher.geo.haversine_km`.
    """
    la = np.radians(np.asarray(lat, dtype=np.float64))
    lo = np.radians(np.asarray(lon, dtype=np.float64))
    return (
        (np.cos(la) * np.cos(lo)).astype(np.float32),
        (np.cos(la) * np.sin(lo)).astype(np.float32),
        np.sin(la).astype(np.float32),
    )


class LocationFeature(FeatureFamily):
    """Closeness of the enterprise's current base to the park: a preference, never a veto."""

    name: ClassVar[str] = "location"
    label: ClassVar[str] = "区位"
    neutral: ClassVar[float] = 0.5
    default_weight: ClassVar[float] = 0.1

    def distance(self, index: MatchIndex, parks: np.ndarray, ents: np.ndarray) -> np.ndarray:
        """Great-circle distance in km of each pair (NaN where a point is unknown)."""
        p, e = broadcast_pairs(parks, ents)
        E, P = index.enterprises, index.parks
        return np.asarray(haversine_km(E.lat[e], E.lon[e], P.lat[p], P.lon[p]), dtype=np.float64)

    def compute(self, index: MatchIndex, parks: np.ndarray, ents: np.ndarray) -> np.ndarray:
        p, e = broadcast_pairs(parks, ents)
        E, P = index.enterprises, index.parks
        xyz = E.extras.get("xyz")
        if xyz is None:  # unit vectors once per index: a distance is then a dot product
            xyz = E.extras["xyz"] = unit_vectors(E.lat, E.lon)
        park_xyz = unit_vectors(P.lat, P.lon)
        one_park = len(p) > 0 and bool(np.all(p == p[0]))
        cos = np.zeros(len(p), dtype=np.float32)
        for axis in range(3):  # written out (not BLAS): a row's value never depends on batching
            b = park_xyz[axis][p[0]] if one_park else park_xyz[axis][p]
            cos += xyz[axis][e] * b
        half_chord = np.sqrt(np.clip((1.0 - cos) * 0.5, 0.0, 1.0))
        km = (2.0 * EARTH_RADIUS_KM) * np.arcsin(half_chord)
        return distance_value(km)  # NaN coordinates stay NaN (unknown)

    def reason(self, index: MatchIndex, park: int, ent: int, value: float) -> str:
        E, P = index.enterprises, index.parks
        if np.isnan(P.lat[park]):
            return "园区位置未知，区位按中性分计"
        if np.isnan(E.lat[ent]):
            return "企业位置未知，区位按中性分计"
        d = float(self.distance(index, np.array([park]), np.array([ent]))[0])
        where = E.place[ent]
        place = f"（{where}）" if where else ""
        if d < 1 and where:
            return f"与园区同在{where}，便于就近配套"
        if d < 50:
            return f"距园区约 {d:.0f} 公里{place}，便于就近配套"
        if d <= 150:
            return f"距园区约 {d:.0f} 公里{place}，在产业链配套半径内"
        return f"距园区约 {d:.0f} 公里{place}，属异地招引，本地配套协同较弱"
