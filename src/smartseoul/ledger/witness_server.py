"""A standalone tlog-witness (c2sp.org/tlog-witness) HTTP server: no Django, no shared DB.

Its state (the latest checkpoint it cosigned per log) is a plain SQLite file; the
compare-and-set is one ``BEGIN IMMEDIATE`` transaction, so several processes may even
serve from the same file.  Decision rules are ``witness_protocol.Witness``.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Mapping, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from smartseoul.ledger.note import Verifier
from smartseoul.ledger.witness_protocol import CosignatureSigner, Witness

log = logging.getLogger("smartseoul.witness")

MAX_BODY = 64 * 1024  # a checkpoint, 63 proof lines and signatures fit easily


class SqliteWitnessStore:
    """witness_protocol.WitnessStateStore in a SQLite file, one connection per thread."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._local = threading.local()
        with self._connect() as db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS checkpoints ("
                " origin TEXT PRIMARY KEY, size INTEGER NOT NULL, root BLOB NOT NULL,"
                " note BLOB NOT NULL)"
            )

    def _connect(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            # A cosignature is a promise never to sign a conflicting view: the state must
            # survive power loss before the cosignature leaves this process.
            db.execute("PRAGMA synchronous=FULL")
            self._local.db = db
        return db

    def get_size_and_root(self, origin: str) -> tuple[int, bytes] | None:
        row = (
            self._connect()
            .execute("SELECT size, root FROM checkpoints WHERE origin = ?", (origin,))
            .fetchone()
        )
        return None if row is None else (int(row[0]), bytes(row[1]))

    def compare_and_set(
        self,
        origin: str,
        expected: tuple[int, bytes] | None,
        new: tuple[int, bytes],
        checkpoint_note: bytes,
    ) -> bool:
        db = self._connect()
        db.execute("BEGIN IMMEDIATE")
        try:
            row = db.execute(
                "SELECT size, root FROM checkpoints WHERE origin = ?", (origin,)
            ).fetchone()
            current = None if row is None else (int(row[0]), bytes(row[1]))
            if current != expected:
                db.execute("ROLLBACK")
                return False
            db.execute(
                "INSERT INTO checkpoints (origin, size, root, note) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (origin) DO UPDATE SET size = excluded.size, root = excluded.root,"
                " note = excluded.note",
                (origin, new[0], new[1], checkpoint_note),
            )
            db.execute("COMMIT")
            return True
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def checkpoint(self, origin: str) -> bytes | None:
        row = (
            self._connect()
            .execute("SELECT note FROM checkpoints WHERE origin = ?", (origin,))
            .fetchone()
        )
        return None if row is None else bytes(row[0])


def make_handler(witness: Witness) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "smartseoul-witness/1"
        protocol_version = "HTTP/1.1"

        def _send(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            if self.path.rstrip("/").split("?")[0] != "/add-checkpoint":
                self._send(404, b"not found\n", "text/plain; charset=utf-8")
                return
            try:
                length = int(self.headers.get("Content-Length", ""))
            except ValueError:
                self._send(411, b"Content-Length required\n", "text/plain; charset=utf-8")
                return
            if not 0 <= length <= MAX_BODY:
                self.close_connection = True
                self._send(413, b"request too large\n", "text/plain; charset=utf-8")
                return
            response = witness.add_checkpoint(self.rfile.read(length))
            self._send(response.status, response.body, response.content_type)

        def do_GET(self) -> None:
            if self.path in ("/", ""):
                body = (
                    f"{witness.signer.vkey}\n"
                    + "".join(f"log {origin}\n" for origin in sorted(witness.logs))
                ).encode()
                self._send(200, body, "text/plain; charset=utf-8")
                return
            self._send(404, b"not found\n", "text/plain; charset=utf-8")

        def log_message(self, format: str, *args: object) -> None:
            log.info("%s %s", self.address_string(), format % args)

    return Handler


def make_server(
    *,
    signer: CosignatureSigner,
    logs: Mapping[str, Sequence[Verifier]],
    state: Path,
    host: str,
    port: int,
) -> ThreadingHTTPServer:
    def misbehavior(origin: str, body: bytes) -> None:
        # A validly signed but inconsistent checkpoint may prove a split view: keep it.
        evidence = state.with_suffix(".evidence")
        with evidence.open("ab") as fh:
            fh.write(body + b"\n\n")
        log.error("log %s sent a signed checkpoint inconsistent with its history", origin)

    witness = Witness(signer, logs, SqliteWitnessStore(state), on_misbehavior=misbehavior)
    server = ThreadingHTTPServer((host, port), make_handler(witness))
    server.daemon_threads = True
    return server
