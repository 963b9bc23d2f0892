"""What the `records` log holds: RFC 8785 canonical JSON documents, one per entry.

Canonical JSON gives every record exactly one byte encoding, so anyone holding the same
facts can recompute the entry and its leaf hash.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

import rfc8785
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

SHA256_HEX = re.compile(r"[0-9a-f]{64}")
# Korean plates: optional region (서울), 2-3 digits, one Hangul syllable, 4 digits.
VEHICLE_NUMBER = re.compile(r"(?:[가-힣]{2})?[0-9]{2,3}[가-힣][0-9]{4}")
SCHEMA_VERSION = 1


def canonical(document: dict[str, Any]) -> bytes:
    return rfc8785.dumps(document)


def normalize_sha256(value: str) -> str:
    text = value.strip().lower()
    if not SHA256_HEX.fullmatch(text):
        raise ValidationError(
            {"sha256": _("Enter a SHA-256 hash: 64 hexadecimal characters.")}, code="invalid"
        )
    return text


def normalize_vehicle_number(value: str) -> str:
    text = re.sub(r"[\s-]+", "", value)
    if not VEHICLE_NUMBER.fullmatch(text):
        raise ValidationError(
            {"vehicle_number": _("Enter a vehicle number such as 12가3456 or 123가4567.")},
            code="invalid",
        )
    return text


def _timestamp(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def document(
    *, title: str, sha256: str, department: str, recorded_at: datetime.datetime
) -> dict[str, Any]:
    title = title.strip()
    if not title:
        raise ValidationError({"title": _("Give the document a title.")})
    return {
        "type": "document",
        "version": SCHEMA_VERSION,
        "title": title[:200],
        "sha256": normalize_sha256(sha256),
        "department": department,
        "recorded_at": _timestamp(recorded_at),
    }


def vehicle_inspection(
    *,
    vehicle_number: str,
    inspection_date: datetime.date,
    mileage_km: int,
    findings: str,
    inspector: str,
    place: str,
    recorded_at: datetime.datetime,
) -> dict[str, Any]:
    if isinstance(mileage_km, bool) or not 0 <= int(mileage_km) <= 10_000_000:
        raise ValidationError({"mileage_km": _("Enter the mileage in kilometres.")})
    if inspection_date > recorded_at.date() + datetime.timedelta(days=1):
        raise ValidationError({"inspection_date": _("The inspection date is in the future.")})
    if not inspector.strip():
        raise ValidationError({"inspector": _("Name the inspector.")})
    return {
        "type": "vehicle_inspection",
        "version": SCHEMA_VERSION,
        "vehicle_number": normalize_vehicle_number(vehicle_number),
        "inspection_date": inspection_date.isoformat(),
        "mileage_km": int(mileage_km),
        "findings": findings.strip(),
        "inspector": inspector.strip(),
        "place": place.strip(),
        "recorded_at": _timestamp(recorded_at),
    }
