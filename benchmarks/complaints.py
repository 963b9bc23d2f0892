"""Smart Complaint Report's speed goals.  `uv run python -m benchmarks.complaints`

Prints JSON:
- `map`: the public map API (``GET /api/complaints/map``) for viewports from street level to
  all of Seoul — pins up to 500, clusters beyond — over ``--reports`` reports;
- `queue`: an official's queue page (``GET /complaints/office/``, the whole HTML page with its
  overdue/due-soon counts) for the Mapo-gu office;
- `submit`: ``smartseoul serve --workers 2`` taking ``POST /api/complaints/reports`` with three
  photos each (≈ 200 kB JPEGs, 1600×1200) from 16 client threads; photo processing is left to
  the worker, as in production.

The reports are written straight into a fresh database with one ``INSERT … SELECT`` on
PostgreSQL (``--database-url``/``DATABASE_URL``; dropped afterwards) or bulk inserts on a
temporary SQLite file.  Their mix follows the service: ~1,600 a day over the last
``reports / 1600`` days, 2 % still open, spread over the 25 districts and 10 categories.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from benchmarks.ledger import _fresh_database

VIEWPORTS = {
    # (south, west, north, east)
    "street_600m": (37.5470, 126.9100, 37.5524, 126.9168),
    "neighbourhood_2km": (37.5400, 126.9000, 37.5580, 126.9230),
    "district_6km": (37.5300, 126.8800, 37.5840, 126.9480),
    "all_seoul": (37.4200, 126.7600, 37.7100, 127.1900),
}


def _env(url: str, workdir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SMARTSEOUL_", "DATABASE_URL"))}
    env.update(
        DATABASE_URL=url,
        SMARTSEOUL_ENV="development",
        SMARTSEOUL_DEBUG="0",
        SMARTSEOUL_VAR_DIR=str(workdir / "var"),
        SMARTSEOUL_LOG_LEVEL="warning",
        SMARTSEOUL_API_RATE_ANONYMOUS="1000000/m",
        DJANGO_SETTINGS_MODULE="smartseoul.settings",
    )
    return env


def _generate(count: int) -> float:
    """Write ``count`` reports; returns the seconds it took."""
    from django.db import connection

    from smartseoul.accounts.models import Department
    from smartseoul.complaints.models import Category, Report

    began = time.perf_counter()
    offices = dict(
        Department.objects.filter(kind="district_office").values_list("district_id", "pk")
    )
    districts = sorted(offices)
    categories = list(Category.objects.order_by("pk").values_list("pk", flat=True))
    days = max(1, count // 1600)
    if connection.vendor == "postgresql":
        sql = f"""
        INSERT INTO complaints_report (public_id, token, category_id, lat, lon, address,
            district_id, details, public_details, attributes, media_url, anonymous, contact,
            source, status, office_id, due_date, received_at, updated_at, closed_at)
        SELECT 'B' || lpad(g::text, 10, '0'), md5(g::text)::uuid,
            (%(categories)s::int[])[1 + g %% {len(categories)}],
            37.45 + random() * 0.23, 126.82 + random() * 0.33, '',
            (%(districts)s::text[])[1 + g %% {len(districts)}], 'bench', 'bench', '{{}}', '',
            true, '{{}}', 'web',
            CASE WHEN (g / 25) %% 50 = 0
                 THEN (ARRAY['received','assigned','in_progress'])[1 + g %% 3]
                 ELSE (ARRAY['answered','resolved','resolved','rejected'])[1 + g %% 4] END,
            (%(offices)s::int[])[1 + g %% {len(districts)}],
            (t + interval '10 days')::date, t, t + interval '2 days',
            CASE WHEN (g / 25) %% 50 = 0 THEN NULL ELSE t + interval '2 days' END
        FROM generate_series(1, %(count)s) AS g,
             LATERAL (SELECT now() - (g::float / %(count)s) * interval '{days} days' AS t) AS moment
        """  # noqa: S608 - only integers are formatted in
        with connection.cursor() as cursor:
            cursor.execute(
                sql,
                {
                    "categories": categories,
                    "districts": districts,
                    "offices": [offices[d] for d in districts],
                    "count": count,
                },
            )
            # As autovacuum would have by now: statistics, and the visibility map that lets
            # the queue's counts read the index alone.
            cursor.execute("VACUUM ANALYZE complaints_report")
    else:
        import datetime
        import random
        import uuid

        from django.utils import timezone

        rng = random.Random(6)
        now = timezone.now()
        batch: list[Report] = []
        for g in range(1, count + 1):
            moment = now - datetime.timedelta(days=days * g / count)
            is_open = (g // 25) % 50 == 0
            district = districts[g % len(districts)]
            batch.append(
                Report(
                    public_id=f"B{g:010d}", token=uuid.uuid4(),
                    category_id=categories[g % len(categories)],
                    lat=37.45 + rng.random() * 0.23, lon=126.82 + rng.random() * 0.33,
                    district_id=district, details="bench", public_details="bench",
                    anonymous=True,
                    status=("received", "assigned", "in_progress")[g % 3] if is_open
                    else ("answered", "resolved", "resolved", "rejected")[g % 4],
                    office_id=offices[district],
                    due_date=(moment + datetime.timedelta(days=10)).date(),
                    received_at=moment, updated_at=moment + datetime.timedelta(days=2),
                    closed_at=None if is_open else moment + datetime.timedelta(days=2),
                )
            )  # fmt: skip
            if len(batch) == 10_000:
                Report.objects.bulk_create(batch)
                batch = []
        Report.objects.bulk_create(batch)
    from smartseoul.complaints.mapcells import cells_rebuild

    cells_rebuild()  # the map's summary grid, as the actions would have kept it
    return time.perf_counter() - began


def _kept_database(url: str) -> tuple[str, Callable[[], None]]:
    import psycopg

    base, _, _ = url.rpartition("/")
    name = "smartseoul_bench_complaints"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as db:
        if not db.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            db.execute(f'CREATE DATABASE "{name}"')
    return f"{base}/{name}", lambda: None


def _summary_ms(timings: list[float]) -> dict[str, float]:
    ordered = sorted(timings)
    return {
        "calls": len(ordered),
        "mean_ms": round(statistics.fmean(ordered) * 1e3, 1),
        "p50_ms": round(ordered[len(ordered) // 2] * 1e3, 1),
        "p95_ms": round(ordered[int(len(ordered) * 0.95)] * 1e3, 1),
        "max_ms": round(ordered[-1] * 1e3, 1),
    }


def _timed(call: Callable[[], Any], repeat: int) -> tuple[dict[str, float], Any]:
    """Wall-clock summary, plus this process's CPU time per call: on a shared machine the
    wall time includes waiting for a core, the CPU time does not (it leaves out the
    database server's own work)."""
    call()  # warm-up: caches, query plans
    timings, answer = [], None
    cpu_began = time.process_time()
    for _ in range(repeat):
        began = time.perf_counter()
        answer = call()
        timings.append(time.perf_counter() - began)
    cpu_ms = (time.process_time() - cpu_began) / repeat * 1e3
    return {**_summary_ms(timings), "cpu_mean_ms": round(cpu_ms, 1)}, answer


def bench_map(repeat: int) -> dict[str, Any]:
    from django.test import Client

    client = Client()
    results: dict[str, Any] = {}
    for status in ("", "open"):
        for name, (south, west, north, east) in VIEWPORTS.items():
            url = f"/api/complaints/map?bbox={south},{west},{north},{east}&status={status}"

            def call(url: str = url) -> dict[str, Any]:
                response = client.get(url)
                assert response.status_code == 200, response.content
                return response.json()

            summary, answer = _timed(call, repeat)
            results[f"{name}{'_open' if status else '_all'}"] = {
                **summary,
                "pins": len(answer["pins"]),
                "clusters": len(answer["clusters"]),
                "reports_in_view": sum(c["count"] for c in answer["clusters"])
                or len(answer["pins"]),
            }
    return results


def bench_queue(repeat: int) -> dict[str, Any]:
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.test import Client

    from smartseoul.accounts.actions import official_create
    from smartseoul.accounts.models import Department
    from smartseoul.accounts.roles import Role
    from smartseoul.complaints.models import Report

    official = official_create(
        actor=None,
        email="bench@mapo.example.go.kr",
        password=None,
        name="벤치",
        department=Department.objects.get(code="gu-11440"),
        roles=[Role.DEPARTMENT_MANAGER],
    )
    TOTP.activate(official, generate_totp_secret())
    client = Client()
    client.force_login(official)
    results: dict[str, Any] = {
        "office_reports": Report.objects.filter(office__code="gu-11440").count(),
        "office_open_reports": Report.objects.filter(
            office__code="gu-11440", status__in=Report.OPEN_STATUSES
        ).count(),
    }
    for name, query in (("open", ""), ("all_statuses", "?status=all"), ("overdue", "?due=overdue")):

        def call(query: str = query) -> int:
            response = client.get(f"/complaints/office/{query}")
            assert response.status_code == 200, response.status_code
            return len(response.content)

        results[name], _ = _timed(call, repeat)
    return results


def _photo(seed: int) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1600, 1200), (seed * 37 % 255, 120, 90))
    draw = ImageDraw.Draw(image)
    for i in range(0, 1600, 40):
        draw.line([(i, 0), (1600 - i, 1200)], fill=(i % 255, seed % 255, 200), width=3)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


