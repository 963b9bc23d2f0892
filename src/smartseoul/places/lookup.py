"""Point → district and neighbourhood, from the packaged boundaries (no database needed).

The index is built once per process. Coordinates go into a local metric plane centred on
Seoul so that the snapping tolerance is in metres in every direction (a degree of longitude is
only ~88 km here, a degree of latitude ~111 km); over Seoul's 30 km the error is under 0.5 %.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry import shape

from smartseoul.places.boundaries import district_features, neighbourhood_features

# The simplified polygons leave gaps and slivers along borders (often the border street
# itself); a point this close to an area still belongs to it rather than "outside Seoul".
SNAP_METRES = 150.0

_LAT0, _LON0 = 37.55, 126.99
_PHI0 = math.radians(_LAT0)
# Metres per degree at _LAT0 on the WGS84 ellipsoid (standard series expansion).
_M_PER_DEG_LAT = 111_132.92 - 559.82 * math.cos(2 * _PHI0) + 1.175 * math.cos(4 * _PHI0)
_M_PER_DEG_LON = 111_412.84 * math.cos(_PHI0) - 93.5 * math.cos(3 * _PHI0)


@dataclass(frozen=True, slots=True)
class Place:
    """Where a point lies; ``neighbourhood_*`` is None when only the district is known."""

    district_code: str
    district_name_ko: str
    district_name_en: str
    neighbourhood_code: str | None = None
    neighbourhood_name_ko: str | None = None
    neighbourhood_name_en: str | None = None


def lookup(lat: float, lon: float) -> Place | None:
    """The place at WGS84 ``lat``/``lon``, or None outside Seoul.

    Raises ValueError naming the argument if a coordinate is not finite or out of range.
    """
    _check("lat", lat, 90)
    _check("lon", lon, 180)
    return index().find(*_to_plane(lat, lon))


def _check(name: str, value: float, limit: int) -> None:
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    if not -limit <= value <= limit:
        raise ValueError(f"{name} must be between -{limit} and {limit}, got {value!r}")


def _to_plane(lat: float, lon: float) -> tuple[float, float]:
    return (lon - _LON0) * _M_PER_DEG_LON, (lat - _LAT0) * _M_PER_DEG_LAT


class _Layer:
    """One set of polygons (districts or neighbourhoods), its tree and the answer for each."""

    def __init__(self, features: list[dict[str, Any]], places: list[Place]) -> None:
        # make_valid: two neighbourhoods in the source data self-intersect (오금동, 홍익동).
        # Not prepared: STRtree predicate queries prepare the query point, not the polygons.
        self.geoms: NDArray[np.object_] = shapely.make_valid(
            np.array([shapely.transform(shape(f["geometry"]), _plane_coords) for f in features])
        )
        self.tree = shapely.STRtree(self.geoms)
        self.places = places

    def containing(self, point: shapely.Point) -> int | None:
        # "intersects" rather than "contains": a point exactly on a border belongs to a side.
        # tolist(): for the usual one or two hits, Python's min() beats a numpy reduction.
        inside = self.tree.query(point, predicate="intersects").tolist()
        # A few neighbours overlap by a few square metres; the lowest index wins, every time.
        return min(inside) if inside else None

    def near(self, point: shapely.Point) -> list[int]:
        """Indices within SNAP_METRES, nearest first."""
        candidates = self.tree.query(point, predicate="dwithin", distance=SNAP_METRES)
        distances = shapely.distance(self.geoms[candidates], point)
        return [int(candidates[i]) for i in np.lexsort((candidates, distances))]


def _plane_coords(coords: NDArray[np.float64]) -> NDArray[np.float64]:
    lon, lat = coords[:, 0], coords[:, 1]
    return np.column_stack(((lon - _LON0) * _M_PER_DEG_LON, (lat - _LAT0) * _M_PER_DEG_LAT))


def _neighbourhood_place(props: dict[str, str], districts: dict[str, Place]) -> Place:
    # The legal code's first 5 digits are the district, so the answer stays consistent where
    # the separately simplified district polygon disagrees at the edge (노고산동, 교남동 …).
    return replace(
        districts[props["EMD_CD"][:5]],
        neighbourhood_code=props["EMD_CD"],
        neighbourhood_name_ko=props["EMD_KOR_NM"],
        neighbourhood_name_en=props["EMD_ENG_NM"],
    )


class _Index:
    def __init__(self) -> None:
        district_list = district_features()
        by_code = {
            p["SIG_CD"]: Place(p["SIG_CD"], p["SIG_KOR_NM"], p["SIG_ENG_NM"])
            for p in (f["properties"] for f in district_list)
        }
        self.districts = _Layer(district_list, list(by_code.values()))
        neighbourhood_list = neighbourhood_features()
        self.neighbourhoods = _Layer(
            neighbourhood_list,
            [_neighbourhood_place(f["properties"], by_code) for f in neighbourhood_list],
        )
        # Everything within SNAP_METRES of some polygon: beyond it the answer is None at once.
        self.zone = shapely.union_all(
            np.concatenate([self.districts.geoms, self.neighbourhoods.geoms])
        ).buffer(SNAP_METRES)
        shapely.prepare(self.zone)
        min_x, min_y, max_x, max_y = self.zone.bounds
        self.bounds = (float(min_x), float(min_y), float(max_x), float(max_y))
        # GEOS builds a prepared polygon's point index lazily and not thread-safely
        # (libgeos/geos#825); build it now, while only this thread can see the index.
        self.zone.intersects(shapely.Point(0, 0))

    def find(self, x: float, y: float) -> Place | None:
        min_x, min_y, max_x, max_y = self.bounds
        if not (min_x <= x <= max_x and min_y <= y <= max_y):
            return None  # most of the world: answered without building a geometry
        point = shapely.points(np.array((x, y)))  # ~3x faster than shapely.Point(x, y)
        if not self.zone.intersects(point):  # < 1 µs on the prepared outline
            return None
        hit = self.neighbourhoods.containing(point)
        if hit is not None:
            return self.neighbourhoods.places[hit]
        return self._snap(point)

    def _snap(self, point: shapely.Point) -> Place | None:
        """A point in a gap between neighbourhoods: containment first, then proximity."""
        near = [self.neighbourhoods.places[i] for i in self.neighbourhoods.near(point)]
        district = self.districts.containing(point)
        if district is not None:
            code = self.districts.places[district].district_code
            same_district = [p for p in near if p.district_code == code]
            return same_district[0] if same_district else self.districts.places[district]
        if near:
            return near[0]
        districts = self.districts.near(point)
        return self.districts.places[districts[0]] if districts else None


@cache
def index() -> _Index:
    """The process-wide index; call once at start-up to move the build cost out of a request."""
    return _Index()
