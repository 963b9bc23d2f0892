"""Public API of Seoul's districts and neighbourhoods, mounted at /api/places."""

from __future__ import annotations

from typing import Any, Literal

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control
from ninja import Router, Schema
from ninja.errors import HttpError

from smartseoul.places.lookup import Place, lookup
from smartseoul.places.queries import district_get, districts, neighbourhoods_of

router = Router(tags=["places"])

# Boundaries change only with a new release of the packaged data, so caches may keep answers.
CACHE_SECONDS = 24 * 60 * 60


class LatLon(Schema):
    lat: float
    lon: float


class Area(Schema):
    code: str
    name_ko: str
    name_en: str


class DistrictOut(Area):
    centroid: LatLon
    neighbourhood_count: int


class DistrictProperties(Area):
    centroid: LatLon
    neighbourhoods: list[Area]


class DistrictFeature(Schema):
    type: Literal["Feature"] = "Feature"
    id: str
    geometry: dict[str, Any]
    properties: DistrictProperties


class LookupOut(Schema):
    inside_seoul: bool
    district: Area | None
    neighbourhood: Area | None


def _cacheable(response: HttpResponse) -> None:
    patch_cache_control(response, public=True, max_age=CACHE_SECONDS)


@router.get("/districts", response=list[DistrictOut], summary="Seoul's 25 districts")
def districts_list(request: HttpRequest, response: HttpResponse) -> list[DistrictOut]:
    """Ordered by Korean name; the centroid is a point guaranteed inside the district."""
    _cacheable(response)
    return [
        DistrictOut(
            code=d.code,
            name_ko=d.name_ko,
            name_en=d.name_en,
            centroid=LatLon(lat=d.centroid_lat, lon=d.centroid_lon),
            neighbourhood_count=d.neighbourhood_count,  # type: ignore[attr-defined]
        )
        for d in districts().defer("boundary")
    ]


@router.get(
    "/districts/{code}",
    response=DistrictFeature,
    summary="One district as a GeoJSON Feature",
)
def district_detail(request: HttpRequest, code: str, response: HttpResponse) -> DistrictFeature:
    """A GeoJSON Feature (RFC 7946), served as ``application/geo+json``: the district's
    boundary, its names and its neighbourhoods (without their boundaries)."""
    district = district_get(code)
    if district is None:
        raise Http404(f"No district with code {code}")
    # Headers of ninja's temporal response are kept, so the media type can be GeoJSON's own.
    response["Content-Type"] = "application/geo+json"
    _cacheable(response)
    neighbourhoods = neighbourhoods_of(district).only("code", "name_ko", "name_en")
    return DistrictFeature(
        id=district.code,
        geometry=district.boundary,
        properties=DistrictProperties(
            code=district.code,
            name_ko=district.name_ko,
            name_en=district.name_en,
            centroid=LatLon(lat=district.centroid_lat, lon=district.centroid_lon),
            neighbourhoods=[
                Area(code=n.code, name_ko=n.name_ko, name_en=n.name_en) for n in neighbourhoods
            ],
        ),
    )


@router.get("/lookup", response=LookupOut, summary="The district and neighbourhood of a point")
def point_lookup(request: HttpRequest, lat: float, lon: float, response: HttpResponse) -> LookupOut:
    """WGS84 ``lat``/``lon`` (e.g. ``lat=37.5665&lon=126.978``). A point outside Seoul is not
    an error: it answers ``inside_seoul: false``. Points within 150 m of a boundary (border
    streets, gaps in the simplified polygons) count as inside."""
    try:
        place = lookup(lat, lon)
    except ValueError as exc:
        raise HttpError(400, str(exc)) from exc
    _cacheable(response)
    return _lookup_out(place)


def _lookup_out(place: Place | None) -> LookupOut:
    if place is None:
        return LookupOut(inside_seoul=False, district=None, neighbourhood=None)
    neighbourhood = None
    if place.neighbourhood_code is not None:
        neighbourhood = Area(
            code=place.neighbourhood_code,
            name_ko=place.neighbourhood_name_ko or "",
            name_en=place.neighbourhood_name_en or "",
        )
    return LookupOut(
        inside_seoul=True,
        district=Area(
            code=place.district_code,
            name_ko=place.district_name_ko,
            name_en=place.district_name_en,
        ),
        neighbourhood=neighbourhood,
    )