SUBMITTER = """
import sys, time
import django
django.setup()
from django.core.files.uploadedfile import SimpleUploadedFile
from smartseoul.complaints.actions import report_submit
from smartseoul.complaints.models import Category
photos = [open(path, "rb").read() for path in sys.argv[3:6]]
category = Category.objects.get(code="road-damage")
first, count = int(sys.argv[1]), int(sys.argv[2])
from smartseoul.places.lookup import index
index()  # built once per process at start-up, as the server does
began = time.perf_counter()
for n in range(first, first + count):
    report_submit(reporter=None, category=category, lat=37.5495 + (n % 100) * 1e-4,
        lon=126.9137 + (n // 100 % 100) * 1e-4, details=f"bench {n}",
        uploads=[SimpleUploadedFile(f"p{i}.jpg", photos[i], content_type="image/jpeg")
                 for i in range(3)])
print(time.perf_counter() - began)
"""


def bench_submit_actions(
    env: dict[str, str], workdir: Path, reports: int, processes: int = 2
) -> dict[str, Any]:
    """``report_submit`` with three photos from several processes, without HTTP."""
    paths = []
    for seed in range(3):
        path = workdir / f"photo{seed}.jpg"
        path.write_bytes(_photo(seed))
        paths.append(str(path))
    share = reports // processes
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", SUBMITTER, str(10_000 + p * share), str(share), *paths],
            env=env,
            cwd=workdir,
            stdout=subprocess.PIPE,
            text=True,
        )
        for p in range(processes)
    ]
    durations = []
    for worker in workers:
        out, _ = worker.communicate(timeout=1800)
        assert worker.returncode == 0
        durations.append(float(out.strip().splitlines()[-1]))
    # Timed inside the processes: start-up (Django, the place index) is left out.
    elapsed = max(durations)
    return {
        "processes": processes,
        "reports": share * processes,
        "reports_per_second": round(share * processes / elapsed, 1),
    }


