"""datastore_search_sql runs one read-only SELECT over datastore tables and nothing else."""

from __future__ import annotations

from django.test import Client, override_settings

from smartseoul.opendata.models import Resource

REFUSED = [
    "SELECT * FROM read_csv('/etc/passwd')",
    "SELECT * FROM read_text('/etc/hostname')",
    "COPY (SELECT 1) TO '/tmp/opendata-leak.csv'",
    "ATTACH '/tmp/opendata-other.db' AS other",
    "CREATE TABLE t AS SELECT 1",
    "INSERT INTO t VALUES (1)",
    "DROP VIEW x",
    "SELECT 1; SELECT 2",
    "INSTALL httpfs",
    "SET enable_external_access = true",
    "SELECT * FROM 'https://example.com/data.csv'",
    "SELECT * FROM read_parquet('/etc/*.parquet')",
]


def _sql(client: Client, sql: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    response = client.post(
        "/api/3/action/datastore_search_sql", {"sql": sql}, content_type="application/json"
    )
    return response.status_code, response.json()


def test_refuses_files_network_writes_and_more_than_one_statement(
    client: Client, air_resource: Resource
) -> None:
    for sql in REFUSED:
        status, body = _sql(client, sql)
        assert status == 409, sql
        assert body["success"] is False
        assert body["error"]["__type"] == "Validation Error"


def test_aggregates_over_a_resource(client: Client, air_resource: Resource) -> None:
    status, body = _sql(
        client,
        f'SELECT "등급", count(*) AS n FROM "{air_resource.pk}" GROUP BY 1 ORDER BY 1',  # noqa: S608 - the test's own SQL
    )
    assert status == 200
    assert body["result"]["records"] == [{"등급": "보통", "n": 2}, {"등급": "좋음", "n": 2}]


@override_settings(OPENDATA_SQL_MAX_ROWS=3)
def test_row_limit_truncates(client: Client, air_resource: Resource) -> None:
    status, body = _sql(client, "SELECT * FROM range(10)")
    assert status == 200
    assert len(body["result"]["records"]) == 3
    assert body["result"]["records_truncated"] is True


@override_settings(OPENDATA_SQL_TIMEOUT_MS=200)
def test_a_long_query_is_stopped(client: Client, air_resource: Resource) -> None:
    status, body = _sql(client, "SELECT count(*) FROM range(100000000000) a")
    assert status == 409
    assert "stopped" in body["error"]["query"][0]
