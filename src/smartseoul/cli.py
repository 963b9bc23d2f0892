"""The ``smartseoul`` command: demo, serve, worker, check and manage (any Django command)."""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

DEFAULT_PORT = 8000


def _django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartseoul.settings")
    import django

    django.setup()


def _manage(*args: str) -> None:
    from django.core.management import call_command

    call_command(*args)


# --- demo -----------------------------------------------------------------------------------
def cmd_demo(args: argparse.Namespace) -> int:
    os.environ.setdefault("SMARTSEOUL_ENV", "demo")
    var_dir = Path(os.environ.get("SMARTSEOUL_VAR_DIR", Path.cwd() / "var")).resolve()
    os.environ["SMARTSEOUL_VAR_DIR"] = str(var_dir)
    if args.reset:
        if os.environ.get("DATABASE_URL", "sqlite").startswith("postgres"):
            print(
                "--reset only removes the embedded SQLite demo; unset DATABASE_URL.",
                file=sys.stderr,
            )
            return 2
        shutil.rmtree(var_dir, ignore_errors=True)
        print(f"Removed {var_dir}")
    (var_dir / "media").mkdir(parents=True, exist_ok=True)
    if args.host in ("0.0.0.0", "::"):  # noqa: S104
        # Listening on every interface means "let me open it from my phone": any host name.
        os.environ["ALLOWED_HOSTS"] = "*"
    elif args.host not in ("127.0.0.1", "localhost"):
        os.environ["ALLOWED_HOSTS"] = f"127.0.0.1,localhost,[::1],{args.host}"
    _django_setup()
    if args.totp:
        from smartseoul.web.demo import demo_totp_code

        print(demo_totp_code(args.totp))
        return 0
    _manage("migrate", "--no-input", "--verbosity", "0")
    from smartseoul.web.demo import demo_load

    logins = demo_load()
    url = f"http://{'127.0.0.1' if args.host in ('0.0.0.0', '::') else args.host}:{args.port}"  # noqa: S104
    print(_demo_banner(url, logins, var_dir), flush=True)
    from smartseoul.ledger.cli import demo_witness_start

    witness = demo_witness_start(var_dir)  # a local ledger witness, so cosignatures show
    worker = None
    if not args.no_worker:
        # Background tasks (e-mails, roll-ups …) run in a worker beside the web server.
        worker = subprocess.Popen([sys.executable, "-m", "smartseoul.cli", "worker"])
    try:
        return _gunicorn(bind=f"{args.host}:{args.port}", workers=1, threads=8)
    finally:
        for child in (worker, witness):
            if child is not None:
                child.send_signal(signal.SIGTERM)
                child.wait(timeout=10)


def _demo_banner(url: str, logins: list[dict[str, str]], var_dir: Path) -> str:
    lines = [
        "",
        "Smart Seoul demo",
        f"  data:      {var_dir}",
        f"  open:      {url}",
        f"  API docs:  {url}/api/docs",
        "",
        "Demo logins:",
    ]
    for login in logins:
        lines.append(f"  {login['role']:<24} {login['email']}")
        if login.get("totp_secret"):
            lines.append(f"  {'':<24} TOTP secret {login['totp_secret']}")
    lines += [
        f"  password: {logins[0]['password'] if logins else ''}",
        "",
        "Officials and the administrator must enter a TOTP code: add the secret to an",
        "authenticator app, or print the current code with",
        "  uv run smartseoul demo --totp EMAIL",
        "E-mails (sign-up verification, password reset) are printed in this terminal.",
        "",
    ]
    return "\n".join(lines)


# --- serve ----------------------------------------------------------------------------------
def cmd_serve(args: argparse.Namespace) -> int:
    return _gunicorn(bind=f"{args.host}:{args.port}", workers=args.workers, threads=args.threads)


