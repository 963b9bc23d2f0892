"""CKAN's ``_id``: every datastore row's 1-based position in the file as published.

The stored Parquet file keeps the rows clustered by their categorical columns (so that a
filter skips most of a big table); these tests check that nobody outside can tell, except
by a faster answer.
"""

from __future__ import annotations

import json
from typing import Any

import duckdb
from django.test import Client

from smartseoul.opendata.datastore import parquet_path
from smartseoul.opendata.models import Dataset, Resource
from smartseoul.opendata.query import TableQuery, table_search
from tests.opendata.conftest import Loader

DISTRICTS = ["종로구", "중구", "마포구", "강남구", "송파구"]
SEARCH = "/api/3/action/datastore_search"


def _stations_csv(rows: int) -> bytes:
    lines = ["측정소,자치구,미세먼지"]
    for i in range(rows):
        # Districts interleave, so clustering by district really moves rows around.
        lines.append(f"측정소-{i},{DISTRICTS[i % len(DISTRICTS)]},{(i * 7) % 40}")
    return ("\n".join(lines) + "\n").encode()


def _search(client: Client, resource: Resource, **params: Any) -> dict[str, Any]:
    encoded = {
        key: json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else value
        for key, value in params.items()
    }
    response = client.get(SEARCH, {"resource_id": str(resource.pk), **encoded})
    assert response.status_code == 200, response.content
    return response.json()["result"]


def _resource(dataset: Dataset, publisher: object, name: str = "측정소") -> Resource:
    from smartseoul.opendata.actions import resource_create

    return resource_create(
        actor=publisher,
        dataset=dataset,
        name=name,
        format="csv",
        service_name="StationDust",
        service_filters=["자치구"],
    )


def test_every_row_has_its_published_position_as_id(
    client: Client, air_dataset: Dataset, publisher: object, load: Loader
) -> None:
    resource = _resource(air_dataset, publisher)
    load(resource, _stations_csv(500))

    result = _search(client, resource, limit=3)
    assert result["fields"][0] == {"id": "_id", "type": "int"}
    assert [f["id"] for f in result["fields"][1:]] == ["측정소", "자치구", "미세먼지"]
    # No sort: the rows as published, numbered from 1.
    assert [(r["_id"], r["측정소"]) for r in result["records"]] == [
        (1, "측정소-0"),
        (2, "측정소-1"),
        (3, "측정소-2"),
    ]
    assert result["total"] == 500
    page = _search(client, resource, offset=250, limit=2)
    assert [(r["_id"], r["측정소"]) for r in page["records"]] == [
        (251, "측정소-250"),
        (252, "측정소-251"),
    ]

    # Filterable and sortable like any column.
    ranged = _search(client, resource, filters={"_id": {"gte": 498}}, sort="_id desc")
    assert [r["_id"] for r in ranged["records"]] == [500, 499, 498]
    assert ranged["total"] == 3
    assert _search(client, resource, filters={"_id": 42})["records"][0]["측정소"] == "측정소-41"

    # The total whatever the page: a full page, the last one, none (limit 0), beyond the end.
    for offset, limit in ((0, 10), (95, 10), (0, 0), (200, 10)):
        page = _search(client, resource, filters={"자치구": "중구"}, offset=offset, limit=limit)
        assert page["total"] == 100
    # A filter on the clustered column still answers in published order.
    mapo = _search(client, resource, filters={"자치구": "마포구"}, limit=3)
    assert [r["_id"] for r in mapo["records"]] == [3, 8, 13]
    assert mapo["total"] == 100


