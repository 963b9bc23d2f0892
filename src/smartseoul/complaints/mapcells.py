"""Keeping the map's summary grid (``MapCell``) in step with reports.

One ``INSERT … ON CONFLICT DO UPDATE`` per change (the same SQL on PostgreSQL and SQLite), so
concurrent reports in one cell add up instead of racing."""

from __future__ import annotations

import math

from django.db import connection

from smartseoul.complaints.models import CELL_DEGREES, MapCell, Report

_TABLE = MapCell._meta.db_table


def cell_of(lat: float, lon: float) -> tuple[int, int]:
    return math.floor(lat / CELL_DEGREES), math.floor(lon / CELL_DEGREES)


def cell_count(report: Report, status: str, change: int) -> None:
    """Add (``change`` 1) or remove (-1) ``report`` under ``status`` in its cell."""
    cell_y, cell_x = cell_of(report.lat, report.lon)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {_TABLE} (cell_y, cell_x, category_id, status, count, lat_sum, lon_sum)
            VALUES (%s, %s, %s, %s, %s, %s, %s)
            ON CONFLICT (cell_y, cell_x, category_id, status) DO UPDATE SET
                count = {_TABLE}.count + excluded.count,
                lat_sum = {_TABLE}.lat_sum + excluded.lat_sum,
                lon_sum = {_TABLE}.lon_sum + excluded.lon_sum
            """,  # noqa: S608 - the table name is ours, every value a parameter
            [
                cell_y, cell_x, report.category_id, status, change,
                change * report.lat, change * report.lon,
            ],
        )  # fmt: skip


def status_moved(report: Report, old: str, new: str) -> None:
    if old != new:
        cell_count(report, old, -1)
        cell_count(report, new, 1)


def cells_rebuild() -> int:
    """Recount every cell from the reports (after a bulk import); returns the cells written."""
    MapCell.objects.all().delete()
    # SQLite may lack FLOOR(); an offset makes CAST's truncation a floor for any coordinate.
    if connection.vendor == "postgresql":
        cell = "FLOOR({col} / %s)"
    else:
        cell = "CAST(({col} / %s) + 100000 AS INTEGER) - 100000"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {_TABLE} (cell_y, cell_x, category_id, status, count, lat_sum, lon_sum)
            SELECT {cell.format(col="lat")}, {cell.format(col="lon")}, category_id, status,
                   COUNT(*), SUM(lat), SUM(lon)
            FROM {Report._meta.db_table}
            GROUP BY 1, 2, 3, 4
            """,  # noqa: S608 - table and column names are ours
            [CELL_DEGREES, CELL_DEGREES],
        )
    return MapCell.objects.count()
