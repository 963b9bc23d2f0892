"""The one query layer over datastore tables: filters, text search, fields, sort, paging.

The CKAN API, the Seoul Open API, the sheet, the charts, the map and the downloads all call
``table_search``/``table_aggregate``.  Column names come from the table's own schema and are
quoted; every value is a bound parameter cast to the column's type, so nothing a client sends
becomes SQL text.
"""

# ruff: noqa: S608 - identifiers come from the schema and are quoted; values are bound

from __future__ import annotations

import datetime
import decimal
import math
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pyarrow

from smartseoul.opendata.datastore import ID, table_sql
from smartseoul.opendata.models import ResourceVersion

MAX_LIMIT = 32_000
OPERATORS = {"eq": "=", "ne": "<>", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
AGGREGATIONS = {
    "count": "count(*)",
    "sum": "sum({})",
    "avg": "avg({})",
    "min": "min({})",
    "max": "max({})",
}
NUMERIC_TYPES = (
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "HUGEINT",
    "FLOAT",
    "DOUBLE",
    "DECIMAL",
    "UBIGINT",
    "UINTEGER",
)


class QueryError(ValueError):
    """A query the table cannot answer; ``field`` names the parameter at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass
class TableQuery:
    # column → value, list of values (any of), or {operator: value} (eq ne gt gte lt lte like in)
    filters: dict[str, Any] = field(default_factory=dict)
    q: str | dict[str, str] | None = None
    fields: Sequence[str] | None = None
    sort: Sequence[tuple[str, bool]] = ()  # (column, descending)
    limit: int = 100
    offset: int = 0
    distinct: bool = False
    include_total: bool = True
    # CKAN lists the ``_id`` column first in every answer; the sheet, downloads and Seoul's
    # API show only the published columns (all may still filter and sort by ``_id``).
    with_id: bool = False


@dataclass
class TableResult:
    fields: list[dict[str, str]]
    records: list[tuple[Any, ...]]
    total: int | None


_local = threading.local()


def connection() -> duckdb.DuckDBPyConnection:
    """This thread's DuckDB connection, long-lived: opening one per request, or even a cursor
    on it, costs milliseconds; each thread has its own, so no two queries share one.

    One DuckDB thread per query: a server answers many requests at once, and a query split
    over two threads waits for the slower one — under load, three times longer at p50."""
    existing = getattr(_local, "connection", None)
    if existing is None:
        existing = duckdb.connect(config={"threads": 1})
        existing.execute("SET parquet_metadata_cache = true")
        _local.connection = existing
    return existing


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def parse_sort(text: str, columns: Sequence[str]) -> list[tuple[str, bool]]:
    """CKAN's sort string, ``"자치구 asc, PM10 desc"`` → [("자치구", False), ("PM10", True)]."""
    result = []
    for part in (piece.strip() for piece in text.split(",")):
        if not part:
            continue
        name, descending = part, False
        lowered = part.lower()
        for suffix, flag in ((" desc", True), (" asc", False)):
            if lowered.endswith(suffix):
                name, descending = part[: -len(suffix)].strip(), flag
        name = name.strip('"')
        if name not in columns and name != ID:
            raise QueryError("sort", f'The table has no column "{name}".')
        result.append((name, descending))
    return result


def _from(version: ResourceVersion) -> str:
    return table_sql(version.parquet)


def _column_types(version: ResourceVersion) -> dict[str, str]:
    """Every queryable column: ``_id`` and the published ones."""
    return {ID: "BIGINT"} | {column["name"]: column["type"] for column in version.schema}


def _where(version: ResourceVersion, query: TableQuery) -> tuple[str, list[Any]]:
    types = _column_types(version)
    clauses: list[str] = []
    params: list[Any] = []

    def typed(column: str, value: Any) -> str:
        if isinstance(value, dict | list):
            raise QueryError("filters", f'Give plain values for "{column}".')
        params.append(None if value is None else str(value))
        return f"TRY_CAST(? AS {types[column]})"

    for column, condition in query.filters.items():
        if column not in types:
            raise QueryError("filters", f'The table has no column "{column}".')
        name = quote(column)
        if isinstance(condition, list):
            if not condition:
                raise QueryError("filters", f'Give at least one value for "{column}".')
            clauses.append(f"{name} IN ({', '.join(typed(column, v) for v in condition)})")
        elif isinstance(condition, dict):
            for operator, value in condition.items():
                if operator in OPERATORS:
                    clauses.append(f"{name} {OPERATORS[operator]} {typed(column, value)}")
                elif operator == "like":
                    params.append(str(value))
                    clauses.append(f"CAST({name} AS VARCHAR) ILIKE ?")
                elif operator == "in" and isinstance(value, list) and value:
                    clauses.append(f"{name} IN ({', '.join(typed(column, v) for v in value)})")
                else:
                    raise QueryError(
                        "filters",
                        f'Unknown operator "{operator}" for "{column}": use eq, ne, gt, gte, '
                        "lt, lte, like or in.",
                    )
        else:
            clauses.append(f"{name} = {typed(column, condition)}")
    if isinstance(query.q, dict):
        for column, text in query.q.items():
            if column not in types:
                raise QueryError("q", f'The table has no column "{column}".')
            params.append(f"%{text}%")
            clauses.append(f"CAST({quote(column)} AS VARCHAR) ILIKE ?")
    elif query.q:
        row_text = "concat_ws(' ', " + ", ".join(quote(c) for c in types if c != ID) + ")"
        for word in str(query.q).split():
            params.append(f"%{word}%")
            clauses.append(f"{row_text} ILIKE ?")
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def json_value(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, bytes):
        return value.hex()
    return value


def _select(version: ResourceVersion, query: TableQuery) -> tuple[str, list[Any], list[str]]:
    types = _column_types(version)
    if query.fields:
        columns = list(query.fields)
    elif query.with_id and not query.distinct:
        columns = list(types)
    else:
        columns = [c for c in types if c != ID]
    for column in columns:
        if column not in types:
            raise QueryError("fields", f'The table has no column "{column}".')
    for column, _descending in query.sort:
        if column not in types:
            raise QueryError("sort", f'The table has no column "{column}".')
    if query.offset < 0:
        raise QueryError("offset", "offset must not be negative.")
    where, params = _where(version, query)
    selected = ", ".join(quote(c) for c in columns)
    distinct = "DISTINCT " if query.distinct else ""
    return f"SELECT {distinct}{selected} FROM {_from(version)}{where}", params, columns


def _order(query: TableQuery, columns: Sequence[str]) -> str:
    """Rows in the asked order, ties (and no order at all) in published order: the stored
    order is not the published one, and paging needs a total order."""
    keys = [f"{quote(c)} {'DESC' if d else 'ASC'} NULLS LAST" for c, d in query.sort]
    if not query.distinct:
        keys.append(ID)
    elif not keys:
        keys = [quote(c) for c in columns]  # DISTINCT can only order by what it selects
    return " ORDER BY " + ", ".join(keys)


def _unfiltered(query: TableQuery) -> bool:
    return not (query.filters or query.q or query.distinct)


_counts: OrderedDict[tuple[str, tuple[Any, ...]], int] = OrderedDict()
_counts_lock = threading.Lock()
COUNT_CACHE_SIZE = 4096


def _count(db: duckdb.DuckDBPyConnection, sql: str, params: list[Any]) -> int:
    """Row count of a query.  A version's file never changes (a new version is a new file),
    so a count can be remembered: paging through a filtered table counts it once."""
    key = (sql, tuple(params))
    with _counts_lock:
        if key in _counts:
            _counts.move_to_end(key)
            return _counts[key]
    row = db.execute(f"SELECT count(*) FROM ({sql})", params).fetchone()
    total = int(row[0]) if row else 0
    with _counts_lock:
        _counts[key] = total
        while len(_counts) > COUNT_CACHE_SIZE:
            _counts.popitem(last=False)
    return total


def table_search(version: ResourceVersion, query: TableQuery) -> TableResult:
    if not 0 <= query.limit <= MAX_LIMIT:
        raise QueryError("limit", f"limit must be between 0 and {MAX_LIMIT}.")
    sql, params, columns = _select(version, query)
    db = connection()
    try:
        if _unfiltered(query) and not query.sort:
            # Paging through the table as published: ``_id`` is dense (1…n), so the page is
            # a range of it, found through the row groups' statistics instead of a top-N.
            first = int(query.offset) + 1
            paged = (
                f"{sql} WHERE {ID} BETWEEN {first} AND {first + int(query.limit) - 1} ORDER BY {ID}"
            )
        else:
            paged = (
                sql
                + _order(query, columns)
                + f" LIMIT {int(query.limit)} OFFSET {int(query.offset)}"
            )
        records = db.execute(paged, params).fetchall()
        total = None
        if not query.include_total:
            pass
        elif _unfiltered(query):
            total = version.row_count
        elif len(records) < query.limit and (records or query.offset == 0):
            total = query.offset + len(records)  # the last page tells the count itself
        else:
            total = _count(db, sql, params)
    except duckdb.Error as exc:
        raise QueryError("filters", f"The query failed: {exc}") from None
    types = _column_types(version)
    return TableResult(
        fields=[{"id": c, "type": types[c]} for c in columns], records=records, total=total
    )


def table_arrow(version: ResourceVersion, query: TableQuery) -> pyarrow.Table:
    """Every matching row (no limit) as an Arrow table, for downloads."""
    sql, params, columns = _select(version, query)
    db = connection()
    try:
        return db.sql(sql + _order(query, columns), params=params).to_arrow_table()
    except duckdb.Error as exc:
        raise QueryError("filters", f"The query failed: {exc}") from None


def table_aggregate(
    version: ResourceVersion,
    *,
    group_by: str,
    value: str | None,
    aggregation: str,
    filters: dict[str, Any] | None = None,
    limit: int = 50,
) -> list[tuple[Any, float | None]]:
    """[(group, aggregate)] ordered by group, for charts."""
    types = _column_types(version)
    if group_by not in types:
        raise QueryError("x", f'The table has no column "{group_by}".')
    if aggregation not in AGGREGATIONS:
        raise QueryError("aggregation", "Use count, sum, avg, min or max.")
    if aggregation != "count":
        if value not in types:
            raise QueryError("y", "Choose the column to aggregate.")
        if not types[value].startswith(NUMERIC_TYPES):
            raise QueryError("y", f'"{value}" is not a number column.')
        expression = AGGREGATIONS[aggregation].format(quote(value))
    else:
        expression = AGGREGATIONS["count"]
    where, params = _where(version, TableQuery(filters=filters or {}))
    sql = (
        f"SELECT {quote(group_by)}, {expression} FROM {_from(version)}{where} "
        f"GROUP BY 1 ORDER BY 1 NULLS LAST LIMIT {int(limit)}"
    )
    db = connection()
    try:
        rows = db.execute(sql, params).fetchall()
    except duckdb.Error as exc:
        raise QueryError("filters", f"The query failed: {exc}") from None
    return [(group, None if result is None else float(result)) for group, result in rows]


def table_points(
    version: ResourceVersion, *, columns: Sequence[str], limit: int = 5000
) -> list[tuple[Any, ...]]:
    """The first ``limit`` rows of the given columns (for the map)."""
    return table_search(
        version, TableQuery(fields=columns, limit=limit, include_total=False)
    ).records