def test_pages_of_a_sort_with_ties_neither_repeat_nor_skip_rows(
    client: Client, air_dataset: Dataset, publisher: object, load: Loader
) -> None:
    resource = _resource(air_dataset, publisher)
    load(resource, _stations_csv(300))
    seen: list[int] = []
    for offset in range(0, 300, 70):
        page = _search(client, resource, sort="미세먼지 desc", offset=offset, limit=70)
        seen.extend(r["_id"] for r in page["records"])
    assert sorted(seen) == list(range(1, 301))
    # Equal values come in published order.
    top = _search(client, resource, sort="미세먼지 desc", limit=3)["records"]
    assert [r["미세먼지"] for r in top] == [39, 39, 39]
    assert [r["_id"] for r in top] == sorted(r["_id"] for r in top)


def test_id_is_only_in_ckan_answers(
    client: Client, air_dataset: Dataset, publisher: object, load: Loader
) -> None:
    resource = _resource(air_dataset, publisher)
    load(resource, _stations_csv(20))
    seoul = client.get("/openapi/sample/json/StationDust/1/2/").json()["StationDust"]
    assert [list(row) for row in seoul["row"]] == [["측정소", "자치구", "미세먼지"]] * 2
    assert [row["측정소"] for row in seoul["row"]] == ["측정소-0", "측정소-1"]
    sheet = client.get(f"/data/resource/{resource.pk}/sheet/").content.decode()
    assert "_id" not in sheet
    csv_text = client.get(f"/data/resource/{resource.pk}/download.csv")
    header = b"".join(csv_text.streaming_content).decode("utf-8-sig").splitlines()[0]  # type: ignore[attr-defined]
    assert header.replace('"', "") == "측정소,자치구,미세먼지"
    sql = client.get(
        "/api/3/action/datastore_search_sql",
        {"sql": f'SELECT "_id", "측정소" FROM "{resource.pk}" WHERE "_id" = 7'},  # noqa: S608 - the test's own SQL
    ).json()["result"]
    assert sql["records"] == [{"_id": 7, "측정소": "측정소-6"}]


def test_a_new_version_numbers_its_own_rows(
    client: Client, air_dataset: Dataset, publisher: object, load: Loader
) -> None:
    resource = _resource(air_dataset, publisher)
    load(resource, _stations_csv(10))
    load(resource, "측정소,자치구,미세먼지\n새측정소,중구,5\n측정소-0,종로구,0\n".encode())
    records = _search(client, resource)["records"]
    assert [(r["_id"], r["측정소"]) for r in records] == [(1, "새측정소"), (2, "측정소-0")]


def test_a_column_called_id_in_the_file_is_kept_under_another_name(
    client: Client, air_dataset: Dataset, publisher: object, load: Loader
) -> None:
    resource = _resource(air_dataset, publisher)
    version = load(resource, "_id,이름\n7,가\n3,나\n".encode())
    assert version.column_names == ["_id_source", "이름"]
    records = _search(client, resource)["records"]
    assert records == [
        {"_id": 1, "_id_source": 7, "이름": "가"},
        {"_id": 2, "_id_source": 3, "이름": "나"},
    ]


def test_tables_stored_before_id_get_it_from_their_row_order(
    air_dataset: Dataset, publisher: object, load: Loader
) -> None:
    resource = _resource(air_dataset, publisher)
    version = load(resource, _stations_csv(5))
    # Rewrite the file as loads did before: the published columns in the published order.
    path = str(parquet_path(version.parquet))
    old = path.replace(".parquet", "-old.parquet")
    connection = duckdb.connect()
    connection.execute(
        f"COPY (SELECT * EXCLUDE (_id) FROM read_parquet('{path}') ORDER BY _id) TO '{old}'"  # noqa: S608 - test paths
    )
    connection.close()
    version.parquet = version.parquet.replace(".parquet", "-old.parquet")
    version.save(update_fields=["parquet"])

    result = table_search(
        version, TableQuery(with_id=True, filters={"_id": {"gte": 4}}, sort=[("_id", True)])
    )
    assert [f["id"] for f in result.fields] == ["_id", "측정소", "자치구", "미세먼지"]
    assert result.records == [(5, "측정소-4", "송파구", 28), (4, "측정소-3", "강남구", 21)]
