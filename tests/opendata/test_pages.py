"""The public pages: Korean search with facets, dataset page, sheet, chart, map, downloads."""

from __future__ import annotations

import csv
import io
import json

import pyarrow.parquet
from django.test import Client
from openpyxl import load_workbook

from smartseoul.opendata.actions import resource_create
from smartseoul.opendata.models import Dataset, Resource
from smartseoul.opendata.queries import popular_terms, usage_totals
from tests.opendata.conftest import Loader


def test_catalogue_finds_a_dataset_by_a_korean_word_inside_a_compound(
    client: Client, air_resource: Resource
) -> None:
    # "대기오염" is part of the title "자치구별 대기오염 측정 정보"; "대기" alone is a morpheme.
    for word in ("대기오염", "미세먼지", "초미세먼지", "air"):
        page = client.get("/data/", {"q": word}).content.decode()
        assert "자치구별 대기오염 측정 정보" in page, word
    assert "자치구별 대기오염" not in client.get("/data/", {"q": "지하철"}).content.decode()
    filtered = client.get("/data/", {"category": "transport"}).content.decode()
    assert "자치구별 대기오염" not in filtered
    assert popular_terms()[:1] in (["대기오염"], ["air"], ["미세먼지"], ["초미세먼지"])


def test_dataset_page_has_schema_org_markup_and_counts_views(
    client: Client, air_resource: Resource
) -> None:
    page = client.get("/data/dataset/air-quality-by-district/").content.decode()
    start = page.index('<script type="application/ld+json">') + len(
        '<script type="application/ld+json">'
    )
    markup = json.loads(page[start : page.index("</script>", start)])
    assert markup["@type"] == "Dataset"
    assert markup["name"] == "자치구별 대기오염 측정 정보"
    assert "초미세먼지(PM2.5)" in page
    assert usage_totals(air_resource.dataset)["views"] == 1


def test_sheet_filters_sorts_and_pages(client: Client, air_resource: Resource) -> None:
    url = f"/data/resource/{air_resource.pk}/sheet/"
    page = client.get(url, {"fc": "미세먼지(PM10)", "fo": "lt", "fv": "40", "sort": "자치구 desc"})
    text = page.content.decode()
    assert text.index("중구") < text.index("송파구")
    assert "종로구" not in text
    assert "2행" in text


def test_chart_svg_aggregates(client: Client, air_resource: Resource) -> None:
    svg = client.get(
        f"/data/resource/{air_resource.pk}/chart.svg",
        {"kind": "bar", "x": "등급", "agg": "avg", "y": "미세먼지(PM10)"},
    )
    assert svg["Content-Type"].startswith("image/svg+xml")
    assert "보통: 46.5" in svg.content.decode()
    for kind in ("line", "pie", "scatter"):
        chart = client.get(
            f"/data/resource/{air_resource.pk}/chart.svg",
            {"kind": kind, "x": "초미세먼지(PM2.5)", "y": "미세먼지(PM10)", "agg": "sum"},
        )
        assert chart.status_code == 200
        assert chart.content.startswith(b"<svg")
    page = client.get(f"/data/resource/{air_resource.pk}/chart/", {"x": "등급", "agg": "count"})
    assert "&lt;iframe" in page.content.decode()  # the embed code shown to copy
    embed = client.get(f"/data/resource/{air_resource.pk}/chart/embed/", {"x": "등급"})
    assert "frame-ancestors *" in embed["Content-Security-Policy"]


def test_map_joins_district_names_to_boundaries(client: Client, air_resource: Resource) -> None:
    collection = client.get(f"/data/resource/{air_resource.pk}/map.geojson").json()
    assert len(collection["features"]) == 4
    assert collection["features"][0]["geometry"]["type"] in ("Polygon", "MultiPolygon")
    assert collection["features"][0]["properties"]["자치구"] == "종로구"


def test_map_from_coordinates(
    client: Client, air_dataset: Dataset, publisher: object, load: Loader
) -> None:
    wifi = resource_create(actor=publisher, dataset=air_dataset, name="와이파이", format="csv")
    load(wifi, "설치장소,위도,경도\n시청,37.5663,126.9779\n광화문,37.5759,126.9769\n".encode())
    collection = client.get(f"/data/resource/{wifi.pk}/map.geojson").json()
    assert collection["features"][0]["geometry"] == {
        "type": "Point",
        "coordinates": [126.9779, 37.5663],
    }
    assert "위도" in client.get(f"/data/resource/{wifi.pk}/map/").content.decode()


def test_downloads_round_trip_korean_and_filtered_subsets(
    client: Client, air_resource: Resource
) -> None:
    url = f"/data/resource/{air_resource.pk}/download."
    as_csv = b"".join(client.get(url + "csv").streaming_content)  # type: ignore[attr-defined]
    assert as_csv.startswith(b"\xef\xbb\xbf")  # BOM, so Excel reads UTF-8
    rows = list(csv.reader(io.StringIO(as_csv.decode("utf-8-sig"))))
    assert rows[0] == ["자치구", "측정일", "미세먼지(PM10)", "초미세먼지(PM2.5)", "등급"]
    assert len(rows) == 5

    subset = {"fc": "등급", "fo": "eq", "fv": "좋음"}
    as_json = json.loads(
        b"".join(client.get(url + "json", subset).streaming_content)  # type: ignore[attr-defined]
    )
    assert [r["자치구"] for r in as_json] == ["중구", "송파구"]

    workbook = load_workbook(io.BytesIO(client.get(url + "xlsx", subset).content))
    assert workbook.active is not None
    assert workbook.active["A2"].value == "중구"

    # The whole table as published: its columns, its rows in the file's order.
    table = pyarrow.parquet.read_table(io.BytesIO(client.get(url + "parquet").content))
    assert table.column_names == ["자치구", "측정일", "미세먼지(PM10)", "초미세먼지(PM2.5)", "등급"]
    assert table.column("자치구").to_pylist() == ["종로구", "중구", "마포구", "송파구"]
    part = pyarrow.parquet.read_table(io.BytesIO(client.get(url + "parquet", subset).content))
    assert part.column("자치구").to_pylist() == ["중구", "송파구"]
    assert usage_totals(air_resource.dataset)["downloads"] == 5
    source = client.get(f"/data/resource/{air_resource.pk}/v1/source")
    assert b"".join(source.streaming_content).decode("euc-kr").startswith("자치구")  # type: ignore[attr-defined]


def test_facet_links_keep_the_search_and_toggle(client: Client, air_resource: Resource) -> None:
    page = client.get("/data/", {"q": "미세먼지", "category": "environment"}).content.decode()
    assert 'href="?q=%EB%AF%B8%EC%84%B8%EB%A8%BC%EC%A7%80"' in page  # unticks the category
    assert "tags=%EB%8C%80%EA%B8%B0%EC%A7%88" in page  # adds a tag, keeping q and category
