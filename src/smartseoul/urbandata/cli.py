"""``smartseoul ingest`` and
``smartseoul sensors import|simulate|evaluate|rollup|prune|archive``."""

from __future__ import annotations

import argparse
import os
import socket
import sys
from collections.abc import Sequence
from pathlib import Path


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartseoul.settings")
    import django

    django.setup()


def ingest_main(argv: Sequence[str]) -> int:
    _setup()
    from django.conf import settings

    from smartseoul.urbandata.ingester import ingest_main as run

    parser = argparse.ArgumentParser(
        prog="smartseoul ingest",
        description="Store sensor reports from MQTT (run as many as you like).",
    )
    parser.add_argument("--host", default=settings.SENSORS_MQTT_HOST)
    parser.add_argument("--port", type=int, default=settings.SENSORS_MQTT_PORT)
    parser.add_argument("--topic-prefix", default=settings.SENSORS_TOPIC_PREFIX)
    parser.add_argument(
        "--client-id",
        default=f"smartseoul-ingest-{socket.gethostname()}",
        help="fixed per ingester: the broker keeps unacknowledged messages for this id",
    )
    parser.add_argument("--group", default="smartseoul-ingest", help="shared subscription group")
    parser.add_argument(
        "--batch-size", type=int, default=20_000, help="most reports per transaction"
    )
    parser.add_argument("--batch-ms", type=int, default=1000, help="longest wait to fill a batch")
    parser.add_argument(
        "--no-alerts",
        action="store_true",
        help="do not evaluate alert rules here (another ingester or a cron job does)",
    )
    parser.add_argument(
        "--no-rollup",
        action="store_true",
        help="do not roll up closed sensor hours here (another ingester or the worker does)",
    )
    args = parser.parse_args(argv)
    return run(
        host=args.host,
        port=args.port,
        topic_prefix=args.topic_prefix,
        client_id=args.client_id,
        group=args.group,
        batch_size=args.batch_size,
        batch_ms=args.batch_ms,
        evaluate_alerts=not args.no_alerts,
        roll_up=not args.no_rollup,
    )


def sensors_main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="smartseoul sensors", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    imp = sub.add_parser("import", help="register sensors from a CSV file (docs/sensors.md)")
    imp.add_argument("csv", type=Path)
    sim = sub.add_parser("simulate", help="publish simulated reports over MQTT")
    sim.add_argument("--sensors", type=int, default=100)
    sim.add_argument("--interval", type=float, default=120.0, help="seconds between rounds")
    sim.add_argument("--rounds", type=int, default=None, help="stop after this many rounds")
    sim.add_argument("--batch", type=int, default=100, help="reports per MQTT message")
    sim.add_argument("--register", action="store_true", help="register the sensors first")
    sub.add_parser("evaluate", help="evaluate the alert rules now")
    sub.add_parser("rollup", help="roll up the sensor hours that have closed")
    sub.add_parser("prune", help="delete raw reports older than the retention window")
    arc = sub.add_parser("archive", help="write a Seoul day's raw reports to Parquet")
    arc.add_argument("--day", help="YYYY-MM-DD (Seoul); default yesterday")
    args = parser.parse_args(argv)
    _setup()
    from django.conf import settings

    if args.command == "import":
        from django.core.exceptions import ValidationError

        from smartseoul.urbandata.actions import sensors_import_csv

        try:
            result = sensors_import_csv(actor=None, text=args.csv.read_text(encoding="utf-8"))
        except ValidationError as exc:
            print(" ".join(exc.messages), file=sys.stderr)
            return 1
        for error in result.errors:
            print(error, file=sys.stderr)
        if result.errors:
            print("nothing imported", file=sys.stderr)
            return 1
        print(f"{result.created} sensors registered, {result.updated} updated")
        return 0
    if args.command == "simulate":
        from smartseoul.urbandata.simulate import simulate_publish, simulate_register

        if args.register:
            simulate_register(args.sensors)
        sent = simulate_publish(
            host=settings.SENSORS_MQTT_HOST,
            port=settings.SENSORS_MQTT_PORT,
            topic_prefix=settings.SENSORS_TOPIC_PREFIX,
            sensors=args.sensors,
            interval=args.interval,
            batch=args.batch,
            rounds=args.rounds,
        )
        print(f"{sent} reports published")
        return 0
    if args.command == "evaluate":
        from smartseoul.urbandata.alerting import alerts_evaluate

        changes = alerts_evaluate()
        print(f"{changes.opened} alerts opened, {changes.resolved} resolved")
        return 0
    if args.command == "rollup":
        from smartseoul.urbandata.rollups import sensor_hours_roll_up

        print(f"{sensor_hours_roll_up()} sensor hours rolled up")
        return 0
    if args.command == "prune":
        from smartseoul.urbandata.maintenance import reports_prune

        print(f"{reports_prune()} raw reports deleted")
        return 0
    from smartseoul.urbandata.maintenance import reports_archive

    path, rows = reports_archive(day=args.day)
    print(f"{rows} reports written to {path}")
    return 0
