"""Loading a resource version into the datastore: any accepted file → one Parquet file.

Every format is first turned into UTF-8 CSV (EUC-KR/CP949 transcoded, XLSX/JSON/GeoJSON
flattened) so that one path — DuckDB's CSV sniffer — infers the types and reports bad rows.
The Parquet file is written under a temporary name and renamed into place only when complete,
and the version turns READY only after that, so no reader ever sees a half-written table.
"""

# ruff: noqa: S608 - paths are ours and quoted by _sql_string; no client text reaches SQL

from __future__ import annotations

import codecs
import csv
import json
import os
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
from django.conf import settings

BAD_ROWS_KEPT = 100
_CHUNK = 1 << 20
# Every stored table starts with CKAN's ``_id``: the row's 1-based position in the file as
# published, stable for the version (the rows themselves are stored in another order).
ID = "_id"
# Small row groups let a filter skip most of a clustered table (see ``_cluster_columns``);
# smaller than this, the statistics of many row groups cost every query more than they save.
ROW_GROUP_ROWS = 32_768
# A text column with at most this many distinct values is "categorical" (district, status,
# type …): the columns people filter by equality, and the ones the rows are clustered by.
CLUSTER_MAX_DISTINCT = 256


class LoadError(Exception):
    """The file cannot be read as a table; the message says why, for the publisher."""


@dataclass
class LoadResult:
    parquet: str  # relative to OPENDATA_ROOT
    encoding: str
    row_count: int
    schema: list[dict[str, str]]
    bad_row_count: int = 0
    bad_rows: list[dict[str, Any]] = field(default_factory=list)


def root() -> Path:
    path = Path(settings.OPENDATA_ROOT)
    path.mkdir(parents=True, exist_ok=True)
    return path


def parquet_path(relative: str) -> Path:
    return Path(settings.OPENDATA_ROOT) / relative


