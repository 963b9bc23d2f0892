"""MQTT ingestion against the real Mosquitto: stored once, rolled up, quarantined, visible."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from django.test import Client

from smartseoul.urbandata.ingester import Ingester
from smartseoul.urbandata.models import QuarantinedReport, Report, Rollup, Sensor
from tests.urbandata.mqtt import (
    HOST,
    PORT,
    forget_session,
    publisher,
    report,
    unique_prefix,
    wait_until,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def ingester(sensors: dict[str, Sensor]) -> Iterator[Ingester]:
    """An ingester on a thread of this process, reading this test's database."""
    running = Ingester(
        host=HOST,
        port=PORT,
        topic_prefix=unique_prefix(),
        client_id=f"{unique_prefix()}-ingest",
        batch_ms=50,
    )
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    assert running.subscribed.wait(10)
    yield running
    running.stop()
    thread.join(10)
    forget_session(running.client_id)


def test_published_reports_are_stored_once_and_rolled_up(ingester: Ingester) -> None:
    prefix = ingester.topic_prefix
    with publisher() as publish:
        publish(f"{prefix}/sensors/SDOT-MAPO-1", report("", "2026-11-20T10:00:00+09:00", pm10=40))
        batch = {
            "reports": [
                report("SDOT-MAPO-2", "2026-11-20T10:00:00+09:00", pm10=60, temperature=3.5),
                report("SDOT-MAPO-1", "2026-11-20T10:02:00+09:00", pm10=50),
                report("SDOT-GANGNAM-1", "2026-11-20T10:00:00+09:00", pm10=20),
            ]
        }
        publish(f"{prefix}/gateways/gw-1", batch)
        publish(f"{prefix}/gateways/gw-1", batch)  # delivered twice: stored once
        publish(f"{prefix}/sensors/SDOT-MAPO-1", b"{not json")
    wait_until(lambda: ingester.stats.messages >= 4)
    assert Report.objects.count() == 4
    mapo = Rollup.objects.get(scope="d", key="11440", quantity="pm10", granularity="h")
    assert (mapo.count, mapo.average) == (3, 50.0)
    quarantined = QuarantinedReport.objects.get()
    assert quarantined.reason.startswith("not JSON")
    assert quarantined.serial == "SDOT-MAPO-1"
    assert quarantined.topic == f"{prefix}/sensors/SDOT-MAPO-1"
    # And the public API shows what arrived.
    latest = Client().get("/api/sensors/latest", {"district": "11440"}).json()
    assert {item["serial"]: item["values"]["pm10"] for item in latest["items"]} == {
        "SDOT-MAPO-1": 50.0,
        "SDOT-MAPO-2": 60.0,
    }
