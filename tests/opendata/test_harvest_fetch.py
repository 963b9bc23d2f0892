"""Harvested tabular resources are downloaded by the worker and loaded like an upload.

A real HTTP server on 127.0.0.1 plays the other CKAN portal's file store.
"""

from __future__ import annotations

import functools
import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from smartseoul.audit.models import AuditEvent
from smartseoul.opendata.models import Dataset, ResourceVersion

PARKING_CSV = "주차장명,자치구,주차면수\n공영주차장 1,마포구,120\n공영주차장 2,중구,45\n"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def file_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """(base URL, folder it serves)."""
    folder = tmp_path / "served"
    folder.mkdir()
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", folder
    server.shutdown()
    server.server_close()


def test_harvested_tables_load_into_the_datastore(
    departments: None,
    tmp_path: Path,
    file_server: tuple[str, Path],
    client: Client,
    django_capture_on_commit_callbacks: Any,
) -> None:
    base, folder = file_server
    (folder / "parking.csv").write_bytes(PARKING_CSV.encode("euc-kr"))
    package = {
        "name": "busan-parking",
        "title": "부산 공영주차장",
        "organization": {"name": "transportation"},
        "groups": [{"name": "transport"}],
        "resources": [
            {"name": "주차장 목록", "format": "CSV", "url": f"{base}/parking.csv"},
            # No format given: the URL's ending says CSV; the file is missing.
            {"name": "사라진 파일", "url": f"{base}/gone.csv"},
            {"name": "안내 문서", "format": "PDF", "url": f"{base}/guide.pdf"},
        ],
    }
    dump = tmp_path / "dump.jsonl"
    dump.write_text(json.dumps(package, ensure_ascii=False))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("opendata_harvest", str(dump), department="digital-city")

    dataset = Dataset.objects.get(name="busan-parking")
    parking, gone, guide = dataset.resources.order_by("position")
    assert (parking.format, gone.format, guide.format) == ("csv", "csv", "link")

    version = parking.current_version()
    assert version is not None
    assert version.status == ResourceVersion.Status.READY
    assert version.encoding == "cp949"
    assert version.row_count == 2
    found = client.get(
        "/api/3/action/datastore_search",
        {"resource_id": str(parking.pk), "filters": json.dumps({"자치구": "마포구"})},
    ).json()["result"]
    assert [r["주차장명"] for r in found["records"]] == ["공영주차장 1"]
    original = client.get(f"/data/resource/{parking.pk}/v1/source")
    assert b"".join(original.streaming_content) == PARKING_CSV.encode("euc-kr")  # type: ignore[attr-defined]

    failed = gone.versions.get()
    assert failed.status == ResourceVersion.Status.FAILED
    assert "HTTP 404" in failed.error
    assert client.get(f"/data/resource/{gone.pk}/v1/source").status_code == 404
    assert not guide.versions.exists()
    assert AuditEvent.objects.filter(action="opendata.resource_version_fetch").count() == 2
    page = client.get(f"/data/dataset/{dataset.name}/")
    assert page.status_code == 200
