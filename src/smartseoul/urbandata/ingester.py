"""``smartseoul ingest``: MQTT → database in batches, acknowledging only what is committed.

Each ingester joins the shared subscription ``$share/<group>/<prefix>/sensors/+`` and
``…/gateways/+`` with QoS 1, a fixed client id and a persistent session (clean start off, a
long session expiry), and acknowledges messages by hand.  Messages collect for up to
``batch_ms`` milliseconds or ``batch_size`` reports, are stored in one transaction
(``storage.store``), and only then acknowledged.  If the process or the database dies first,
the broker still holds the unacknowledged messages and delivers them again (to this client
id when it reconnects); storage ignores a report it already has, so nothing is lost or
counted twice.
"""

from __future__ import annotations

import logging
import queue
import signal
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from django.db import close_old_connections, connection
from django.db.utils import DatabaseError, InterfaceError, OperationalError

from smartseoul.urbandata.actions import reports_store
from smartseoul.urbandata.payloads import Incoming, Rejected, parse_message

log = logging.getLogger(__name__)

SESSION_EXPIRY_SECONDS = 7 * 24 * 3600
# How many unacknowledged messages the broker may have in flight to us (MQTT 5 Receive
# Maximum); a batch can be no larger.  Mosquitto also caps this with its own
# max_inflight_messages (20 by default): docs/sensors.md says how to configure the broker.
RECEIVE_MAXIMUM = 50_000
# Closed sensor hours are rolled up and alert rules evaluated this often, each by one
# ingester at a time (see _evaluate_if_first and rollups.py).
HOUSEKEEPING_EVERY_SECONDS = 60.0


@dataclass
class IngestStats:
    messages: int = 0
    stored: int = 0
    duplicates: int = 0
    quarantined: int = 0
    batches: int = 0
    retries: int = 0


@dataclass
class _Message:
    mid: int
    qos: int
    topic: str
    payload: bytes


@dataclass
class Ingester:
    host: str
    port: int
    topic_prefix: str
    client_id: str
    group: str = "smartseoul-ingest"
    # Large batches are what make high rates affordable: a batch holding several reports of
    # each sensor updates each sensor-hour roll-up row once, not once per report.
    batch_size: int = 20_000
    batch_ms: int = 1000
    evaluate_alerts: bool = True
    roll_up: bool = True
    stats: IngestStats = field(default_factory=IngestStats)

    def __post_init__(self) -> None:
        self.inbox: queue.Queue[_Message] = queue.Queue()
        self.stopping = threading.Event()
        self.subscribed = threading.Event()

    def topics(self) -> list[str]:
        return [
            f"$share/{self.group}/{self.topic_prefix}/sensors/+",
            f"$share/{self.group}/{self.topic_prefix}/gateways/+",
        ]

    def run(self) -> IngestStats:
        import paho.mqtt.client as mqtt
        from paho.mqtt.packettypes import PacketTypes
        from paho.mqtt.properties import Properties
        from paho.mqtt.subscribeoptions import SubscribeOptions

        client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2, client_id=self.client_id, protocol=mqtt.MQTTv5
        )
        client.manual_ack_set(True)

        def on_connect(client: Any, userdata: Any, flags: Any, reason: Any, props: Any) -> None:
            if reason.is_failure:
                log.error("MQTT connection refused: %s", reason)
                return
            client.subscribe([(topic, SubscribeOptions(qos=1)) for topic in self.topics()])

        def on_subscribe(client: Any, userdata: Any, mid: int, reasons: Any, props: Any) -> None:
            log.info("subscribed to %s", ", ".join(self.topics()))
            self.subscribed.set()

        def on_message(client: Any, userdata: Any, message: Any) -> None:
            self.inbox.put(_Message(message.mid, message.qos, message.topic, message.payload))

        client.on_connect = on_connect
        client.on_subscribe = on_subscribe
        client.on_message = on_message
        properties = Properties(PacketTypes.CONNECT)
        properties.SessionExpiryInterval = SESSION_EXPIRY_SECONDS
        properties.ReceiveMaximum = RECEIVE_MAXIMUM
        client.reconnect_delay_set(min_delay=1, max_delay=10)
        client.connect(self.host, self.port, clean_start=False, properties=properties)
        client.loop_start()
        if self.evaluate_alerts or self.roll_up:
            threading.Thread(target=self._housekeeping, daemon=True).start()
        try:
            while not self.stopping.is_set():
                batch = self._collect()
                if batch:
                    self._store(batch)
                    for message in batch:
                        if message.qos > 0:
                            client.ack(message.mid, message.qos)
        finally:
            client.loop_stop()
            client.disconnect()
            connection.close()
        return self.stats

    def _housekeeping(self) -> None:
        """Sensor-hour roll-ups, then alert rules (which read the area roll-ups only), on a
        thread of their own so that ingestion never waits for them."""
        from smartseoul.urbandata.rollups import HOUSEKEEPING_BUDGET_S, sensor_hours_roll_up

        while not self.stopping.wait(HOUSEKEEPING_EVERY_SECONDS):
            try:
                if self.roll_up:
                    # At most ~20 s a minute (the rest next minute): the alert rules below
                    # run every minute, and ingestion keeps most of the machine.
                    sensor_hours_roll_up(budget_s=HOUSEKEEPING_BUDGET_S)
                if self.evaluate_alerts:
                    _evaluate_if_first()
            except DatabaseError:
                log.exception("rolling up or evaluating alert rules failed; next try in a minute")
            finally:
                connection.close()  # this thread's own connection

    def stop(self, *_args: Any) -> None:
        self.stopping.set()

    def _collect(self) -> list[_Message]:
        batch: list[_Message] = []
        deadline: float | None = None
        reports = 0
        while reports < self.batch_size:
            timeout = 0.5 if deadline is None else deadline - time.monotonic()
            if timeout <= 0:
                break
            try:
                message = self.inbox.get(timeout=timeout)
            except queue.Empty:
                if deadline is None and self.stopping.is_set():
                    break
                if deadline is None:
                    continue
                break
            if deadline is None:
                deadline = time.monotonic() + self.batch_ms / 1000
            batch.append(message)
            # A cheap estimate of a batch message's size, to keep transactions bounded.
            reports += max(1, message.payload.count(b'"serial"'))
        return batch

    def _store(self, batch: list[_Message]) -> None:
        incoming: list[Incoming] = []
        rejected: list[Rejected] = []
        for message in batch:
            serial = message.topic.rsplit("/", 1)[-1] if "/sensors/" in message.topic else ""
            good, bad = parse_message(message.payload, default_serial=serial)
            incoming += good
            for item in bad:
                item.topic = message.topic
            rejected += bad
        delay = 0.5
        while True:
            try:
                result = reports_store(incoming=incoming, rejected=rejected, source="mqtt")
                break
            except (OperationalError, InterfaceError, DatabaseError) as exc:
                # The database restarted or a deadlock was broken: nothing was committed and
                # nothing acknowledged, so trying the same batch again is safe.
                self.stats.retries += 1
                log.warning("storing a batch failed (%s); retrying in %.1f s", exc, delay)
                connection.close()
                time.sleep(delay)
                delay = min(delay * 2, 10.0)
                close_old_connections()
        self.stats.messages += len(batch)
        self.stats.batches += 1
        self.stats.stored += result.stored
        self.stats.duplicates += result.duplicates
        self.stats.quarantined += result.quarantined


