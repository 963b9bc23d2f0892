"""Raw-report housekeeping: the retention window and the daily Parquet archive."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from smartseoul.audit.actions import audit_record
from smartseoul.urbandata.models import Report
from smartseoul.urbandata.storage import SEOUL_OFFSET

PRUNE_CHUNK = 50_000


def reports_prune(*, now: datetime | None = None) -> int:
    """Delete raw reports older than SENSORS_RAW_RETENTION_DAYS; roll-ups are kept.

    Never a report of an hour not rolled up yet (rollups.py): its sensor-hour figures exist
    only in its raw reports until then.
    """
    from smartseoul.urbandata.rollups import rollup_state

    cutoff = (now or timezone.now()) - timedelta(days=settings.SENSORS_RAW_RETENTION_DAYS)
    _closed, rolled_before = rollup_state()
    if rolled_before is None:
        return 0
    cutoff = min(cutoff, rolled_before)
    deleted = 0
    while True:
        # In chunks, so a large backlog never holds one long lock on the reports table.
        with transaction.atomic():
            ids = list(
                Report.objects.filter(measured_at__lt=cutoff).values_list("pk", flat=True)[
                    :PRUNE_CHUNK
                ]
            )
            if not ids:
                break
            deleted += Report.objects.filter(pk__in=ids).delete()[0]
    if deleted:
        with transaction.atomic():
            audit_record(
                actor=None,
                action="urbandata.reports_prune",
                details={"deleted": deleted, "before": cutoff.isoformat()},
            )
    return deleted


def reports_archive(*, day: str | None = None) -> tuple[Path, int]:
    """Write one Seoul calendar day of raw reports to ``<archive>/reports/date=<day>/…parquet``.

    One row per report: serial, measured_at (UTC), received_at, raw, values and flags as JSON
    text, district and neighbourhood codes; DuckDB, Spark or pandas read it as it is.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    if day is None:
        the_day = (datetime.now(UTC) + SEOUL_OFFSET).date() - timedelta(days=1)
    else:
        the_day = date.fromisoformat(day)
    start = datetime(the_day.year, the_day.month, the_day.day, tzinfo=UTC) - SEOUL_OFFSET
    rows = (
        Report.objects.filter(measured_at__gte=start, measured_at__lt=start + timedelta(days=1))
        .order_by("sensor_id", "measured_at")
        .values_list(
            "sensor__serial",
            "measured_at",
            "received_at",
            "raw",
            "values",
            "flags",
            "sensor__district_id",
            "sensor__neighbourhood_id",
        )
    )
    columns: dict[str, list[object]] = {
        name: []
        for name in (
            "serial",
            "measured_at",
            "received_at",
            "raw",
            "values",
            "flags",
            "district",
            "neighbourhood",
        )
    }
    for row in rows.iterator(chunk_size=10_000):
        for name, value in zip(columns, row, strict=True):
            columns[name].append(json.dumps(value) if name in ("raw", "values", "flags") else value)
    table = pa.table(
        {
            "serial": pa.array(columns["serial"], pa.string()),
            "measured_at": pa.array(columns["measured_at"], pa.timestamp("us", tz="UTC")),
            "received_at": pa.array(columns["received_at"], pa.timestamp("us", tz="UTC")),
            "raw": pa.array(columns["raw"], pa.string()),
            "values": pa.array(columns["values"], pa.string()),
            "flags": pa.array(columns["flags"], pa.string()),
            "district": pa.array(columns["district"], pa.string()),
            "neighbourhood": pa.array(columns["neighbourhood"], pa.string()),
        }
    )
    folder = Path(settings.SENSORS_ARCHIVE_ROOT) / "reports" / f"date={the_day.isoformat()}"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "reports.parquet"
    temporary = path.with_suffix(".parquet.tmp")
    pq.write_table(table, temporary, compression="zstd")
    temporary.replace(path)  # readers never see a half-written file
    return path, table.num_rows
