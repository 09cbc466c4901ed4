"""Location family: where the enterprise is, seen the way the park does 招商.

Distance is not a penalty by default: 招商 exists to bring firms from elsewhere, and a firm
250 km away is as good a lead as a local one. What a park wants is its ``location_preference``:

- ``any`` (不限, the default): a mild preference for the same city and city cluster (supply
  chains close by), and for relocation sources (长三角, 珠三角, 京津冀) when the park lies inland;
  the value stays within [0.5, 0.75], so location never decides a ranking on its own;
- ``local`` (本地培育): closeness, ``1 / (1 + (d / 125 km)^3)``;
- ``remote`` (异地招引): firms from elsewhere, relocation sources first.
"""

from __future__ import annotations

import csv
import functools
from importlib.resources import files
from typing import ClassVar

import numpy as np
import pandas as pd

from ..index import MatchIndex
from ..io import LOCATION_PREFERENCE_LABELS, LOCATION_PREFERENCES
from ..reference.geo import EARTH_RADIUS_KM, haversine_km
from ._base import (
    FeatureFamily,
    _own,
    broadcast_pairs,
    gather,
    per_index,
    replace_where,
    scratch,
    take,
)

__all__ = ["ANY_VALUES", "LocationFeature", "distance_value", "unit_vectors"]

#: Distance (km) at which the ``local`` value is one half.
HALF_DISTANCE_KM = 125.0
#: ``any``: same city (or within 50 km), within 150 km, same province or city cluster, a
#: relocation source for an inland park, anywhere else.
ANY_VALUES = {"city": 0.75, "near": 0.7, "cluster": 0.62, "source": 0.6, "else": 0.5}
#: ``remote``: a relocation source, elsewhere, same province, same city.
REMOTE_VALUES = {"source": 1.0, "elsewhere": 0.75, "province": 0.4, "city": 0.25}


