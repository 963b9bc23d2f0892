"""A small JSON Schema checker for the keywords the Open311 schemas use (type, enum,
required, properties, items, minItems, format: date-time); no dependency needed."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

_TYPES = {
    "object": dict,
    "array": list,
    "string": str,
    "integer": int,
    "number": (int, float),
    "boolean": bool,
    "null": type(None),
}
_SCHEMAS = json.loads(
    (Path(__file__).parent / "data" / "open311-georeport-v2.schema.json").read_text()
)["definitions"]


def problems(instance: Any, schema: dict[str, Any], where: str = "$") -> list[str]:
    found: list[str] = []
    kinds = schema.get("type")
    if kinds is not None:
        kinds = kinds if isinstance(kinds, list) else [kinds]
        ok = any(
            isinstance(instance, _TYPES[k])
            and not (k in ("integer", "number") and isinstance(instance, bool))
            for k in kinds
        )
        if not ok:
            return [f"{where}: {instance!r} is not of type {kinds}"]
    if "enum" in schema and instance not in schema["enum"]:
        found.append(f"{where}: {instance!r} not in {schema['enum']}")
    if schema.get("format") == "date-time" and isinstance(instance, str):
        try:
            datetime.datetime.fromisoformat(instance)
        except ValueError:
            found.append(f"{where}: {instance!r} is not a date-time")
    if isinstance(instance, dict):
        found += [
            f"{where}: missing {name}"
            for name in schema.get("required", [])
            if name not in instance
        ]
        for name, sub in schema.get("properties", {}).items():
            if name in instance:
                found += problems(instance[name], sub, f"{where}.{name}")
    if isinstance(instance, list):
        if len(instance) < schema.get("minItems", 0):
            found.append(f"{where}: fewer than {schema['minItems']} items")
        if "items" in schema:
            for index, item in enumerate(instance):
                found += problems(item, schema["items"], f"{where}[{index}]")
    return found


def assert_valid(instance: Any, name: str) -> None:
    errors = problems(instance, _SCHEMAS[name])
    assert not errors, errors