def _redis(workdir: Path) -> tuple[str | None, Callable[[], None]]:
    """A private Redis for the server's shared cache (rate limits), as in production."""
    import shutil

    binary = shutil.which("redis-server")
    if binary is None:
        return None, lambda: None
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen(
        [binary, "--port", str(port), "--save", "", "--appendonly", "no"],
        cwd=workdir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    time.sleep(0.3)

    def stop() -> None:
        process.terminate()
        process.wait(timeout=10)

    return f"redis://127.0.0.1:{port}/0", stop


def _cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes so far (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / tick


def _group_pids(group: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[2]) == group:
                    pids.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return pids


def _backend_pids(url: str) -> list[int]:
    """The PostgreSQL server processes serving the benchmark's database (same machine)."""
    if not url.startswith("postgres"):
        return []
    import psycopg

    name = url.rpartition("/")[2]
    with psycopg.connect(url.rpartition("/")[0] + "/postgres", autocommit=True) as db:
        rows = db.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", [name]).fetchall()
    return [row[0] for row in rows]


def bench_submit(env: dict[str, str], workdir: Path, reports: int) -> dict[str, Any]:
    import httpx

    redis_url, stop_redis = _redis(workdir)
    env = {**env, **({"REDIS_URL": redis_url} if redis_url else {})}
    # Keep each server thread's connection for the whole run, so that the CPU time of the
    # database connections can be read (a reopened connection would take its count along).
    env["DATABASE_CONN_MAX_AGE"] = "3600"
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "smartseoul.cli", "serve", "--port", str(port),
         "--workers", "2", "--threads", "4"],
        env=env, cwd=workdir, stdout=subprocess.DEVNULL,
        stderr=(workdir / "server.log").open("w"), start_new_session=True,
    )  # fmt: skip
    photos = [_photo(seed) for seed in range(3)]
    url = f"http://127.0.0.1:{port}/api/complaints/reports"
    load_before = os.getloadavg()[0]
    try:
        for _ in range(300):
            try:
                httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        client = httpx.Client(timeout=60)

        def send(n: int) -> float:
            began = time.perf_counter()
            response = client.post(
                url,
                data={
                    "category": "road-damage",
                    "lat": str(37.5495 + (n % 100) * 1e-4),
                    "lon": str(126.9137 + (n // 100) * 1e-4),
                    "details": f"벤치마크 신고 {n}",
                },
                files=[("media", (f"p{i}.jpg", photos[i], "image/jpeg")) for i in range(3)],
            )
            assert response.status_code == 201, response.text
            return time.perf_counter() - began

        for n in range(4):  # warm-up: each worker loads the place index once
            send(n)
        with ThreadPoolExecutor(max_workers=16) as pool:  # every thread opens its connection
            list(pool.map(send, range(4, 40)))
        # CPU time per report, of the app server and of its database connections: on a
        # shared machine the rate depends on the neighbours' load, the CPU cost does not.
        server_pids = _group_pids(server.pid)
        database_before = {pid: _cpu_seconds([pid]) for pid in _backend_pids(env["DATABASE_URL"])}
        server_cpu = _cpu_seconds(server_pids)
        client_cpu = time.process_time()  # this process: the 16 client threads
        began = time.perf_counter()
        with ThreadPoolExecutor(max_workers=16) as pool:
            latencies = sorted(pool.map(send, range(40, 40 + reports)))
        elapsed = time.perf_counter() - began
        client_cpu = time.process_time() - client_cpu
        server_cpu = _cpu_seconds(server_pids) - server_cpu
        # Connections opened during the run count whole; none closes (DATABASE_CONN_MAX_AGE).
        database_cpu = sum(
            _cpu_seconds([pid]) - database_before.get(pid, 0.0)
            for pid in _backend_pids(env["DATABASE_URL"])
        )
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)
        stop_redis()
    return {
        "load_average_1m_before": load_before,
        "shared_cache": "redis" if redis_url else "database",
        "server_workers": 2,
        "client_threads": 16,
        "reports": reports,
        "photos_per_report": 3,
        "photo_bytes": [len(p) for p in photos],
        "reports_per_second": round(reports / elapsed, 1),
        "server_cpu_ms_per_report": round(server_cpu / reports * 1e3, 1),
        "database_cpu_ms_per_report": round(database_cpu / reports * 1e3, 1),
        "client_cpu_ms_per_report": round(client_cpu / reports * 1e3, 1),
        "load_average_1m_after": os.getloadavg()[0],
        "p50_ms": round(latencies[len(latencies) // 2] * 1e3, 1),
        "p99_ms": round(latencies[int(len(latencies) * 0.99)] * 1e3, 1),
    }


def main() -> None:
    os.environ.setdefault("SMARTSEOUL_ENV", "development")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartseoul.settings")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--reports", type=int, default=1_000_000)
    parser.add_argument("--submissions", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument(
        "--only",
        choices=["map", "queue", "submit_actions", "submit_http"],
        action="append",
        help="run only these parts (repeatable); all of them by default",
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="PostgreSQL: keep the database smartseoul_bench_complaints between runs and "
        "generate the reports only when their number differs (generation takes minutes)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        if args.keep and args.database_url and args.database_url.startswith("postgres"):
            url, drop = _kept_database(args.database_url)
        else:
            url, drop = _fresh_database(args.database_url, workdir)
        try:
            env = _env(url, workdir)
            os.environ.update(env)
            import django

            django.setup()
            from django.core.management import call_command

            from smartseoul.web.demo import departments_load

            call_command("migrate", verbosity=0)
            departments_load()
            from smartseoul.accounts.models import User
            from smartseoul.complaints.models import Report

            User.objects.filter(email="bench@mapo.example.go.kr").delete()
            if Report.objects.filter(public_id__startswith="R").delete()[0]:  # a kept run's
                from smartseoul.complaints.mapcells import cells_rebuild

                cells_rebuild()
            if Report.objects.count() != args.reports:
                Report.objects.all().delete()
                generated: float | None = _generate(args.reports)
            else:
                generated = None
            from django.db import connection

            parts: dict[str, Callable[[], Any]] = {
                "map": lambda: bench_map(args.repeat),
                "queue": lambda: bench_queue(args.repeat),
                "submit_actions": lambda: bench_submit_actions(env, workdir, args.submissions),
                "submit_http": lambda: bench_submit(env, workdir, args.submissions),
            }
            result: dict[str, Any] = {
                "database": connection.vendor,
                "load_average_1m_before": os.getloadavg()[0],
                "reports": args.reports,
                "generate_s": round(generated, 1) if generated is not None else "kept",
            }
            for name, run in parts.items():
                if not args.only or name in args.only:
                    result[name] = run()
        finally:
            drop()
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
