"""Loading files into the datastore: encodings, Korean headers, types, bad rows, versions."""

from __future__ import annotations

import io
import json

from openpyxl import Workbook

from smartseoul.audit.models import AuditEvent
from smartseoul.opendata.actions import resource_create
from smartseoul.opendata.datastore import parquet_path
from smartseoul.opendata.models import Dataset, Resource, ResourceVersion
from smartseoul.opendata.query import TableQuery, table_search
from tests.opendata.conftest import AIR_QUALITY_CSV, Loader


def test_euc_kr_csv_keeps_korean_headers_types_and_reports_the_bad_row(
    air_resource: Resource,
) -> None:
    version = air_resource.current_version()
    assert version is not None
    assert version.status == ResourceVersion.Status.READY
    assert version.encoding == "cp949"
    assert version.column_names == [
        "자치구",
        "측정일",
        "미세먼지(PM10)",
        "초미세먼지(PM2.5)",
        "등급",
    ]
    types = {column["name"]: column["type"] for column in version.schema}
    assert types["측정일"] == "DATE"
    assert types["미세먼지(PM10)"] in ("BIGINT", "INTEGER")
    assert version.row_count == 4
    assert version.bad_row_count == 1
    assert version.bad_rows[0]["line"] == 5
    assert "강남구" in version.bad_rows[0]["content"]
    assert parquet_path(version.parquet).exists()
    assert AuditEvent.objects.filter(action="opendata.resource_version_load").exists()


def test_a_new_version_keeps_the_old_one_and_becomes_current(
    air_resource: Resource, load: Loader
) -> None:
    first = air_resource.current_version()
    second = load(air_resource, "자치구,값\n종로구,1\n".encode())
    assert second.number == 2
    assert second.encoding == "utf-8"
    assert air_resource.current_version() == second
    assert first is not None
    assert parquet_path(first.parquet).exists()
    assert air_resource.versions.count() == 2


def test_a_file_that_is_not_text_fails_with_a_reason(air_resource: Resource, load: Loader) -> None:
    version = load(air_resource, b"\xff\xfe\x00\x81\x00garbage\x80\x80")
    assert version.status == ResourceVersion.Status.FAILED
    assert "UTF-8" in version.error
    # The previous version still answers.
    assert air_resource.current_version() is not None
    assert air_resource.current_version().number == 1  # type: ignore[union-attr]


def test_xlsx_json_and_geojson_load(air_dataset: Dataset, publisher: object, load: Loader) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["도서관명", "좌석수"])
    sheet.append(["마포중앙도서관", 520])
    sheet.append(["서대문도서관", 300])
    buffer = io.BytesIO()
    workbook.save(buffer)
    xlsx = resource_create(actor=publisher, dataset=air_dataset, name="도서관", format="xlsx")
    version = load(xlsx, buffer.getvalue(), "libraries.xlsx")
    assert version.row_count == 2
    assert version.schema[1] == {"name": "좌석수", "type": "BIGINT"}

    records = [{"정류소": "A", "대수": 3}, {"정류소": "B", "대수": 5, "비고": "신규"}]
    as_json = resource_create(actor=publisher, dataset=air_dataset, name="따릉이", format="json")
    version = load(as_json, json.dumps({"data": records}, ensure_ascii=False).encode(), "b.json")
    assert version.column_names == ["정류소", "대수", "비고"]

    collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"이름": "공원"},
                "geometry": {"type": "Point", "coordinates": [126.97, 37.56]},
            }
        ],
    }
    geo = resource_create(actor=publisher, dataset=air_dataset, name="공원", format="geojson")
    version = load(geo, json.dumps(collection).encode(), "parks.geojson")
    result = table_search(version, TableQuery())
    assert result.records[0][0] == "공원"
    assert json.loads(result.records[0][1])["type"] == "Point"


def test_dataset_search_terms_include_column_names(air_resource: Resource) -> None:
    dataset = Dataset.objects.get(pk=air_resource.dataset_id)
    assert "초미세먼지" in dataset.search_terms or "미세먼지" in dataset.search_terms
    assert AIR_QUALITY_CSV  # the fixture's file, for readers
