"""Keeping the map's summary grids (``MapCell``) in step with reports.

One ``INSERT … ON CONFLICT DO UPDATE`` per grid level and change (the same SQL on PostgreSQL
and SQLite), so concurrent reports in one cell add up instead of racing."""

from __future__ import annotations

import math

from django.db import connection

from smartseoul.complaints.models import CELL_LEVELS, MapCell, Report

_TABLE = MapCell._meta.db_table
_OPEN = {str(s) for s in Report.OPEN_STATUSES}


def cell_of(level: int, lat: float, lon: float) -> tuple[int, int]:
    size = CELL_LEVELS[level]
    return math.floor(lat / size), math.floor(lon / size)


def cell_count(report: Report, status: str, change: int) -> None:
    """Add (``change`` 1) or remove (-1) ``report`` under ``status`` in its cells."""
    rows = []
    for level in range(len(CELL_LEVELS)):
        cell_y, cell_x = cell_of(level, report.lat, report.lon)
        rows += [
            level, cell_y, cell_x, report.category_id, status in _OPEN, change,
            change * report.lat, change * report.lon,
        ]  # fmt: skip
    values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s)"] * len(CELL_LEVELS))
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {_TABLE}
                (level, cell_y, cell_x, category_id, is_open, count, lat_sum, lon_sum)
            VALUES {values}
            ON CONFLICT (level, cell_y, cell_x, category_id, is_open) DO UPDATE SET
                count = {_TABLE}.count + excluded.count,
                lat_sum = {_TABLE}.lat_sum + excluded.lat_sum,
                lon_sum = {_TABLE}.lon_sum + excluded.lon_sum
            """,  # noqa: S608 - the table name is ours, every value a parameter
            rows,
        )


def status_moved(report: Report, old: str, new: str) -> None:
    """Only a move between open and closed changes the grids."""
    if (old in _OPEN) != (new in _OPEN):
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
    open_list = ", ".join(["%s"] * len(_OPEN))
    with connection.cursor() as cursor:
        for level, size in enumerate(CELL_LEVELS):
            cursor.execute(
                f"""
                INSERT INTO {_TABLE}
                    (level, cell_y, cell_x, category_id, is_open, count, lat_sum, lon_sum)
                SELECT %s, {cell.format(col="lat")}, {cell.format(col="lon")}, category_id,
                       status IN ({open_list}), COUNT(*), SUM(lat), SUM(lon)
                FROM {Report._meta.db_table}
                GROUP BY 2, 3, 4, 5
                """,  # noqa: S608 - table and column names are ours
                [level, size, size, *sorted(_OPEN)],
            )
    return MapCell.objects.count()
