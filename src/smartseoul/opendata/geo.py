"""Which columns of a table say where a row is, and the rows as GeoJSON features.

Three ways, tried in order: latitude/longitude columns, a GeoJSON geometry column, or a
district / neighbourhood name or code (joined to ``places`` for its boundary).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from smartseoul.opendata.models import ResourceVersion
from smartseoul.opendata.query import json_value
from smartseoul.places.models import District, Neighbourhood

LATITUDE = ("위도", "lat", "latitude", "y좌표", "wgs84위도", "y_wgs84")
LONGITUDE = ("경도", "lon", "lng", "long", "longitude", "x좌표", "wgs84경도", "x_wgs84")
GEOMETRY = ("geometry", "geom", "the_geom", "geojson")
DISTRICT = (
    "자치구",
    "자치구명",
    "구",
    "구명",
    "자치구코드",
    "구코드",
    "district",
    "gu",
    "sgg",
    "시군구",
    "시군구명",
    "시군구코드",
)
NEIGHBOURHOOD = (
    "행정동",
    "법정동",
    "동",
    "동명",
    "행정동명",
    "법정동명",
    "법정동코드",
    "행정동코드",
    "neighbourhood",
    "neighborhood",
    "dong",
)


@dataclass(frozen=True)
class GeoColumns:
    kind: str  # "point", "geometry", "district" or "neighbourhood"
    columns: tuple[str, ...]


def _find(names: Sequence[str], wanted: Sequence[str]) -> str | None:
    lowered = {name.strip().lower(): name for name in names}
    for candidate in wanted:
        if candidate in lowered:
            return lowered[candidate]
    return None


def geo_columns(version: ResourceVersion) -> GeoColumns | None:
    names = version.column_names
    latitude, longitude = _find(names, LATITUDE), _find(names, LONGITUDE)
    if latitude and longitude:
        return GeoColumns("point", (latitude, longitude))
    geometry = _find(names, GEOMETRY)
    if geometry:
        return GeoColumns("geometry", (geometry,))
    neighbourhood = _find(names, NEIGHBOURHOOD)
    if neighbourhood:
        return GeoColumns("neighbourhood", (neighbourhood,))
    district = _find(names, DISTRICT)
    if district:
        return GeoColumns("district", (district,))
    return None


def _area_index(kind: str) -> dict[str, dict[str, Any]]:
    """Name (Korean or English, lower-cased) or code → boundary geometry."""
    model = District if kind == "district" else Neighbourhood
    index: dict[str, dict[str, Any]] = {}
    for code, name_ko, name_en, boundary in model.objects.values_list(
        "code", "name_ko", "name_en", "boundary"
    ):
        for key in (code, name_ko, name_en.lower()):
            index.setdefault(str(key), boundary)
    return index


def to_features(
    found: GeoColumns, names: list[str], records: Sequence[tuple[Any, ...]]
) -> list[dict[str, Any]]:
    positions = [names.index(column) for column in found.columns]
    areas = _area_index(found.kind) if found.kind in ("district", "neighbourhood") else {}
    features = []
    for record in records:
        properties = {
            name: json_value(value)
            for name, value in zip(names, record, strict=True)
            if name not in found.columns or found.kind != "geometry"
        }
        geometry: dict[str, Any] | None = None
        if found.kind == "point":
            try:
                lat, lon = float(record[positions[0]]), float(record[positions[1]])
            except (TypeError, ValueError):
                continue
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                continue
            geometry = {"type": "Point", "coordinates": [lon, lat]}
        elif found.kind == "geometry":
            try:
                geometry = json.loads(str(record[positions[0]]))
            except (TypeError, json.JSONDecodeError):
                continue
        else:
            key = str(record[positions[0]] or "").strip()
            geometry = areas.get(key) or areas.get(key.lower())
        if not isinstance(geometry, dict) or "type" not in geometry:
            continue
        features.append({"type": "Feature", "geometry": geometry, "properties": properties})
    return features
