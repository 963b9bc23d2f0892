"""Writes to places: only the system keeps the reference data in step with the package."""

from __future__ import annotations

from typing import Any

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
    districts = [
        _row(feature, "SIG_CD", "SIG_KOR_NM", "SIG_ENG_NM") for feature in district_features()
    ]
    neighbourhoods = []
    for feature in neighbourhood_features():
        row = _row(feature, "EMD_CD", "EMD_KOR_NM", "EMD_ENG_NM")
        neighbourhoods.append({**row, "district_id": row["code"][:5]})
    with transaction.atomic(using=using):
        return _sync(District, districts, using) + _sync(Neighbourhood, neighbourhoods, using)


def _row(feature: dict[str, Any], code: str, name_ko: str, name_en: str) -> dict[str, Any]:
    props = feature["properties"]
    point = shape(feature["geometry"]).representative_point()
    return {
        "code": props[code],
        "name_ko": props[name_ko],
        "name_en": props[name_en],
        "boundary": feature["geometry"],
        "centroid_lat": round(point.y, 6),
        "centroid_lon": round(point.x, 6),
    }


def _sync(
    model: type[District] | type[Neighbourhood], rows: list[dict[str, Any]], using: str
) -> int:
    fields = [name for name in rows[0] if name != "code"]
    existing = {
        values["code"]: values
        for values in model.objects.using(using).values("code", *fields)  # type: ignore[attr-defined]
    }
    # A fresh database (every migrate of a new install, every test database) takes one
    # bulk insert; later runs touch only the rows whose packaged data changed.
    new = [model(**row) for row in rows if row["code"] not in existing]
    changed = [
        model(**row) for row in rows if row["code"] in existing and existing[row["code"]] != row
    ]
    model.objects.using(using).bulk_create(new, batch_size=200)  # type: ignore[attr-defined]
    model.objects.using(using).bulk_update(changed, fields, batch_size=200)  # type: ignore[attr-defined]
    return len(new) + len(changed)
