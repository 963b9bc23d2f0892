"""``datastore_search_sql``: one read-only SELECT over datastore tables, nothing else.

Three fences, each enough on its own for the usual attacks:

1. DuckDB's own parser must find exactly one statement, and it must be a SELECT.
2. The query runs on a fresh in-memory DuckDB whose only tables are views named by resource
   id over the current Parquet files; ``allowed_paths`` lists exactly those files, then
   ``enable_external_access = false`` shuts every other file, URL and extension out, and
   ``lock_configuration`` stops the query from turning anything back on.
3. A timer interrupts a query that runs too long; at most ``OPENDATA_SQL_MAX_ROWS`` come back.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Any

import duckdb
from django.conf import settings

from smartseoul.opendata.datastore import parquet_path, table_sql
from smartseoul.opendata.queries import current_tables


class SqlRefused(ValueError):
    pass


@dataclass
class SqlResult:
    fields: list[dict[str, str]]
    records: list[tuple[Any, ...]]
    truncated: bool


def _check_statement(sql: str) -> None:
    parser = duckdb.connect()
    try:
        statements = parser.extract_statements(sql)
    except duckdb.Error as exc:
        raise SqlRefused(f"The SQL cannot be parsed: {exc}") from None
    finally:
        parser.close()
    if len(statements) != 1:
        raise SqlRefused("Send exactly one SQL statement.")
    if statements[0].type != duckdb.StatementType.SELECT:
        raise SqlRefused("Only SELECT statements are allowed.")


_RESOURCE_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)


def _sealed_connection(sql: str) -> duckdb.DuckDBPyConnection:
    # Only the resources the query names become views: a catalogue of thousands of tables
    # must not cost thousands of CREATE VIEWs per query.
    named = {match.lower() for match in _RESOURCE_ID.findall(sql)}
    tables = [version for version in current_tables(named) if str(version.resource_id) in named]
    connection = duckdb.connect(":memory:", config={"threads": 1})
    files = [str(parquet_path(version.parquet)) for version in tables]
    connection.execute("SET memory_limit = '512MB'")
    connection.execute("SET autoinstall_known_extensions = false")
    connection.execute("SET autoload_known_extensions = false")
    connection.execute("SET allowed_paths = $files", {"files": files})
    for version in tables:
        name = str(version.resource_id).replace('"', "")
        connection.execute(
            f'CREATE VIEW "{name}" AS SELECT * FROM {table_sql(version.parquet)}'  # noqa: S608 - our own ids and paths
        )
    connection.execute("SET enable_external_access = false")
    connection.execute("SET lock_configuration = true")
    return connection


def run_select(sql: str) -> SqlResult:
    _check_statement(sql)
    connection = _sealed_connection(sql)
    timer = threading.Timer(settings.OPENDATA_SQL_TIMEOUT_MS / 1000, connection.interrupt)
    timer.start()
    try:
        cursor = connection.execute(sql)
        description = cursor.description or []
        limit = settings.OPENDATA_SQL_MAX_ROWS
        records = cursor.fetchmany(limit + 1)
    except duckdb.InterruptException:
        raise SqlRefused(
            f"The query took longer than {settings.OPENDATA_SQL_TIMEOUT_MS} ms and was stopped."
        ) from None
    except duckdb.Error as exc:
        raise SqlRefused(str(exc).split("\n", 1)[0]) from None
    finally:
        timer.cancel()
        connection.close()
    fields = [{"id": column[0], "type": str(column[1])} for column in description]
    return SqlResult(fields=fields, records=records[:limit], truncated=len(records) > limit)
