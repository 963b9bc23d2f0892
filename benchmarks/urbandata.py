"""Sensor ingestion and queries.  `uv run python -m benchmarks.urbandata`

Needs PostgreSQL (``--database-url``/``DATABASE_URL``; a fresh database beside it is created
and dropped) and Mosquitto (``SMARTSEOUL_MQTT_HOST``/``_PORT``, default 127.0.0.1:1883).
Prints JSON:

- ``ingest``: ``--ingesters`` real ``smartseoul ingest --no-alerts`` processes on one shared
  subscription; this process publishes ``--reports`` simulated reports (all 10 S-DoT
  quantities each) from ``--sensors`` sensors as batch messages of ``--batch`` reports, QoS 1,
  as fast as the broker takes them.  ``reports_per_s`` is reports stored (durably, with their
  area roll-ups) per second from the first publish to the last commit; ``backlog_s`` is how
  long after the last publish the last report was stored — area roll-ups commit with their
  reports and a sensor's series reads its hours not yet rolled up from its raw reports, so
  it is also how stale the roll-ups were at worst.  The ingesters run with ``--no-rollup``
  (the reports are two days old, so their hours are long closed: a running ingester would
  roll them up at an arbitrary moment of the run); instead, once everything is stored, this
  process rolls those hours up as an ingester would when they close, and that work's CPU
  (``cpu_s.rollup``, its PostgreSQL backend) is counted in the CPU per report.  With
  ``--rollup-backlog N`` (benchmarks/urbandata_rollup.py) N raw reports are first stored in
  closed hours and rolled up during the run as an ingester's housekeeping does, while the
  published reports belong to the open hour: ``backlog_s`` then says whether storage stays
  current while an hour is being rolled up.
- ``queries``: a week of roll-ups for ``--week-sensors`` sensors (generated with bulk SQL,
  see ``_week``) and the latency of: every district's hourly PM10 averages over 7 days,
  one sensor's 30-day hourly series, and the dashboard page rendered by Django.  Queries
  read roll-ups only, never raw reports, so the raw week is not generated: its size does not
  enter these queries' plans (the roll-up table does, and it is full size).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

QUANTITIES_PER_REPORT = 11  # 10 measured + the derived apparent temperature


def _setup_django(url: str, var: Path) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("SMARTSEOUL_ENV", "development")
    os.environ["SMARTSEOUL_VAR_DIR"] = str(var)
    os.environ["SMARTSEOUL_LOG_LEVEL"] = "warning"
    os.environ["DJANGO_SETTINGS_MODULE"] = "smartseoul.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _register(count: int) -> list[Any]:
    """Sensors in bulk (a benchmark's setup, not the audited registry path)."""
    from smartseoul.urbandata.actions import sensor_model_save
    from smartseoul.urbandata.demo import SDOT_QUANTITIES
    from smartseoul.urbandata.models import Sensor
    from smartseoul.urbandata.simulate import SimulatedCity

    model = sensor_model_save(
        actor=None, code="sdot-multi", name="S-DoT multi-function", quantities=SDOT_QUANTITIES
    )
    city = SimulatedCity(count, seed=11, prefix="DEMO")
    installed = datetime(2026, 1, 1, tzinfo=UTC)
    Sensor.objects.bulk_create(
        [
            Sensor(
                serial=s.serial,
                model=model,
                lat=s.lat,
                lon=s.lon,
                district_id=s.district,
                neighbourhood_id=s.neighbourhood,
                installed_at=installed,
            )
            for s in city.sensors
        ],
        batch_size=2000,
    )
    return city.sensors


# The broker settings docs/sensors.md asks for in production: Mosquitto's defaults let only
# 20 unacknowledged messages be in flight to a client (which caps an ingester's batch) and
# queue at most 1,000 per client (beyond that it drops QoS 1 messages it has acknowledged).
BROKER_CONFIG = """\
listener {port} 127.0.0.1
allow_anonymous true
persistence true
persistence_location {dir}/
max_inflight_messages 0
max_queued_messages 0
"""


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used (Linux /proc), 0 if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _start_broker(workdir: Path) -> tuple[subprocess.Popen[bytes], int]:
    """A Mosquitto of our own, configured as documented (the shared one keeps its defaults)."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    conf = workdir / "mosquitto.conf"
    conf.write_text(BROKER_CONFIG.format(port=port, dir=workdir))
    broker = subprocess.Popen(
        ["mosquitto", "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return broker, port
        except OSError:
            time.sleep(0.1)
    broker.kill()
    raise SystemExit("mosquitto did not start")


def bench_ingest(
    url: str,
    var: Path,
    *,
    sensors: int,
    reports: int,
    batch: int,
    ingesters: int,
    mqtt_host: str,
    mqtt_port: int,
    broker_pid: int | None = None,
    rate: int = 0,
    rollup_backlog: int = 0,
) -> dict[str, Any]:
    import random

    import paho.mqtt.client as mqtt
    from django.db import connection

    from benchmarks import urbandata_rollup
    from smartseoul.urbandata.simulate import SimulatedCity, report_json

    city = SimulatedCity(sensors, seed=11, prefix="DEMO")
    prefix = f"bench-{uuid.uuid4().hex[:8]}"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
        "DATABASE_URL": url,
        "SMARTSEOUL_SENSORS_TOPIC_PREFIX": prefix,
        "SMARTSEOUL_MQTT_HOST": mqtt_host,
        "SMARTSEOUL_MQTT_PORT": str(mqtt_port),
        "SMARTSEOUL_LOG_LEVEL": "warning",
        "PYTHONUNBUFFERED": "1",
    }
    client_ids = [f"{prefix}-ingest-{n}" for n in range(ingesters)]
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "smartseoul.cli",
                "ingest",
                "--client-id",
                cid,
                "--no-alerts",
                "--no-rollup",
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for cid in client_ids
    ]
    for process in processes:
        while "subscribed" not in (process.stdout.readline() if process.stdout else "x"):
            if process.poll() is not None:
                raise SystemExit(
                    f"ingester died: {process.stdout.read() if process.stdout else ''}"
                )
    # Messages prepared first, so the publisher measures the pipeline, not JSON encoding.
    rng = random.Random(5)
    start = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(days=2)
    step = timedelta(minutes=2)
    backlog_first = None
    if rollup_backlog:
        # The published reports belong to the open hour (a second apart, as if every sensor
        # reported every second), and the roll-up works through the backlog meanwhile.
        now = datetime.now(UTC).replace(microsecond=0)
        start, step = now - timedelta(minutes=1), timedelta(seconds=1)
        sample = city.reports(now, rng)[0].values
        backlog_first = urbandata_rollup.store_backlog(rollup_backlog, sample, now)
    bodies = []
    rounds = -(-reports // sensors)
    for round_ in range(rounds):
        moment = start + step * round_
        chunk = city.reports(moment, rng)
        for offset in range(0, len(chunk), batch):
            bodies.append(
                json.dumps({"reports": [report_json(r) for r in chunk[offset : offset + batch]]})
            )
    total = rounds * sensors
    publisher = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    publisher.max_inflight_messages_set(1000)
    publisher.max_queued_messages_set(0)
    publisher.connect(mqtt_host, mqtt_port)
    publisher.loop_start()

    def stored() -> int:
        """Reports stored by this run (a roll-up backlog, stored before, is not counted)."""
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM urbandata_report")
            return int(cursor.fetchone()[0]) - baseline

    baseline = 0
    baseline = stored()

    # CPU time is measured as well as the rate: this machine is shared, and the rate moves
    # with other people's load while the CPU each report costs mostly does not.
    cpu_before = {p.pid: _cpu_seconds(p.pid) for p in processes}
    broker_before = _cpu_seconds(broker_pid) if broker_pid else 0.0
    housekeeping = urbandata_rollup.Housekeeping(_cpu_seconds) if rollup_backlog else None
    if housekeeping is not None:
        housekeeping.start()
    began = time.perf_counter()
    infos = []
    for number, body in enumerate(bodies):
        if rate:  # paced: message n leaves at n * batch / rate seconds
            pause = began + number * batch / rate - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
        infos.append(publisher.publish(f"{prefix}/gateways/bench", body, qos=1))
    for info in infos:
        info.wait_for_publish(timeout=600)
    published = time.perf_counter()
    samples = []
    while (count := stored()) < total:
        samples.append((round(time.perf_counter() - began, 2), count))
        if time.perf_counter() - published > 600:
            break
        time.sleep(0.25)
    done = time.perf_counter()
    concurrent: dict[str, Any] = {}
    if housekeeping is not None and backlog_first is not None:
        housekeeping.stopping.set()
        housekeeping.join()
        concurrent = {
            "rollup_backlog_reports": rollup_backlog,
            "rollup_runs_s": housekeeping.runs,
            "rollup_cpu_s": round(housekeeping.cpu_s, 1),
            **urbandata_rollup.rolled_count(backlog_first),
        }
    ingest_cpu = sum(_cpu_seconds(pid) - before for pid, before in cpu_before.items())
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        database_cpu = sum(_cpu_seconds(pid) for (pid,) in cursor.fetchall())
    broker_cpu = _cpu_seconds(broker_pid) - broker_before if broker_pid else None
    publisher.loop_stop()
    publisher.disconnect()
    for process in processes:
        process.terminate()
    outputs = [p.communicate(timeout=60)[0] for p in processes]
    # The sensor hours, rolled up once each as when they close (see the module docstring).
    from smartseoul.urbandata.rollups import sensor_hours_roll_up

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = int(cursor.fetchone()[0])
    rollup_before = _cpu_seconds(backend)
    rollup_began = time.perf_counter()
    # With a backlog, the run measured ingestion beside the roll-up: no roll-up afterwards.
    hours_rolled = 0 if rollup_backlog else sensor_hours_roll_up()
    rollup_s = time.perf_counter() - rollup_began
    rollup_cpu = _cpu_seconds(backend) - rollup_before
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT SUM(count) FROM urbandata_rollup"
            " WHERE scope = 'd' AND granularity = 'h' AND quantity = 'pm10'"
        )
        rolled = int(cursor.fetchone()[0] or 0)
        cursor.execute(
            "SELECT SUM(count) FROM urbandata_rollup"
            " WHERE scope = 's' AND granularity = 'h' AND quantity = 'pm10'"
        )
        sensor_rolled = int(cursor.fetchone()[0] or 0)
    cpu = ingest_cpu + database_cpu + rollup_cpu + (broker_cpu or 0)
    for cid in client_ids:  # tidy the broker's persistent sessions
        tidy = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=cid, protocol=mqtt.MQTTv5)
        tidy.connect(mqtt_host, mqtt_port, clean_start=True)
        tidy.disconnect()
    return {
        "ingesters": ingesters,
        "sensors": sensors,
        "reports": total,
        "measurements": total * QUANTITIES_PER_REPORT,
        "messages": len(bodies),
        "reports_per_message": batch,
        "publish_rate": rate or "unpaced",
        "stored": count,
        "pm10_in_district_rollups": rolled,
        "pm10_in_sensor_hour_rollups": sensor_rolled,
        "sensor_hours_rolled_up": hours_rolled,
        "rollup_s": round(rollup_s, 2),
        "seconds": round(done - began, 2),
        "reports_per_s": round(count / (done - began)),
        "measurements_per_s": round(count * QUANTITIES_PER_REPORT / (done - began)),
        "publish_s": round(published - began, 2),
        "backlog_s": round(done - published, 2),
        "cpu_s": {
            "ingesters": round(ingest_cpu, 1),
            "postgresql": round(database_cpu, 1),
            "rollup": round(rollup_cpu, 1),
            "broker": None if broker_cpu is None else round(broker_cpu, 1),
        },
        "cpu_ms_per_1000_reports": round(1e6 * cpu / max(count, 1)),
        # What two idle cores could do at that cost (the publisher's own CPU left out).
        "reports_per_s_on_2_idle_cores_estimate": round(2 * count / max(cpu, 1e-9)),
        "ingester_exit": [o.strip().splitlines()[-1] if o.strip() else "" for o in outputs],
        **concurrent,
    }


def _week(sensor_count: int, days: int) -> dict[str, Any]:
    """A week of hourly and daily roll-ups per sensor, neighbourhood and district, in bulk SQL.

    Sensor scope: every sensor × every hour × the 11 quantities, as ingestion would leave it
    (720 reports an hour make count=30 per sensor-hour); areas get the matching sums.  One
    sensor also gets 30 days, for the 30-day series query, whose last hour is read from that
    sensor's raw reports as for an hour not rolled up yet.
    """
    from django.db import connection

    end = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    start = end - timedelta(days=days)
    quantities = [
        "pm10", "pm25", "temperature", "humidity", "noise", "wind_speed",
        "wind_direction", "illuminance", "uv_index", "floating_population",
        "apparent_temperature",
    ]  # fmt: skip
    began = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT MIN(id) FROM urbandata_sensor")
        first_id = int(cursor.fetchone()[0])
        cursor.execute(
            """
            INSERT INTO urbandata_rollup
                (scope, granularity, quantity, key, bucket, count, total, minimum, maximum,
                 updated_at)
            SELECT 's', 'h', q, s.id::text, h, 30, 30 * v, v - 5, v + 5, now()
            FROM urbandata_sensor s
            CROSS JOIN unnest(%s::text[]) AS q
            CROSS JOIN generate_series(%s::timestamptz, %s::timestamptz - interval '1 hour',
                                       interval '1 hour') AS h
            CROSS JOIN LATERAL (SELECT 20 + 15 * sin(extract(epoch FROM h) / 13751.0
                                + s.id) AS v) AS value
            WHERE s.id < %s
            """,
            [quantities, start, end, first_id + sensor_count],
        )
        cursor.execute(
            """
            INSERT INTO urbandata_rollup
                (scope, granularity, quantity, key, bucket, count, total, minimum, maximum,
                 updated_at)
            SELECT 's', 'h', 'pm10', %s, h, 30, 600, 15, 25, now()
            FROM generate_series(%s::timestamptz, %s::timestamptz - interval '1 hour',
                                 interval '1 hour') AS h
            ON CONFLICT DO NOTHING
            """,
            [str(first_id), end - timedelta(days=30), end],
        )
        for scope, column in (("d", "district_id"), ("n", "neighbourhood_id")):
            cursor.execute(
                f"""
                INSERT INTO urbandata_rollup
                    (scope, granularity, quantity, key, bucket, count, total, minimum,
                     maximum, updated_at)
                SELECT '{scope}', 'h', r.quantity, s.{column}, r.bucket, SUM(r.count),
                       SUM(r.total), MIN(r.minimum), MAX(r.maximum), now()
                FROM urbandata_rollup r JOIN urbandata_sensor s ON s.id::text = r.key
                WHERE r.scope = 's' AND r.granularity = 'h' AND s.{column} IS NOT NULL
                  AND r.bucket >= %s
                GROUP BY r.quantity, s.{column}, r.bucket
                """,  # noqa: S608 - fixed column names
                [start],
            )
        cursor.execute(
            """
            INSERT INTO urbandata_rollup
                (scope, granularity, quantity, key, bucket, count, total, minimum, maximum,
                 updated_at)
            SELECT scope, 'd', quantity, key,
                   date_trunc('day', bucket AT TIME ZONE 'Asia/Seoul') AT TIME ZONE 'Asia/Seoul',
                   SUM(count), SUM(total), MIN(minimum), MAX(maximum), now()
            FROM urbandata_rollup WHERE granularity = 'h' AND bucket >= %s
            GROUP BY 1, 2, 3, 4, 5
            """,
            [start],
        )
        # Every hour but the last rolled up (as ingestion leaves it: the open hour is not),
        # and the first sensor's last hour as 30 raw reports, which its series reads.
        cursor.execute(
            "INSERT INTO urbandata_rollupstate (id, closed_before, rolled_before, updated_at)"
            " VALUES (1, %s, %s, now()) ON CONFLICT (id) DO UPDATE"
            " SET closed_before = EXCLUDED.closed_before, rolled_before = EXCLUDED.rolled_before",
            [end - timedelta(hours=1), end - timedelta(hours=1)],
        )
        cursor.execute(
            """
            INSERT INTO urbandata_report (sensor_id, measured_at, received_at, raw, "values",
                                          flags)
            SELECT %s, m, m, '{"pm10": 20}', '{"pm10": 20}', '{}'
            FROM generate_series(%s::timestamptz, %s::timestamptz - interval '2 minutes',
                                 interval '2 minutes') AS m
            ON CONFLICT DO NOTHING
            """,
            [first_id, end - timedelta(hours=1), end],
        )
        cursor.execute("ANALYZE urbandata_rollup")
        cursor.execute("SELECT COUNT(*) FROM urbandata_rollup")
        rows = int(cursor.fetchone()[0])
    return {
        "sensors": sensor_count,
        "days": days,
        "reports_represented": sensor_count * days * 720,
        "rollup_rows": rows,
        "generate_s": round(time.perf_counter() - began, 1),
        "start": start,
        "end": end,
        "first_sensor": first_id,
    }


def _timed(function: Any, repeat: int) -> dict[str, float]:
    function()  # warm the cache and the connection once
    timings = []
    for _ in range(repeat):
        began = time.perf_counter()
        function()
        timings.append((time.perf_counter() - began) * 1000)
    timings.sort()
    return {
        "p50_ms": round(statistics.median(timings), 2),
        "p95_ms": round(timings[max(0, -(-len(timings) * 95 // 100) - 1)], 2),
        "max_ms": round(timings[-1], 2),
    }


def bench_queries(sensor_count: int, days: int, repeat: int) -> dict[str, Any]:
    from django.test import Client

    from smartseoul.urbandata import queries
    from smartseoul.urbandata.models import Sensor

    week = _week(sensor_count, days)
    end, start = week.pop("end"), week.pop("start")
    serial = Sensor.objects.get(pk=week.pop("first_sensor")).serial
    client = Client()

    def city_week() -> None:
        found = queries.district_series(
            quantity="pm10", interval="hour", agg="avg", start=start, end=end
        )
        assert len(found) == 25, len(found)

    def sensor_month() -> None:
        sensor = queries.sensor_by_serial(serial)
        assert sensor is not None
        points = queries.series(
            scope="s",
            key=str(sensor.pk),
            quantity="pm10",
            interval="hour",
            agg="avg",
            start=end - timedelta(days=30),
            end=end,
        )
        assert len(points) == 720, len(points)

    def city_week_api() -> None:
        answer = client.get(
            "/api/sensors/districts/series",
            {"quantity": "pm10", "start": start.isoformat(), "end": end.isoformat()},
        )
        assert answer.status_code == 200, answer.content[:300]

    def dashboard_html() -> None:
        assert client.get("/city/").status_code == 200

    return {
        "week": week,
        "dashboard_first_paint": _first_paint(repeat=5),
        "district_hourly_7d_query": _timed(city_week, repeat),
        "district_hourly_7d_api": _timed(city_week_api, repeat),
        "sensor_hourly_30d_query": _timed(sensor_month, repeat),
        "dashboard_html": _timed(dashboard_html, repeat),
    }


def _first_paint(*, repeat: int) -> dict[str, Any]:
    """`smartseoul serve` on the benchmark database; Chromium (phone viewport, cold cache
    each time) opens /city/ and reports first-contentful-paint and when the live stream
    delivered its first snapshot (the map and table current)."""
    import socket
    import urllib.request

    from playwright.sync_api import sync_playwright

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    server = subprocess.Popen(
        [sys.executable, "-m", "smartseoul.cli", "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/city/"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(url, timeout=5).read()
                break
            except OSError:
                time.sleep(0.5)
        paints, lives = [], []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=os.environ.get("SMARTSEOUL_CHROMIUM", "/usr/bin/chromium"),
                args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
            )
            for _ in range(repeat):
                # bypass_csp: Playwright evaluates its probes as strings, which our CSP forbids.
                context = browser.new_context(
                    viewport={"width": 390, "height": 844}, bypass_csp=True
                )
                page = context.new_page()
                page.route("**/tile.openstreetmap.org/**", lambda route: route.abort())
                began = time.perf_counter()
                page.goto(url, wait_until="commit")
                page.wait_for_function(
                    "performance.getEntriesByName('first-contentful-paint').length > 0"
                )
                paint = page.evaluate(
                    "performance.getEntriesByName('first-contentful-paint')[0].startTime"
                )
                page.locator("#live-status.is-live").wait_for(timeout=30_000)
                lives.append((time.perf_counter() - began) * 1000)
                paints.append(paint)
                context.close()
            browser.close()
    finally:
        server.terminate()
        server.wait(30)
    return {
        "first_contentful_paint_ms_p50": round(statistics.median(paints), 1),
        "first_contentful_paint_ms_max": round(max(paints), 1),
        "live_snapshot_ms_p50": round(statistics.median(lives), 1),
        "runs": repeat,
        "note": "map tiles blocked (no internet here); district shapes and data are local",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--sensors", type=int, default=5000)
    parser.add_argument("--reports", type=int, default=200_000)
    parser.add_argument("--batch", type=int, default=100, help="reports per MQTT message")
    parser.add_argument("--ingesters", type=int, default=2)
    parser.add_argument(
        "--rate",
        type=int,
        default=0,
        help="publish at this many reports/s (0: as fast as the broker takes them); "
        "backlog_s is then how far storage and roll-ups trail a steady stream",
    )
    parser.add_argument(
        "--rollup-backlog",
        type=int,
        default=0,
        help="first store this many raw reports in closed hours, then roll them up as an "
        "ingester's housekeeping does while publishing (benchmarks/urbandata_rollup.py)",
    )
    parser.add_argument("--week-sensors", type=int, default=5000)
    parser.add_argument("--week-days", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--skip-ingest", action="store_true")
    parser.add_argument(
        "--shared-broker",
        action="store_true",
        help="use the broker at SMARTSEOUL_MQTT_HOST/PORT as it is configured, instead of a "
        "Mosquitto of our own with the settings docs/sensors.md asks for",
    )
    parser.add_argument("--skip-queries", action="store_true")
    args = parser.parse_args()
    if not (args.database_url or "").startswith("postgres"):
        raise SystemExit(
            "Give a PostgreSQL --database-url (or DATABASE_URL): the goal is stated for it."
        )
    import psycopg

    with tempfile.TemporaryDirectory() as workdir:
        base = args.database_url.rpartition("/")[0]
        name = f"smartseoul_bench_urbandata_{os.getpid()}"
        url = f"{base}/{name}"
        with psycopg.connect(f"{base}/postgres", autocommit=True) as db:
            db.execute(f'CREATE DATABASE "{name}"')
        try:
            _setup_django(url, Path(workdir) / "var")
            _register(max(args.sensors, args.week_sensors))
            result: dict[str, Any] = {"database": "postgresql", "cpus": os.cpu_count()}
            result["load_before"] = os.getloadavg()
            if not args.skip_ingest:
                broker = None
                if args.shared_broker:
                    host = os.environ.get("SMARTSEOUL_MQTT_HOST", "127.0.0.1")
                    port = int(os.environ.get("SMARTSEOUL_MQTT_PORT", "1883"))
                else:
                    host, (broker, port) = "127.0.0.1", _start_broker(Path(workdir))
                try:
                    result["ingest"] = bench_ingest(
                        url,
                        Path(workdir),
                        sensors=args.sensors,
                        reports=args.reports,
                        batch=args.batch,
                        ingesters=args.ingesters,
                        mqtt_host=host,
                        mqtt_port=port,
                        broker_pid=broker.pid if broker else None,
                        rate=args.rate,
                        rollup_backlog=args.rollup_backlog,
                    )
                finally:
                    if broker is not None:
                        broker.terminate()
                        broker.wait(30)
                result["ingest"]["broker"] = "shared" if args.shared_broker else "own (documented)"
                result["load_after_ingest"] = os.getloadavg()
            if not args.skip_queries:
                from django.db import connection

                with connection.cursor() as cursor:
                    cursor.execute("TRUNCATE urbandata_rollup")
                result["queries"] = bench_queries(args.week_sensors, args.week_days, args.repeat)
            result["load_after"] = os.getloadavg()
            print(json.dumps(result, indent=2, default=str))
        finally:
            from django.db import connections

            connections.close_all()
            with psycopg.connect(f"{base}/postgres", autocommit=True) as db:
                db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