def _gunicorn(*, bind: str, workers: int, threads: int) -> int:
    from gunicorn.app.base import BaseApplication

    metrics_dir = None
    if workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # Each worker counts on its own; prometheus-client adds them up through this folder.
        metrics_dir = tempfile.mkdtemp(prefix="smartseoul-metrics-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir

    def child_exit(server: Any, worker: Any) -> None:
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            from prometheus_client import multiprocess

            multiprocess.mark_process_dead(worker.pid)

    class Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            options = {
                "bind": bind,
                "workers": workers,
                "threads": threads,
                "worker_class": "gthread",
                "accesslog": None,  # our middleware logs every request, structured
                "timeout": 60,
                "graceful_timeout": 20,
                "child_exit": child_exit,
                "forwarded_allow_ips": os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
            }
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartseoul.settings")
            from smartseoul.wsgi import application

            return application

    try:
        Server().run()
    finally:
        if metrics_dir:
            shutil.rmtree(metrics_dir, ignore_errors=True)
    return 0


# --- worker, check, manage ------------------------------------------------------------------
def cmd_worker(args: argparse.Namespace, rest: Sequence[str]) -> int:
    _django_setup()

    from smartseoul.ledger.publisher import start_thread
    from smartseoul.web import periodic

    start_thread()  # ledger checkpoints, at least once a second while entries arrive
    periodic.start_thread()  # escalations, dataset refreshes, sensor archives (web/periodic.py)
    return run_db_worker(rest)


def run_db_worker(rest: Sequence[str], *, pause: float = 1.0) -> int:
    """db_worker, started again when SQLite stays locked past its busy timeout.

    The worker claims tasks in an EXCLUSIVE transaction, and begins it outside its own retry:
    while the demo loads a large dataset (or the machine is very busy) the BEGIN can wait
    longer than the 20 s timeout and the worker would die, leaving every task unrun.
    """
    from django.core.management import call_command
    from django.db import OperationalError, close_old_connections

    while True:
        try:
            call_command("db_worker", *rest)
            return 0
        except OperationalError as exc:
            if "locked" not in str(exc).lower():
                raise
            print(f"worker: the database is busy ({exc}); starting again", file=sys.stderr)
            close_old_connections()
            time.sleep(pause)


def cmd_check(args: argparse.Namespace) -> int:
    _django_setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    call_command("check", *(["--deploy"] if settings.IS_PRODUCTION else []))
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    print(f"database: ok ({connection.vendor})")
    from django.db.migrations.executor import MigrationExecutor

    pending = MigrationExecutor(connection).migration_plan(
        MigrationExecutor(connection).loader.graph.leaf_nodes()
    )
    if pending:
        print(
            f"migrations: {len(pending)} pending — run `smartseoul manage migrate`", file=sys.stderr
        )
        return 1
    print("migrations: up to date")
    return 0


def cmd_witness(args: argparse.Namespace, rest: Sequence[str]) -> int:
    from smartseoul.ledger.cli import witness_main

    return witness_main(rest)


def cmd_ledger(args: argparse.Namespace, rest: Sequence[str]) -> int:
    from smartseoul.ledger.cli import ledger_main

    return ledger_main(rest)


def cmd_trustee(args: argparse.Namespace, rest: Sequence[str]) -> int:
    from smartseoul.voting.trustee_cli import main as trustee_main

    return trustee_main(rest)


def cmd_verify_election(args: argparse.Namespace, rest: Sequence[str]) -> int:
    from smartseoul.voting.verify_record import main as verify_main

    return verify_main(rest)


def cmd_budget(args: argparse.Namespace, rest: Sequence[str]) -> int:
    from smartseoul.budgeting.cli import main as budget_main

    return budget_main(rest)


def cmd_ingest(args: argparse.Namespace, rest: Sequence[str]) -> int:
    from smartseoul.urbandata.cli import ingest_main

    return ingest_main(rest)


def cmd_sensors(args: argparse.Namespace, rest: Sequence[str]) -> int:
    from smartseoul.urbandata.cli import sensors_main

    return sensors_main(rest)


def cmd_manage(args: argparse.Namespace, rest: Sequence[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartseoul.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["smartseoul manage", *rest])
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="smartseoul", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="serve the whole platform with demo data on SQLite")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=DEFAULT_PORT)
    demo.add_argument("--reset", action="store_true", help="delete ./var/ and start over")
    demo.add_argument("--no-worker", action="store_true", help="do not start a background worker")
    demo.add_argument("--totp", metavar="EMAIL", help="print a demo account's current TOTP code")

    serve = sub.add_parser("serve", help="production web server (gunicorn)")
    serve.add_argument("--host", default=os.environ.get("SMARTSEOUL_HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, default=int(os.environ.get("PORT", DEFAULT_PORT)))
    serve.add_argument(
        "--workers",
        type=int,
        default=int(os.environ.get("SMARTSEOUL_WORKERS", 2 * (os.cpu_count() or 1) + 1)),
    )
    serve.add_argument("--threads", type=int, default=int(os.environ.get("SMARTSEOUL_THREADS", 4)))

    sub.add_parser(
        "worker", help="run background tasks (extra options go to db_worker)", add_help=False
    )
    sub.add_parser("check", help="check configuration, database and migrations")
    sub.add_parser("manage", help="any Django management command", add_help=False)
    sub.add_parser(
        "witness", help="run an independent ledger witness (serve, keygen)", add_help=False
    )
    sub.add_parser("ledger", help="ledger tools: verify URL, publish, keygen", add_help=False)
    sub.add_parser(
        "trustee",
        help="a secret vote's trustee: init, deal, confirm, decrypt, status",
        add_help=False,
    )
    sub.add_parser(
        "verify-election", help="check an election record (RECORD [--url URL])", add_help=False
    )
    sub.add_parser(
        "budget", help="participatory budgeting: export ROUND DIR, simulate FILE", add_help=False
    )
    sub.add_parser(
        "ingest", help="store sensor reports from MQTT (docs/sensors.md)", add_help=False
    )
    sub.add_parser(
        "sensors", help="sensors: import, simulate, evaluate, prune, archive", add_help=False
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    # `manage` and `worker` hand everything after them to Django untouched; `witness` and
    # `ledger` parse their own arguments (smartseoul/ledger/cli.py), `trustee` and
    # `verify-election` theirs (smartseoul/voting/trustee_cli.py, verify_record.py).
    passthrough = {
        "manage": cmd_manage,
        "worker": cmd_worker,
        "witness": cmd_witness,
        "ledger": cmd_ledger,
        "trustee": cmd_trustee,
        "verify-election": cmd_verify_election,
        "budget": cmd_budget,
        "ingest": cmd_ingest,
        "sensors": cmd_sensors,
    }
    if argv and argv[0] in passthrough:
        return passthrough[argv[0]](argparse.Namespace(command=argv[0]), argv[1:])
    args = parser.parse_args(argv)
    handlers = {"demo": cmd_demo, "serve": cmd_serve, "check": cmd_check}
    return handlers[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