# Any fixed number: ingesters on PostgreSQL take this advisory lock so that one of them at a
# time evaluates the alert rules (the others skip that round).
_EVALUATION_LOCK = 0x5EB50A1E


def _evaluate_if_first() -> None:
    from smartseoul.urbandata.alerting import alerts_evaluate

    if connection.vendor != "postgresql":
        alerts_evaluate()  # SQLite: one writer at a time anyway
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [_EVALUATION_LOCK])
        if not cursor.fetchone()[0]:
            return
        try:
            alerts_evaluate()
        finally:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [_EVALUATION_LOCK])


def ingest_main(
    *,
    host: str,
    port: int,
    topic_prefix: str,
    client_id: str,
    group: str,
    batch_size: int,
    batch_ms: int,
    evaluate_alerts: bool = True,
    roll_up: bool = True,
) -> int:
    ingester = Ingester(
        host=host,
        port=port,
        topic_prefix=topic_prefix,
        client_id=client_id,
        group=group,
        batch_size=batch_size,
        batch_ms=batch_ms,
        evaluate_alerts=evaluate_alerts,
        roll_up=roll_up,
    )
    signal.signal(signal.SIGTERM, ingester.stop)
    signal.signal(signal.SIGINT, ingester.stop)
    reporter = threading.Thread(target=_report_progress, args=(ingester,), daemon=True)
    reporter.start()
    stats = ingester.run()
    print(
        f"ingest stopped: {stats.messages} messages, {stats.stored} reports stored, "
        f"{stats.duplicates} duplicates, {stats.quarantined} quarantined",
        flush=True,
    )
    return 0


def _report_progress(ingester: Ingester) -> None:
    ingester.subscribed.wait()
    print(f"ingest: subscribed as {ingester.client_id}", flush=True)
    last = 0
    while not ingester.stopping.wait(10):
        stats = ingester.stats
        if stats.stored != last:
            print(
                f"ingest: {stats.stored} stored, {stats.duplicates} duplicates, "
                f"{stats.quarantined} quarantined",
                flush=True,
            )
            last = stats.stored