def detect_encoding(path: Path) -> str:
    """ "utf-8" when the whole file decodes as UTF-8, else "cp949" (a superset of EUC-KR)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as source:
        try:
            while chunk := source.read(_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
            return "utf-8"
        except UnicodeDecodeError:
            pass
    korean = codecs.getincrementaldecoder("cp949")()
    with path.open("rb") as source:
        try:
            while chunk := source.read(_CHUNK):
                korean.decode(chunk)
            korean.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            raise LoadError(
                f"The file is neither UTF-8 nor EUC-KR/CP949 text (byte {exc.start})."
            ) from None
    return "cp949"


def _transcode(path: Path, encoding: str, target: Path) -> None:
    with (
        path.open("r", encoding=encoding, newline="") as source,
        target.open("w", encoding="utf-8", newline="") as sink,
    ):
        while chunk := source.read(_CHUNK):
            sink.write(chunk)


def _cell(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value


def _write_csv(rows: Iterable[list[Any]], target: Path) -> None:
    with target.open("w", encoding="utf-8", newline="") as sink:
        writer = csv.writer(sink)
        for row in rows:
            writer.writerow(["" if value is None else _cell(value) for value in row])


def _xlsx_rows(path: Path) -> Iterator[list[Any]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        raise LoadError(f"The workbook cannot be opened: {exc}") from None
    sheet = workbook.worksheets[0]
    for row in sheet.iter_rows(values_only=True):
        if any(value is not None for value in row):
            yield list(row)
    workbook.close()


def _records_rows(records: list[dict[str, Any]]) -> Iterator[list[Any]]:
    columns: list[str] = []
    for record in records:
        for key in record:
            if key not in columns:
                columns.append(key)
    yield columns
    for record in records:
        yield [record.get(column) for column in columns]


def _json_rows(path: Path) -> Iterator[list[Any]]:
    try:
        data = json.loads(path.read_text(encoding=detect_encoding(path)))
    except json.JSONDecodeError as exc:
        raise LoadError(f"The JSON is not valid: {exc}") from None
    if isinstance(data, dict):
        # Common wrappers: {"data": [...]}, {"records": [...]}, Seoul's {SERVICE: {"row": [...]}}.
        for value in data.values():
            if isinstance(value, list):
                data = value
                break
            if isinstance(value, dict) and isinstance(value.get("row"), list):
                data = value["row"]
                break
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise LoadError("The JSON must be a list of objects (one per row).")
    return _records_rows(data)


def _geojson_rows(path: Path) -> Iterator[list[Any]]:
    try:
        data = json.loads(path.read_text(encoding=detect_encoding(path)))
    except json.JSONDecodeError as exc:
        raise LoadError(f"The GeoJSON is not valid: {exc}") from None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise LoadError("The GeoJSON must be a FeatureCollection.")
    records = [
        {**(feature.get("properties") or {}), "geometry": feature.get("geometry")}
        for feature in data.get("features", [])
    ]
    return _records_rows(records)


def _csv_source(path: Path, file_format: str, workdir: Path) -> tuple[Path, str]:
    """A UTF-8 CSV with the file's rows, and the original's text encoding."""
    if file_format == "csv":
        encoding = detect_encoding(path)
        if encoding == "utf-8":
            return path, "utf-8"
        target = workdir / "source.csv"
        _transcode(path, encoding, target)
        return target, encoding
    target = workdir / "source.csv"
    if file_format == "xlsx":
        _write_csv(_xlsx_rows(path), target)
        return target, ""
    if file_format == "json":
        _write_csv(_json_rows(path), target)
        return target, detect_encoding(path)
    if file_format == "geojson":
        _write_csv(_geojson_rows(path), target)
        return target, detect_encoding(path)
    raise LoadError(f"{file_format} files are not loaded into the datastore.")


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _watch_progress(
    connection: duckdb.DuckDBPyConnection, report: Callable[[int], None], done: threading.Event
) -> None:
    last = -1
    while not done.wait(0.5):
        try:
            percent = int(connection.query_progress())
        except duckdb.Error:
            return
        if 0 <= percent < 100 and percent != last:
            last = percent
            report(percent)


def _cluster_columns(connection: duckdb.DuckDBPyConnection, stage: str) -> list[str]:
    """The categorical text columns to store the rows sorted by, most distinct values first.

    Parquet keeps each row group's min and max per column; with the rows sorted by district,
    ``자치구 = '마포구'`` reads one twenty-fifth of the table instead of all of it.  The most
    selective column goes first (an equality filter on it prunes most); the second one still
    prunes within each run of the first.
    """
    text_columns = [
        str(row[0])
        for row in connection.execute(f"DESCRIBE SELECT * FROM read_parquet({stage})").fetchall()
        if str(row[1]) == "VARCHAR"
    ]
    if not text_columns:
        return []
    counts = (
        connection.execute(
            "SELECT "
            + ", ".join(f"approx_count_distinct({_quoted(c)})" for c in text_columns)
            + f" FROM read_parquet({stage})"
        ).fetchone()
        or ()
    )
    categorical = [
        (int(n), column)
        for column, n in zip(text_columns, counts, strict=True)
        if 2 <= int(n) <= CLUSTER_MAX_DISTINCT
    ]
    return [column for _n, column in sorted(categorical, key=lambda item: -item[0])[:2]]


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _free_name(name: str, taken: Iterable[str]) -> str:
    taken = set(taken)
    while name in taken:
        name += "_"
    return name


def _text_types(source: Path, text_columns: Sequence[str]) -> str:
    """read_csv's ``types`` for the wanted text columns that this file has (DuckDB refuses
    names it does not find, and a new version may have dropped a column)."""
    if not text_columns:
        return ""
    with source.open(encoding="utf-8-sig", newline="") as file:
        header = next(csv.reader(file), [])
    present = [name for name in text_columns if name in header]
    if not present:
        return ""
    pairs = ", ".join(f"{_sql_string(name)}: 'VARCHAR'" for name in present)
    return f", types = {{{pairs}}}"


def load_file(
    path: Path,
    *,
    file_format: str,
    destination: str,
    on_progress: Callable[[int], None] | None = None,
    text_columns: Sequence[str] = (),
) -> LoadResult:
    """Load ``path`` into ``OPENDATA_ROOT/destination`` (a .parquet path), atomically.

    Two passes: the CSV (with its bad rows captured) becomes a staging Parquet file in the
    published row order; that file is then rewritten with ``_id`` first and the rows
    clustered by the categorical columns, in small row groups.
    """
    final = parquet_path(destination)
    final.parent.mkdir(parents=True, exist_ok=True)
    workdir = root() / "tmp" / uuid.uuid4().hex
    workdir.mkdir(parents=True)
    try:
        source, encoding = _csv_source(path, file_format, workdir)
        stage_path = workdir / "stage.parquet"
        stage = _sql_string(str(stage_path))
        partial = workdir / "table.parquet"
        connection = duckdb.connect(config={"threads": max(1, os.cpu_count() or 1)})
        done = threading.Event()
        watcher = None
        if on_progress is not None:
            watcher = threading.Thread(
                target=_watch_progress, args=(connection, on_progress, done), daemon=True
            )
            watcher.start()
        try:
            # preserve_insertion_order (DuckDB's default) keeps the file's row order, which
            # file_row_number reads back below as the published order.
            connection.execute(
                f"COPY (SELECT * FROM read_csv({_sql_string(str(source))}, header = true, "
                "auto_detect = true, store_rejects = true, sample_size = 20480"
                f"{_text_types(source, text_columns)})) "
                f"TO {stage} (FORMAT parquet, COMPRESSION uncompressed)"
            )
        except duckdb.Error as exc:
            raise LoadError(f"The table cannot be read: {exc}") from None
        finally:
            done.set()
            if watcher is not None:
                watcher.join()
        described = connection.execute(f"DESCRIBE SELECT * FROM read_parquet({stage})").fetchall()
        schema = [{"name": str(row[0]), "type": str(row[1])} for row in described]
        if not schema:
            raise LoadError("The file has no columns.")
        # A column of the file called _id (a CKAN export has one) is kept under another name.
        names = [column["name"] for column in schema]
        columns = []
        for column in schema:
            if column["name"] == ID:
                column["name"] = _free_name("_id_source", names)
                columns.append(f"{_quoted(ID)} AS {_quoted(column['name'])}")
            else:
                columns.append(_quoted(column["name"]))
        order = [*(_quoted(c) for c in _cluster_columns(connection, stage) if c != ID), ID]
        connection.execute(
            f"COPY (SELECT file_row_number + 1 AS {ID}, {', '.join(columns)} "
            f"FROM read_parquet({stage}, file_row_number = true) "
            f"ORDER BY {', '.join(order)}) TO {_sql_string(str(partial))} "
            f"(FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE {ROW_GROUP_ROWS})"
        )
        (row_count,) = connection.execute(
            f"SELECT count(*) FROM read_parquet({stage})"
        ).fetchone() or (0,)
        (bad_count,) = connection.execute(
            "SELECT count(DISTINCT line) FROM reject_errors"
        ).fetchone() or (0,)
        bad_rows = [
            {"line": int(line), "message": str(message), "content": str(content or "")}
            for line, message, content in connection.execute(
                "SELECT line, first(error_message ORDER BY column_idx), first(csv_line) "
                f"FROM reject_errors GROUP BY line ORDER BY line LIMIT {BAD_ROWS_KEPT}"
            ).fetchall()
        ]
        connection.close()
        os.replace(partial, final)  # atomic on one filesystem: readers see all or nothing
        return LoadResult(
            parquet=destination,
            encoding=encoding,
            row_count=int(row_count),
            schema=schema,
            bad_row_count=int(bad_count),
            bad_rows=bad_rows,
        )
    finally:
        for leftover in workdir.iterdir():
            leftover.unlink()
        workdir.rmdir()


_has_id: dict[str, bool] = {}


def stores_id(relative: str) -> bool:
    """Whether a stored table has the ``_id`` column (files loaded before it was added do
    not; their ``_id`` is computed from the row's position).  Files never change: cached."""
    known = _has_id.get(relative)
    if known is None:
        import pyarrow.parquet

        names = pyarrow.parquet.read_schema(parquet_path(relative)).names
        known = _has_id[relative] = bool(names) and names[0] == ID
    return known


def table_sql(relative: str) -> str:
    """SQL for reading a stored table, ``_id`` first whatever its age."""
    path = _sql_string(str(parquet_path(relative)))
    if stores_id(relative):
        return f"read_parquet({path})"
    # A file from before ``_id`` was stored: its rows are in the published order.
    return (
        f"(SELECT file_row_number + 1 AS {ID}, * EXCLUDE (file_row_number) "
        f"FROM read_parquet({path}, file_row_number = true))"
    )
