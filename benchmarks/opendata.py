"""How fast is the Open Data Plaza?  `uv run python -m benchmarks.opendata [--rows N]`

Prints JSON:
- load: a generated CSV of ``--rows`` rows (1,000,000 by default, ~100 MB, Korean headers)
  loaded into the datastore through ``resource_version_load`` (encoding check, type
  sniffing, bad-row capture, Parquet write, atomic rename);
- datastore_search: p50/p95 of CKAN ``datastore_search`` calls with a filter and a sort on
  that table, through the whole Django stack (test client: no sockets), after a warm-up;
  also the query layer alone;
- package_search: p50/p95 over a catalogue of ``--datasets`` datasets (5,000 by default),
  Korean queries, through the CKAN endpoint; the first (index-building) call apart.

Runs on a fresh SQLite database in a temporary folder (deleted afterwards).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

DISTRICTS = [
    "종로구", "중구", "용산구", "성동구", "광진구", "동대문구", "중랑구", "성북구", "강북구",
    "도봉구", "노원구", "은평구", "서대문구", "마포구", "양천구", "강서구", "구로구", "금천구",
    "영등포구", "동작구", "관악구", "서초구", "강남구", "송파구", "강동구",
]  # fmt: skip
WORDS = ["미세먼지", "도서관", "주차장", "와이파이", "인구", "버스", "공원", "병원", "예산", "학교"]


def _summary_ms(timings: list[float], cpu: list[float] | None = None) -> dict[str, float]:
    ordered = sorted(timings)
    extra = {}
    if cpu:
        extra["cpu_p50_ms"] = round(sorted(cpu)[len(cpu) // 2] * 1e3, 2)
    return {
        **extra,
        "calls": len(ordered),
        "p50_ms": round(ordered[len(ordered) // 2] * 1e3, 2),
        "p95_ms": round(ordered[int(len(ordered) * 0.95)] * 1e3, 2),
        "max_ms": round(ordered[-1] * 1e3, 2),
    }


def make_csv(path: Path, rows: int) -> float:
    """A ~100-byte-per-row air-quality-like table, written by DuckDB (fast, deterministic)."""
    import duckdb

    districts = "[" + ", ".join(f"'{d}'" for d in DISTRICTS) + "]"
    connection = duckdb.connect()
    connection.execute(
        f"""COPY (SELECT
            TIMESTAMP '2020-01-01 00:00:00' + INTERVAL (i) MINUTE AS "측정일시",
            {districts}[1 + (i * 7919) % 25] AS "자치구",
            '측정소-' || ((i * 31) % 400)::VARCHAR AS "측정소",
            ((i * 37) % 180)::INTEGER AS "미세먼지(PM10)",
            ((i * 17) % 90)::INTEGER AS "초미세먼지(PM2.5)",
            round(((i * 13) % 100) / 1000.0, 3) AS "오존",
            round(37.45 + ((i * 7) % 2500) / 10000.0, 6) AS "위도",
            round(126.80 + ((i * 11) % 3500) / 10000.0, 6) AS "경도",
            CASE WHEN i % 5 = 0 THEN '점검' ELSE '정상' END AS "상태",
            {districts}[1 + (i * 7919) % 25] || ' 세종대로 ' || (i % 997)::VARCHAR || '번길'
                AS "주소"
        FROM range({rows}) t(i)) TO '{path}' (HEADER, DELIMITER ',')"""  # noqa: S608
    )
    connection.close()
    return path.stat().st_size / 1e6


def bench_load(csv_path: Path) -> tuple[dict[str, Any], Any]:
    from django.core.files import File

    from smartseoul.accounts.models import Department
    from smartseoul.opendata.actions import (
        dataset_create,
        resource_create,
        resource_version_add,
        resource_version_load,
    )

    department = Department.objects.get(code="climate-environment")
    dataset = dataset_create(
        actor=None,
        name="bench-air",
        department=department,
        title_ko="벤치마크 대기질",
        category="environment",
    )
    resource = resource_create(actor=None, dataset=dataset, name="측정값", format="csv")
    with csv_path.open("rb") as handle:
        version = resource_version_add(
            actor=None, resource=resource, upload=File(handle), filename="air.csv"
        )
    started = time.perf_counter()
    version = resource_version_load(version_id=version.pk)
    elapsed = time.perf_counter() - started
    return {
        "rows": version.row_count,
        "bad_rows": version.bad_row_count,
        "seconds": round(elapsed, 2),
        "rows_per_second": round(version.row_count / elapsed),
        "status": version.status,
    }, resource


def bench_datastore_search(resource: Any, calls: int) -> dict[str, Any]:
    from django.test import Client

    from smartseoul.opendata.query import TableQuery, table_search

    client = Client()
    rng = random.Random(7)
    version = resource.current_version()

    def params() -> dict[str, str]:
        return {
            "resource_id": str(resource.pk),
            # District and a threshold: 25 × 150 combinations, so counts are rarely cached.
            "filters": json.dumps(
                {"자치구": rng.choice(DISTRICTS), "미세먼지(PM10)": {"gte": rng.randint(0, 150)}},
                ensure_ascii=False,
            ),
            "sort": "미세먼지(PM10) desc",
            "limit": "100",
        }

    for _ in range(20):  # warm: connections, Parquet metadata cache, page cache
        assert client.get("/api/3/action/datastore_search", params()).status_code == 200
    http, http_cpu = [], []
    for _ in range(calls):
        started, cpu_started = time.perf_counter(), time.process_time()
        response = client.get("/api/3/action/datastore_search", params())
        http.append(time.perf_counter() - started)
        http_cpu.append(time.process_time() - cpu_started)
        assert response.status_code == 200
    layer = []
    for _ in range(calls):
        query = TableQuery(
            filters={
                "자치구": rng.choice(DISTRICTS),
                "미세먼지(PM10)": {"gte": rng.randint(0, 150)},
            },
            sort=[("미세먼지(PM10)", True)],
            limit=100,
        )
        started = time.perf_counter()
        table_search(version, query)
        layer.append(time.perf_counter() - started)
    return {"http": _summary_ms(http, http_cpu), "query_layer": _summary_ms(layer)}


def bench_package_search(datasets: int, calls: int) -> dict[str, Any]:
    from django.test import Client

    from smartseoul.accounts.models import Department
    from smartseoul.opendata.models import Category, Dataset
    from smartseoul.opendata.search import dataset_terms

    rng = random.Random(11)
    departments = list(Department.objects.all())
    started = time.perf_counter()
    batch = []
    for index in range(datasets):
        word, other = rng.choice(WORDS), rng.choice(WORDS)
        district = rng.choice(DISTRICTS)
        dataset = Dataset(
            name=f"bench-{index}",
            title_ko=f"{district} {word} 현황 {index}",
            description_ko=f"{district}의 {word}와 {other}에 관한 공공데이터입니다.",
            category=rng.choice(Category.values),
            tags=[word, district],
            department=rng.choice(departments),
        )
        dataset.search_terms = dataset_terms(dataset)
        batch.append(dataset)
    # Bulk insert: this measures search, not 5,000 audited creations.
    Dataset.objects.bulk_create(batch, batch_size=1000)
    build_seconds = time.perf_counter() - started
    client = Client()
    started = time.perf_counter()
    client.get("/api/3/action/package_search", {"q": "미세먼지"})
    first = time.perf_counter() - started
    timings, cpu = [], []
    for _ in range(calls):
        q = (
            f"{rng.choice(DISTRICTS)} {rng.choice(WORDS)}"
            if rng.random() < 0.5
            else rng.choice(WORDS)
        )
        started, cpu_started = time.perf_counter(), time.process_time()
        response = client.get(
            "/api/3/action/package_search", {"q": q, "rows": "10", "facet.field": '["tags"]'}
        )
        timings.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
        assert response.json()["success"]
    return {
        "datasets": Dataset.objects.count(),
        "catalogue_build_seconds": round(build_seconds, 1),
        "first_call_ms": round(first * 1e3, 1),
        "warm": _summary_ms(timings, cpu),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--datasets", type=int, default=5_000)
    parser.add_argument("--calls", type=int, default=300)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="smartseoul-bench-opendata-"))
    os.environ.update(
        {
            "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
            "SMARTSEOUL_ENV": "development",
            "SMARTSEOUL_DEBUG": "false",
            "SMARTSEOUL_VAR_DIR": str(workdir),
            "SMARTSEOUL_LOG_LEVEL": "warning",
            "SMARTSEOUL_API_RATE_ANONYMOUS": "1000000/m",
            "DJANGO_SETTINGS_MODULE": "smartseoul.settings",
        }
    )
    try:
        subprocess.run(
            [sys.executable, "-m", "smartseoul.cli", "manage", "migrate", "-v", "0"], check=True
        )
        import django

        django.setup()
        from django.conf import settings

        settings.ALLOWED_HOSTS = ["*"]
        from smartseoul.web.demo import departments_load

        departments_load()
        load_before = [round(x, 2) for x in os.getloadavg()]
        csv_path = workdir / "air.csv"
        size_mb = make_csv(csv_path, args.rows)
        load, resource = bench_load(csv_path)
        load["csv_mb"] = round(size_mb, 1)
        result = {
            "cpu_count": os.cpu_count(),
            # Other people's work on the same cores: at the start and at the end.
            "load_average_start": load_before,
            "load_average": [round(x, 2) for x in os.getloadavg()],
            "load": load,
            "datastore_search": bench_datastore_search(resource, args.calls),
            "package_search": bench_package_search(args.datasets, args.calls),
        }
        print(json.dumps(result, ensure_ascii=False, indent=2))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
