"""A table, or a filtered subset of it, as CSV (UTF-8 with BOM for Excel), XLSX, JSON, Parquet."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator

import pyarrow
import pyarrow.csv
import pyarrow.parquet
from django.http import HttpResponse, StreamingHttpResponse

from smartseoul.opendata.models import ResourceVersion
from smartseoul.opendata.query import TableQuery, json_value, table_arrow

FORMATS = ("csv", "xlsx", "json", "parquet")
XLSX_MAX_ROWS = 1_048_575  # Excel's limit, less the header row
_BOM = "\ufeff".encode()


def _disposition(response: HttpResponse | StreamingHttpResponse, name: str) -> None:
    from urllib.parse import quote

    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"


def _csv_chunks(table: pyarrow.Table) -> Iterator[bytes]:
    yield _BOM
    buffer = io.BytesIO()
    pyarrow.csv.write_csv(table, buffer)
    yield buffer.getvalue()


def _json_chunks(table: pyarrow.Table) -> Iterator[bytes]:
    yield b"["
    first = True
    for batch in table.to_batches(max_chunksize=10_000):
        for record in batch.to_pylist():
            row = {key: json_value(value) for key, value in record.items()}
            yield (b"" if first else b",\n") + json.dumps(row, ensure_ascii=False).encode()
            first = False
    yield b"]\n"


def _xlsx(table: pyarrow.Table) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("data")
    sheet.append(table.column_names)
    for batch in table.slice(0, XLSX_MAX_ROWS).to_batches(max_chunksize=10_000):
        for record in batch.to_pylist():
            sheet.append(list(record.values()))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def download(
    version: ResourceVersion, query: TableQuery, file_format: str, basename: str
) -> HttpResponse | StreamingHttpResponse:
    # Every format, the whole table included, is written from the query layer: the stored
    # file has the rows clustered for search and an _id column, not the table as published.
    table = table_arrow(version, query)
    result: HttpResponse | StreamingHttpResponse
    if file_format == "csv":
        result = StreamingHttpResponse(_csv_chunks(table), content_type="text/csv; charset=utf-8")
    elif file_format == "json":
        result = StreamingHttpResponse(_json_chunks(table), content_type="application/json")
    elif file_format == "xlsx":
        result = HttpResponse(
            _xlsx(table),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        buffer = io.BytesIO()
        pyarrow.parquet.write_table(table, buffer, compression="zstd")
        result = HttpResponse(buffer.getvalue(), content_type="application/vnd.apache.parquet")
    _disposition(result, f"{basename}.{file_format}")
    return result
