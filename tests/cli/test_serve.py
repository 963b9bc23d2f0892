"""`smartseoul serve` with several worker processes, as in production."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.cli.test_demo import fetch, free_port


def test_serve_runs_several_workers_and_sums_their_metrics(tmp_path: Path) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SMARTSEOUL_", "DATABASE_URL", "DJANGO_"))
    }
    env.update({"SMARTSEOUL_ENV": "development", "SMARTSEOUL_VAR_DIR": str(tmp_path / "var")})
    subprocess.run(
        [sys.executable, "-m", "smartseoul.cli", "manage", "migrate", "-v", "0"],
        env=env,
        cwd=tmp_path,
        check=True,
        capture_output=True,
    )
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "smartseoul.cli",
            "serve",
            "--port",
            str(port),
            "--workers",
            "2",
            "--threads",
            "2",
        ],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                # Not /healthz: a poll that times out here may still be answered, and
                # counted, after the count below is read.
                fetch(f"http://127.0.0.1:{port}/metrics", timeout=2)
                break
            except OSError:
                assert server.poll() is None, server.stdout.read() if server.stdout else ""
                assert time.monotonic() < deadline, "serve did not answer"
                time.sleep(0.2)
        before = healthz_count(fetch(f"http://127.0.0.1:{port}/metrics")[1])
        # Concurrent requests, so that both workers answer some of them.
        with ThreadPoolExecutor(max_workers=8) as pool:
            codes = list(
                pool.map(lambda _: fetch(f"http://127.0.0.1:{port}/healthz")[0], range(40))
            )
        assert codes == [200] * 40
        after = healthz_count(fetch(f"http://127.0.0.1:{port}/metrics")[1])
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        output, _ = server.communicate(timeout=30)
    workers = set(re.findall(r"Booting worker with pid: (\d+)", output))
    assert len(workers) == 2, output
    # The 40 health checks answered by two processes are counted as one server's.
    assert after - before == 40


def healthz_count(metrics: str) -> float:
    counted = re.search(
        r'smartseoul_http_requests_total\{method="GET",route="healthz",status="200"\} (\S+)',
        metrics,
    )
    assert "smartseoul_http_requests_total" in metrics, metrics[:2000]
    return float(counted.group(1)) if counted else 0.0  # no health check answered yet
