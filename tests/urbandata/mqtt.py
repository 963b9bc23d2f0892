"""Helpers for tests against the real Mosquitto: unique topics, publishing, waiting."""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import paho.mqtt.client as mqtt

HOST = os.environ.get("SMARTSEOUL_MQTT_HOST", "127.0.0.1")
PORT = int(os.environ.get("SMARTSEOUL_MQTT_PORT", "1883"))


def unique_prefix() -> str:
    """A topic prefix no other test run shares, so parallel runs never see each other."""
    return f"test-{uuid.uuid4().hex[:12]}"


@contextmanager
def publisher() -> Iterator[Callable[[str, Any], None]]:
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    client.connect(HOST, PORT)
    client.loop_start()
    sent: list[mqtt.MQTTMessageInfo] = []

    def publish(topic: str, body: Any) -> None:
        payload = body if isinstance(body, bytes) else json.dumps(body)
        sent.append(client.publish(topic, payload, qos=1))

    try:
        yield publish
        for info in sent:
            info.wait_for_publish(timeout=30)
    finally:
        client.loop_stop()
        client.disconnect()


def forget_session(client_id: str) -> None:
    """Drop an ingester's persistent session from the broker (tidy after a test)."""
    client = mqtt.Client(
        mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5
    )
    client.connect(HOST, PORT, clean_start=True)
    client.disconnect()


def wait_until(condition: Callable[[], bool], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.1)


def report(serial: str, measured_at: str, **values: float) -> dict[str, Any]:
    body: dict[str, Any] = {"measured_at": measured_at, "values": values}
    if serial:  # else the topic names the sensor
        body["serial"] = serial
    return body