def distance_value(km: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """``1 / (1 + (d / 125)^3)``: ≈0.94 at 50 km, 0.66 at 100 km, 0.5 at 125 km, 0.2 at 200 km.

    ``out``: a float32 array of ``km``'s shape to write the values into (returned; the work
    array is a :func:`~matcher.features.scratch` one), else a new array.

    >>> [round(float(v), 2) for v in distance_value(np.array([0.0, 125.0, 250.0]))]
    [1.0, 0.5, 0.11]
    """
    km = np.asarray(km, dtype=np.float32)
    if out is None:
        out = np.empty(km.shape, dtype=np.float32)
    r = np.divide(km, np.float32(HALF_DISTANCE_KM), out=out)
    cube = np.multiply(r, r, out=scratch("distance_value", r.size, np.float32).reshape(r.shape))
    cube *= r
    cube += 1.0
    return np.divide(1.0, cube, out=out)


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


@functools.lru_cache(maxsize=1)
def _regions() -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[int, str], dict[int, str]]:
    """Per 2-digit province code: cluster id, relocation source, inland; names for reasons."""
    text = (files("matcher") / "data" / "regions_economic.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(line for line in text.splitlines() if not line.startswith("#")))
    clusters = sorted({r["cluster"] for r in rows})
    cluster = np.full(100, -1, dtype=np.int16)
    source = np.zeros(100, dtype=bool)
    inland = np.zeros(100, dtype=bool)
    names, cluster_names = {}, {}
    for r in rows:
        k = int(r["province"])
        cluster[k] = clusters.index(r["cluster"])
        source[k] = r["source"] == "1"
        inland[k] = r["inland"] == "1"
        names[k] = r["name"]
        cluster_names[k] = r["cluster"]
    return cluster, source, inland, names, cluster_names


#: Values by level for one park (:meth:`LocationFeature.compute_park`): ``any`` — else, a
#: relocation source, same cluster, within 150 km, same city or within 50 km; ``remote`` —
#: elsewhere, a relocation source, same province, same city or within 50 km.
_ANY_LEVELS = np.array(
    [ANY_VALUES[k] for k in ("else", "source", "cluster", "near", "city")], dtype=np.float32
)
_REMOTE_LEVELS = np.array(
    [REMOTE_VALUES[k] for k in ("elsewhere", "source", "province", "city")], dtype=np.float32
)


#: One distance per distinct point, gathered to the rows, when the points are at most this
#: share of the rows (enterprises placed at their county's seat share a few thousand points);
#: beyond it each row's distance is computed. A distance (float32 products, sqrt, arcsin)
#: costs about ten times a row's gather: at 100,000 generated rows with 30 % distinct points the
#: location column took 0.41–0.62 ms against 1.06–1.22 ms row by row (benchmarks/RESULTS.md).
POINTS_SHARE = 0.5


def _distinct_points(
    lat: np.ndarray, lon: np.ndarray, xyz: tuple[np.ndarray, np.ndarray, np.ndarray]
) -> tuple[tuple[np.ndarray, np.ndarray, np.ndarray], np.ndarray] | tuple[()]:
    """The unit vectors of the distinct (lat, lon) pairs (told apart by their bits) and each
    row's position among them; ``()`` when they are more than :data:`POINTS_SHARE` of the rows.
    Rows of the same pair have the same unit vector, so a distance computed once per pair is
    the distance of each of its rows, bit for bit."""
    n = len(lat)
    if n == 0:
        return ()
    la = np.ascontiguousarray(lat, dtype=np.float64).view(np.uint64)
    lo = np.ascontiguousarray(lon, dtype=np.float64).view(np.uint64)
    # one hash pass over a 64-bit mix of the two (wrapping), then a check that every row has
    # its pair's bits: a collision (two pairs, one mix) only sends this index row by row
    codes, mixes = pd.factorize(la * np.uint64(0x9E3779B97F4A7C15) + lo)
    if len(mixes) > POINTS_SHARE * n:
        return ()
    one_row = np.empty(len(mixes), dtype=np.intp)
    one_row[codes] = np.arange(n, dtype=np.intp)  # any row of each pair: the same vector
    if not (np.array_equal(la[one_row][codes], la) and np.array_equal(lo[one_row][codes], lo)):
        return ()
    return (xyz[0][one_row], xyz[1][one_row], xyz[2][one_row]), codes.astype(np.intp)


def _km_to(
    xyz: tuple[np.ndarray, np.ndarray, np.ndarray],
    park: tuple[np.floating, np.floating, np.floating],
    km: np.ndarray,
    part: np.ndarray,
) -> np.ndarray:
    """Great-circle km from each point of ``xyz`` to the park's unit vector, in ``km``."""
    # the same float32 operations, in the same order, as _km; its sum starts from zero,
    # which changes nothing here but a -0.0 to 0.0, and 1 - km is the same for both
    np.multiply(xyz[0], park[0], out=km)
    for axis in (1, 2):
        np.multiply(xyz[axis], park[axis], out=part)
        km += part
    np.subtract(1.0, km, out=km)
    km *= 0.5
    np.clip(km, 0.0, 1.0, out=km)
    np.sqrt(km, out=km)
    np.arcsin(km, out=km)
    km *= 2.0 * EARTH_RADIUS_KM
    return km


def _distinct_regions(region: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    values, inverse = np.unique(region, return_inverse=True)
    return values, inverse.astype(np.intp).ravel()


def _region_levels(index: MatchIndex, park: int, regions: np.ndarray, pref: str) -> np.ndarray:
    """The level each distinct enterprise region takes for one park by region alone (the
    conditions of :meth:`LocationFeature.compute`, in their order of precedence)."""
    P = index.parks
    cluster, source, inland, _, _ = _regions()
    e_prov, p_prov = regions // 10000, P.region[park] // 10000
    e_city, p_city = regions // 100, P.region[park] // 100
    same_city = (e_city == p_city) & (p_city > 0) & (e_city % 100 != 0)
    same_prov = (e_prov == p_prov) & (p_prov > 0)
    same_cluster = same_prov | ((cluster[e_prov] == cluster[p_prov]) & (cluster[p_prov] >= 0))
    if pref == "any":
        relocating = source[e_prov] & inland[p_prov] & ~same_cluster
        conditions = [same_city, same_cluster, relocating]
        levels = [4, 2, 1]
    else:
        conditions = [same_city, same_prov, source[e_prov] & ~same_cluster]
        levels = [3, 2, 1]
    return np.select(conditions, levels, 0).astype(np.uint8)


class LocationFeature(FeatureFamily):
    """Where the enterprise is, by the park's location preference (see the module docstring)."""

    name: ClassVar[str] = "location"
    label: ClassVar[str] = "区位"
    neutral: ClassVar[float] = 0.5
    default_weight: ClassVar[float] = 0.1
    stores_park_values: ClassVar[bool] = True

    def distance(self, index: MatchIndex, parks: np.ndarray, ents: np.ndarray) -> np.ndarray:
        """Great-circle distance in km of each pair (NaN where a point is unknown)."""
        p, e = broadcast_pairs(parks, ents)
        E, P = index.enterprises, index.parks
        return np.asarray(haversine_km(E.lat[e], E.lon[e], P.lat[p], P.lon[p]), dtype=np.float64)

    def _km(self, index: MatchIndex, p: np.ndarray, e: np.ndarray) -> np.ndarray:
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
        return ((2.0 * EARTH_RADIUS_KM) * np.arcsin(half_chord)).astype(np.float32)

    def compute(self, index: MatchIndex, parks: np.ndarray, ents: np.ndarray) -> np.ndarray:
        p, e = broadcast_pairs(parks, ents)
        E, P = index.enterprises, index.parks
        km = self._km(index, p, e)  # NaN where a point is unknown
        cluster, source, inland, _, _ = _regions()
        e_prov, p_prov = E.region[e] // 10000, P.region[p] // 10000
        e_city, p_city = E.region[e] // 100, P.region[p] // 100
        same_city = (e_city == p_city) & (p_city > 0) & (e_city % 100 != 0)
        same_prov = (e_prov == p_prov) & (p_prov > 0)
        same_cluster = same_prov | ((cluster[e_prov] == cluster[p_prov]) & (cluster[p_prov] >= 0))
        relocating = source[e_prov] & inland[p_prov] & ~same_cluster
        known = ~np.isnan(km)
        v_any = np.select(
            [same_city | (km < 50), km <= 150, same_cluster, relocating],
            [ANY_VALUES["city"], ANY_VALUES["near"], ANY_VALUES["cluster"], ANY_VALUES["source"]],
            ANY_VALUES["else"],
        )
        v_local = distance_value(km)
        v_remote = np.select(
            [same_city | (km < 50), same_prov, source[e_prov] & ~same_cluster],
            [REMOTE_VALUES["city"], REMOTE_VALUES["province"], REMOTE_VALUES["source"]],
            REMOTE_VALUES["elsewhere"],
        )
        pref = P.location_preference[p]
        value = np.select(
            [
                pref == LOCATION_PREFERENCES.index("local"),
                pref == LOCATION_PREFERENCES.index("remote"),
            ],
            [v_local, v_remote],
            v_any,
        )
        return np.where(known, value, np.nan).astype(np.float32)

    def compute_park(
        self,
        index: MatchIndex,
        park: int,
        ents: np.ndarray | None = None,
        *,
        buffer: np.ndarray | None = None,
    ) -> np.ndarray:
        """:meth:`compute` for one park: only the branch of the park's preference; what depends
        on the enterprise's region only is decided once per distinct region; written in
        ``buffer`` (or a new array) with the thread's scratch for the rest (bit-identical)."""
        E, P = index.enterprises, index.parks
        xyz = per_index(E.extras, "xyz", lambda: unit_vectors(E.lat, E.lon))
        park_xyz = per_index(P.extras, "xyz", lambda: unit_vectors(P.lat, P.lon))
        n = len(E) if ents is None else len(ents)
        here = (park_xyz[0][park], park_xyz[1][park], park_xyz[2][park])
        points = per_index(E.extras, "points", lambda: _distinct_points(E.lat, E.lon, xyz))
        km = scratch("family.f32.0", n, np.float32)
        value = _own(buffer, n)
        pref = LOCATION_PREFERENCES[int(P.location_preference[park])]
        # once per distinct point, then to the rows; a page's few rows (fewer than an eighth of
        # the points) each on its own: the same float32 operations on the same vectors
        if points and (ents is None or len(ents) * 8 >= len(points[0][0])):
            point_xyz, of_row = points
            m = len(point_xyz[0])
            by_point = _km_to(
                point_xyz,
                here,
                scratch("location.points.0", m, np.float32),
                scratch("location.points.1", m, np.float32),
            )
            if pref == "local":  # the value, element by element, once per point too
                by_point = distance_value(by_point, out=by_point)  # NaN where unknown
                return gather(by_point, take(of_row, ents), value)
            gather(by_point, take(of_row, ents), km)
        else:
            rows = (take(xyz[0], ents), take(xyz[1], ents), take(xyz[2], ents))
            _km_to(rows, here, km, scratch("family.f32.1", n, np.float32))
        if pref == "local":
            return distance_value(km, out=value)  # NaN where unknown
        regions, inverse = per_index(E.extras, "regions", lambda: _distinct_regions(E.region))
        levels = gather(
            _region_levels(index, park, regions, pref),
            take(inverse, ents),
            scratch("family.u8.0", n, np.uint8),
        )
        near = np.less(km, 50, out=scratch("family.mask.0", n, bool)).view(np.uint8)
        if pref == "any":  # 4 within 50 km, 3 within 150 km
            by_km = np.less_equal(km, 150, out=scratch("family.mask.1", n, bool)).view(np.uint8)
            by_km *= np.uint8(3)
            by_km += near
            gather(_ANY_LEVELS, np.maximum(levels, by_km, out=levels), value)
        else:  # 3 within 50 km
            near *= np.uint8(3)
            gather(_REMOTE_LEVELS, np.maximum(levels, near, out=levels), value)
        unknown = np.isnan(km, out=scratch("family.mask.0", n, bool))
        return replace_where(value, unknown, np.nan, out=value)

    def reason(self, index: MatchIndex, park: int, ent: int, value: float) -> str:
        return self.reasons(index, np.array([park]), np.array([ent]), np.array([value]))[0]

    def reasons(
        self, index: MatchIndex, parks: np.ndarray, ents: np.ndarray, values: np.ndarray
    ) -> list[str]:
        """:meth:`reason` of every pair at once: the distances in one call, the provinces'
        clusters, sources and inland flags as array lookups, the strings formatted at the end."""
        p, e = broadcast_pairs(parks, ents)
        E, P = index.enterprises, index.parks
        cluster, source, inland, _, cluster_names = _regions()
        park_unknown, ent_unknown = np.isnan(P.lat[p]).tolist(), np.isnan(E.lat[e]).tolist()
        km = self.distance(index, p, e).tolist()
        e_prov = E.region[e].astype(np.int64) // 10000
        p_prov = P.region[p].astype(np.int64) // 10000
        both = (e_prov != 0) & (p_prov != 0)
        same_cluster = (cluster[e_prov] == cluster[p_prov]) & both
        relocating = (both & source[e_prov] & inland[p_prov] & ~same_cluster).tolist()
        same_prov = ((e_prov != 0) & (e_prov == p_prov)).tolist()
        same_cluster = same_cluster.tolist()
        remote = (P.location_preference[p] == LOCATION_PREFERENCES.index("remote")).tolist()
        local = (P.location_preference[p] == LOCATION_PREFERENCES.index("local")).tolist()
        places = E.place[e].tolist()
        e_prov, p_prov = e_prov.tolist(), p_prov.tolist()
        out = []
        for r, d in enumerate(km):
            if park_unknown[r]:
                out.append("园区位置未知，区位按中性分计")
                continue
            if ent_unknown[r]:
                out.append("企业位置未知，区位按中性分计")
                continue
            where = places[r]
            if d < 1 and where:
                head = f"与园区同在{where}"
            else:
                head = f"距园区约 {d:.0f} 公里{f'（{where}）' if where else ''}"
            if local[r]:
                if d < 50:
                    out.append(f"{head}，便于就近配套（园区以本地培育为主）")
                elif d <= 150:
                    out.append(f"{head}，在产业链配套半径内（园区以本地培育为主）")
                else:
                    out.append(f"{head}，距离较远（园区以本地培育为主）")
                continue
            if relocating[r]:
                tail = f"来自{cluster_names[e_prov[r]]}产业转移输出地区，属异地招引重点"
            elif remote[r] and same_prov[r]:
                tail = f"为省内企业（园区以{LOCATION_PREFERENCE_LABELS['remote']}为主）"
            elif d < 50:
                tail = "便于就近配套"
            elif d <= 150:
                tail = "在产业链配套半径内"
            elif same_cluster[r]:
                tail = f"同属{cluster_names[p_prov[r]]}城市群"
            else:
                tail = "属异地招引，距离不影响评分"
            out.append(f"{head}，{tail}")
        return out
