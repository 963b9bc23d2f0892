"""Writes to places: only the system keeps the reference data in step with the package."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction
from shapely.geometry import shape

from smartseoul.places.boundaries import district_features, neighbourhood_features
from smartseoul.places.models import District, Neighbourhood


def boundaries_sync(*, using: str = "default") -> int:
    """Load the packaged districts and neighbourhoods, adding or updating rows as needed.

    Runs after every ``migrate`` (and after the test runner's flushes), so a new release of
    the boundary files reaches every database without a hand-written data migration.
    Returns the number of rows written; 0 when everything was already current.
    """
    written = 0
    with transaction.atomic(using=using):
        districts = {d.code: d for d in District.objects.using(using).all()}
        for feature in district_features():
            written += _upsert(
                District,
                districts,
                feature,
                feature["properties"]["SIG_CD"],
                using,
                {
                    "name_ko": feature["properties"]["SIG_KOR_NM"],
                    "name_en": feature["properties"]["SIG_ENG_NM"],
                },
            )
        neighbourhoods = {n.code: n for n in Neighbourhood.objects.using(using).all()}
        for feature in neighbourhood_features():
            code = feature["properties"]["EMD_CD"]
            written += _upsert(
                Neighbourhood,
                neighbourhoods,
                feature,
                code,
                using,
                {
                    "district_id": code[:5],
                    "name_ko": feature["properties"]["EMD_KOR_NM"],
                    "name_en": feature["properties"]["EMD_ENG_NM"],
                },
            )
    return written


def _upsert(
    model: type[District] | type[Neighbourhood],
    existing: Mapping[str, District | Neighbourhood],
    feature: dict[str, object],
    code: str,
    using: str,
    names: dict[str, str],
) -> int:
    point = shape(feature["geometry"]).representative_point()
    values = {
        **names,
        "boundary": feature["geometry"],
        "centroid_lat": round(point.y, 6),
        "centroid_lon": round(point.x, 6),
    }
    row = existing.get(code)
    if row is not None and all(getattr(row, key) == value for key, value in values.items()):
        return 0
    model.objects.using(using).update_or_create(code=code, defaults=values)
    return 1
