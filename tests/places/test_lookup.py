from __future__ import annotations

import math

import pytest
import shapely
from shapely.geometry import shape

from smartseoul.places.boundaries import district_features, neighbourhood_features
from smartseoul.places.lookup import Place, lookup


def test_city_hall_is_in_taepyeongno_1ga_of_jung_gu() -> None:
    assert lookup(37.5665, 126.9780) == Place(
        district_code="11140",
        district_name_ko="중구",
        district_name_en="Jung-gu",
        neighbourhood_code="11140103",
        neighbourhood_name_ko="태평로1가",
        neighbourhood_name_en="Taepyeongno 1(il)-ga",
    )


def test_coex_is_in_samseong_dong_of_gangnam_gu() -> None:
    place = lookup(37.5116, 127.0592)
    assert place is not None
    assert (place.district_name_ko, place.neighbourhood_name_ko) == ("강남구", "삼성동")
    assert place.district_code == "11680"


@pytest.mark.parametrize(
    ("lat", "lon"),
    [
        (37.4602, 126.4407),  # Incheon airport
        (35.1796, 129.0756),  # Busan city hall
        (37.4786, 126.8646),  # Gwangmyeong city hall, inside Seoul's bounding box
        (37.5943, 127.1296),  # Guri city hall, inside Seoul's bounding box
        (-33.8688, 151.2093),  # Sydney
        (0.0, 0.0),
    ],
)
def test_points_outside_seoul_have_no_place(lat: float, lon: float) -> None:
    assert lookup(lat, lon) is None


def test_a_point_in_a_gap_between_neighbourhood_polygons_gets_the_nearest_one() -> None:
    # Inside the simplified Guro-gu polygon, ~46 m from the nearest neighbourhood polygon.
    place = lookup(37.490194, 126.87249)
    assert place is not None
    assert (place.district_name_ko, place.neighbourhood_name_ko) == ("구로구", "구로동")


def test_a_point_just_beyond_the_simplified_edge_is_still_in_seoul() -> None:
    place = lookup(*_west_of_seoul(metres=50))
    assert place is not None
    assert place.district_name_en == "Gangseo-gu"


def test_a_point_well_beyond_the_edge_is_outside() -> None:
    assert lookup(*_west_of_seoul(metres=500)) is None


def _west_of_seoul(*, metres: float) -> tuple[float, float]:
    """(lat, lon) the given distance due west of Seoul's westernmost boundary vertex."""
    features = district_features() + neighbourhood_features()
    coords = shapely.get_coordinates([shape(f["geometry"]) for f in features])
    lon, lat = coords[coords[:, 0].argmin()]
    return float(lat), float(lon) - metres / (111_320 * math.cos(math.radians(lat)))


@pytest.mark.parametrize(
    ("lat", "lon", "message"),
    [
        (91.0, 127.0, "lat must be between -90 and 90"),
        (-90.5, 127.0, "lat must be between -90 and 90"),
        (37.5, 180.1, "lon must be between -180 and 180"),
        (37.5, -200.0, "lon must be between -180 and 180"),
        (math.nan, 127.0, "lat must be a finite number"),
        (37.5, math.inf, "lon must be a finite number"),
    ],
)
def test_bad_coordinates_raise_value_error_naming_the_argument(
    lat: float, lon: float, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        lookup(lat, lon)


@pytest.mark.parametrize(
    "feature", neighbourhood_features(), ids=lambda f: f["properties"]["EMD_CD"]
)
def test_every_neighbourhood_contains_its_own_representative_point(
    feature: dict[str, object],
) -> None:
    point = shape(feature["geometry"]).representative_point()  # type: ignore[arg-type]
    place = lookup(point.y, point.x)
    code = feature["properties"]["EMD_CD"]  # type: ignore[index]
    assert place is not None
    assert place.neighbourhood_code == code
    assert place.district_code == code[:5]
