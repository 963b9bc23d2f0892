"""Harvesting another CKAN portal from a dump file."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management import call_command

from smartseoul.opendata.models import Dataset


def test_harvest_a_ckanapi_dump(departments: None, tmp_path: Path) -> None:
    packages = [
        {
            "name": "busan-bus-stops",
            "title": "부산 버스정류소",
            "notes": "정류소 위치",
            "license_id": "cc-by",
            "organization": {"name": "transportation"},
            "groups": [{"name": "transport"}],
            "tags": [{"name": "버스"}],
            "resources": [{"name": "CSV", "url": "https://data.example.kr/stops.csv"}],
        },
        {"title": "이름 없는 데이터"},  # no name: skipped with a reason
    ]
    dump = tmp_path / "datasets.jsonl"
    dump.write_text("\n".join(json.dumps(p, ensure_ascii=False) for p in packages))
    call_command("opendata_harvest", str(dump), department="digital-city")
    dataset = Dataset.objects.get(name="busan-bus-stops")
    assert dataset.department.code == "transportation"
    assert dataset.licence == "CC-BY-4.0"
    assert dataset.resources.get().url == "https://data.example.kr/stops.csv"
    assert Dataset.objects.count() == 1
    packages[0]["title"] = "부산 버스정류소 위치"
    dump.write_text(json.dumps(packages[:1], ensure_ascii=False))
    call_command("opendata_harvest", str(dump), department="digital-city")
    assert Dataset.objects.get(name="busan-bus-stops").title_ko == "부산 버스정류소 위치"
