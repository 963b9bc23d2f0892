"""Several processes appending to one log at once, with a publisher signing checkpoints
meanwhile, must leave one consistent tree: indexes 0…N-1 each once, the stored root equal
to the root recomputed from the entries, every checkpoint a true prefix of it.

On PostgreSQL the processes share the test database (row lock on the log); on SQLite
they share a database file (the IMMEDIATE transaction's write lock).
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection

from smartseoul.ledger import actions
from smartseoul.ledger.merkle import MemoryTree
from tests.ledger.conftest import clean_env, spawn, stop

WRITERS = 4
ROUNDS = 40

APPENDER = """
import os, sys, time
import django
django.setup()
from smartseoul.ledger import actions
writer = int(sys.argv[1])
log = actions.log_ensure("votes")
while not os.path.exists(sys.argv[2]):
    time.sleep(0.005)
for i in range(%(rounds)d):
    if i %% 3 == 0:
        actions.entry_append(log=log, data=f"{writer}:{i}:0".encode())
    else:
        batch = [f"{writer}:{i}:{j}".encode() for j in range(i %% 7 + 1)]
        actions.entries_append(log=log, data=batch)
"""


def expected_entries() -> int:
    return WRITERS * sum(1 if i % 3 == 0 else i % 7 + 1 for i in range(ROUNDS))


def run_appenders(env: dict[str, str], workdir: Path) -> None:
    go = workdir / "go"
    script = APPENDER % {"rounds": ROUNDS}
    publisher = spawn("ledger", "publish", "--interval", "0.02", env=env, cwd=workdir)
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(n), str(go)],
            env={**env, "DJANGO_SETTINGS_MODULE": "smartseoul.settings"},
            cwd=workdir,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for n in range(WRITERS)
    ]
    time.sleep(1.0)  # let every writer import Django, then start them together
    go.touch()
    try:
        for writer in writers:
            output, _ = writer.communicate(timeout=240)
            assert writer.returncode == 0, output
        time.sleep(0.3)  # one more publish round after the last append
    finally:
        output = stop(publisher)
    assert "Traceback" not in output, output


def check_tree(
    rows: list[tuple[int, bytes]], root: bytes, checkpoints: list[tuple[int, bytes]]
) -> None:
    indexes = [index for index, _ in rows]
    assert indexes == list(range(expected_entries()))
    tree = MemoryTree()
    tree.extend(data for _, data in rows)
    assert tree.root() == root
    # Each writer's entries kept their order.
    for writer in range(WRITERS):
        mine = [data.decode() for _, data in rows if data.startswith(f"{writer}:".encode())]
        keys = [tuple(int(part) for part in item.split(":")[1:]) for item in mine]
        assert keys == sorted(keys)
    # Every published checkpoint names a prefix of this very tree.
    assert checkpoints
    for size, checkpoint_root in checkpoints:
        assert tree.root(size) == checkpoint_root


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_concurrent_appenders_on_the_test_database(tmp_path: Path, sqlite_copy: Path) -> None:
    if connection.vendor == "postgresql":
        actions.log_ensure("votes")  # committed: the processes see it
        settings = connection.settings_dict
        url = (
            f"postgresql://{settings['USER']}:{settings['PASSWORD'] or ''}@{settings['HOST']}:"
            f"{settings['PORT'] or 5432}/{settings['NAME']}"
        )
    else:
        url = f"sqlite:///{sqlite_copy}"
    env = clean_env(
        SMARTSEOUL_ENV="development",
        SMARTSEOUL_VAR_DIR=str(tmp_path / "var"),
        SMARTSEOUL_LOG_LEVEL="warning",
        DATABASE_URL=url,
        # The log's key, so the publisher process can sign for the log this test created.
        SMARTSEOUL_LEDGER_KEY_DIR=str(django_settings.LEDGER_KEY_DIR),
    )
    run_appenders(env, tmp_path)

    if connection.vendor == "postgresql":
        from smartseoul.ledger.models import Checkpoint, Entry, Log

        log = Log.objects.get(name="votes")
        rows = [
            (index, bytes(data))
            for index, data in Entry.objects.filter(log=log)
            .order_by("index")
            .values_list("index", "data")
        ]
        root = bytes(log.root)
        checkpoints = [
            (size, bytes(r))
            for size, r in Checkpoint.objects.filter(log=log).values_list("size", "root")
        ]
    else:
        with sqlite3.connect(sqlite_copy) as db:
            (log_id, root) = db.execute(
                "SELECT id, root FROM ledger_log WHERE name = 'votes'"
            ).fetchone()
            rows = db.execute(
                'SELECT "index", data FROM ledger_entry WHERE log_id = ? ORDER BY "index"',
                (log_id,),
            ).fetchall()
            checkpoints = db.execute(
                "SELECT size, root FROM ledger_checkpoint WHERE log_id = ?", (log_id,)
            ).fetchall()
    check_tree(
        [(i, bytes(d)) for i, d in rows], bytes(root), [(s, bytes(r)) for s, r in checkpoints]
    )
