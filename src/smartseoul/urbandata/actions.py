"""Every write of the sensor service: the registry, storing reports, alert handling."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from smartseoul.audit.actions import audit_record
from smartseoul.places.lookup import lookup
from smartseoul.places.models import District, Neighbourhood
from smartseoul.urbandata import storage
from smartseoul.urbandata.models import Sensor, SensorModel
from smartseoul.urbandata.payloads import Incoming, Rejected, parse_time
from smartseoul.urbandata.storage import StoreResult


def sensor_model_save(
    *,
    actor: Any | None,
    code: str,
    name: str,
    quantities: dict[str, dict[str, Any]],
    manufacturer: str = "",
) -> SensorModel:
    """Create or update a sensor model; each quantity needs a unit and a valid range."""
    for quantity, spec in quantities.items():
        if (
            not isinstance(spec, dict)
            or "unit" not in spec
            or "min" not in spec
            or "max" not in spec
        ):
            raise ValidationError(
                {"quantities": _("%(q)s needs unit, min and max.") % {"q": quantity}}
            )
        if float(spec["min"]) >= float(spec["max"]):
            raise ValidationError(
                {"quantities": _("%(q)s: min must be below max.") % {"q": quantity}}
            )
    with transaction.atomic():
        model, created = SensorModel.objects.update_or_create(
            code=code,
            defaults={"name": name, "quantities": quantities, "manufacturer": manufacturer},
        )
        audit_record(
            actor=actor,
            action="urbandata.sensor_model_create" if created else "urbandata.sensor_model_update",
            target=model,
            details={"quantities": sorted(quantities)},
        )
    transaction.on_commit(storage.sensor_cache.clear)
    return model


def sensor_register(
    *,
    actor: Any | None,
    serial: str,
    model: SensorModel,
    lat: float,
    lon: float,
    installed_at: datetime,
    calibration: dict[str, dict[str, float]] | None = None,
    retired_at: datetime | None = None,
    note: str = "",
) -> Sensor:
    """Register (or update) a sensor; its district and neighbourhood come from its location."""
    serial = serial.strip()
    if not serial:
        raise ValidationError({"serial": _("A serial number is required.")})
    try:
        place = lookup(lat, lon)
    except ValueError as exc:
        raise ValidationError({"location": str(exc)}) from exc
    if place is None:
        raise ValidationError({"location": _("The location is outside Seoul.")})
    calibration = calibration or {}
    for quantity, factors in calibration.items():
        if quantity not in model.quantities:
            raise ValidationError(
                {"calibration": _("The model does not measure %(q)s.") % {"q": quantity}}
            )
        if not set(factors) <= {"scale", "offset"}:
            raise ValidationError({"calibration": _("Use scale and offset only.")})
    if retired_at is not None and retired_at <= installed_at:
        raise ValidationError({"retired_at": _("A sensor retires after it is installed.")})
    with transaction.atomic():
        sensor, created = Sensor.objects.update_or_create(
            serial=serial,
            defaults={
                "model": model,
                "lat": lat,
                "lon": lon,
                "district": District.objects.get(code=place.district_code),
                "neighbourhood": (
                    Neighbourhood.objects.filter(code=place.neighbourhood_code).first()
                    if place.neighbourhood_code
                    else None
                ),
                "installed_at": installed_at,
                "retired_at": retired_at,
                "calibration": calibration,
                "note": note,
            },
        )
        audit_record(
            actor=actor,
            action="urbandata.sensor_register" if created else "urbandata.sensor_update",
            target=sensor,
            details={"model": model.code, "district": place.district_code},
        )
    transaction.on_commit(storage.sensor_cache.clear)
    return sensor


def sensor_models_ensure_builtin() -> None:
    """The S-DoT multi-function model is always there to register sensors against."""
    from smartseoul.urbandata.demo import SDOT_QUANTITIES

    if not SensorModel.objects.filter(code="sdot-multi").exists():
        sensor_model_save(
            actor=None, code="sdot-multi", name="S-DoT multi-function", quantities=SDOT_QUANTITIES
        )


CSV_COLUMNS = ["serial", "model", "lat", "lon", "installed_at"]


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)


def sensors_import_csv(*, actor: Any | None, text: str) -> ImportResult:
    """Register many sensors from CSV (docs/sensors.md); all rows or none.

    Columns: serial, model, lat, lon, installed_at, and optionally retired_at, calibration
    (JSON) and note.  Every bad row is reported with its line number; if any row is bad,
    nothing is written.
    """
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in CSV_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise ValidationError({"file": _("Missing columns: %(c)s") % {"c": ", ".join(missing)}})
    sensor_models_ensure_builtin()
    models = {m.code: m for m in SensorModel.objects.all()}
    existing = set(Sensor.objects.values_list("serial", flat=True))
    result = ImportResult()
    prepared: list[dict[str, Any]] = []
    for line, row in enumerate(reader, start=2):
        try:
            model = models.get((row["model"] or "").strip())
            if model is None:
                raise ValueError(_("unknown model %(m)r") % {"m": row["model"]})
            installed = parse_time(row["installed_at"])
            if isinstance(installed, str):
                raise ValueError(installed.replace("measured_at", "installed_at"))
            retired = None
            if (row.get("retired_at") or "").strip():
                retired = parse_time(row["retired_at"])
                if isinstance(retired, str):
                    raise ValueError(retired.replace("measured_at", "retired_at"))
            calibration = json.loads(row["calibration"]) if row.get("calibration") else {}
            prepared.append(
                {
                    "serial": row["serial"],
                    "model": model,
                    "lat": float(row["lat"]),
                    "lon": float(row["lon"]),
                    "installed_at": installed,
                    "retired_at": retired,
                    "calibration": calibration,
                    "note": row.get("note") or "",
                }
            )
        except (ValueError, TypeError) as exc:
            result.errors.append(_("line %(n)d: %(e)s") % {"n": line, "e": exc})
    if result.errors:
        return result
    try:
        with transaction.atomic():
            for line, fields in enumerate(prepared, start=2):
                try:
                    sensor_register(actor=actor, **fields)
                except ValidationError as exc:
                    messages = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
                    result.errors.append(_("line %(n)d: %(e)s") % {"n": line, "e": messages})
                    continue
                if fields["serial"].strip() in existing:
                    result.updated += 1
                else:
                    result.created += 1
            if result.errors:
                raise _RollBack
    except _RollBack:
        result.created = result.updated = 0
    return result


class _RollBack(Exception):
    pass


def reports_store(
    *,
    incoming: list[Incoming],
    rejected: list[Rejected],
    source: str,
    topic: str = "",
    now: datetime | None = None,
) -> StoreResult:
    """Store a batch of sensor reports (see ``storage.store``).

    Not audited per batch: these are machine measurements, not people's decisions; the
    reports and the quarantine are their own record.
    """
    return storage.store(incoming, rejected, source=source, topic=topic, now=now or timezone.now())
