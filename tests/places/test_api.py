from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_districts_lists_all_25_with_centroids_and_neighbourhood_counts(client: Client) -> None:
    response = client.get("/api/places/districts")
    assert response.status_code == 200
    assert "max-age=86400" in response["Cache-Control"]
    districts = response.json()
    assert len(districts) == 25
    jung = next(d for d in districts if d["code"] == "11140")
    assert (jung["name_ko"], jung["name_en"]) == ("중구", "Jung-gu")
    assert 37.5 < jung["centroid"]["lat"] < 37.6
    assert 126.9 < jung["centroid"]["lon"] < 127.1
    assert sum(d["neighbourhood_count"] for d in districts) == 467
    assert [d["name_ko"] for d in districts] == sorted(d["name_ko"] for d in districts)


def test_district_detail_is_a_geojson_feature(client: Client) -> None:
    response = client.get("/api/places/districts/11140")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/geo+json")
    feature = response.json()
    assert feature["type"] == "Feature"
    assert feature["geometry"]["type"] in ("Polygon", "MultiPolygon")
    assert feature["properties"]["name_ko"] == "중구"
    names = {n["name_ko"] for n in feature["properties"]["neighbourhoods"]}
    assert "태평로1가" in names
    assert all(n["code"].startswith("11140") for n in feature["properties"]["neighbourhoods"])


def test_unknown_district_is_a_404_in_the_api_error_shape(client: Client) -> None:
    response = client.get("/api/places/districts/99999")
    assert response.status_code == 404
    error = response.json()["error"]
    assert error["status"] == 404
    assert "99999" in error["message"]


def test_lookup_finds_district_and_neighbourhood(client: Client) -> None:
    response = client.get("/api/places/lookup", {"lat": "37.5665", "lon": "126.9780"})
    assert response.status_code == 200
    assert response.json() == {
        "inside_seoul": True,
        "district": {"code": "11140", "name_ko": "중구", "name_en": "Jung-gu"},
        "neighbourhood": {
            "code": "11140103",
            "name_ko": "태평로1가",
            "name_en": "Taepyeongno 1(il)-ga",
        },
    }


def test_lookup_outside_seoul_is_not_an_error(client: Client) -> None:
    response = client.get("/api/places/lookup", {"lat": "37.4602", "lon": "126.4407"})
    assert response.status_code == 200
    assert response.json() == {"inside_seoul": False, "district": None, "neighbourhood": None}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"lat": "abc", "lon": "126.978"}, "lat"),
        ({"lat": "200", "lon": "126.978"}, "lat"),
        ({"lat": "37.5", "lon": "-181"}, "lon"),
        ({"lat": "nan", "lon": "126.978"}, "lat"),
        ({"lon": "126.978"}, "lat"),
    ],
)
def test_lookup_rejects_bad_coordinates_naming_the_field(
    client: Client, query: dict[str, str], field: str
) -> None:
    response = client.get("/api/places/lookup", query)
    assert response.status_code == 400
    error = response.json()["error"]
    assert field in error["message"]
