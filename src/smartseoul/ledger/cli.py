"""`smartseoul witness …` and `smartseoul ledger …` (imports no Django unless needed)."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def _write_secret(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(text + "\n")


# --- witness ------------------------------------------------------------------------------
def witness_main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="smartseoul witness", description="An independent tlog-witness for ledger logs."
    )
    sub = parser.add_subparsers(dest="action", required=True)
    keygen = sub.add_parser(
        "keygen", help="new witness key: writes the private key file, prints the verifier key"
    )
    keygen.add_argument("name", help="the witness's key name, e.g. witness.example.org")
    keygen.add_argument("--out", type=Path, help="private key file (default NAME.key)")
    serve = sub.add_parser("serve", help="serve POST /add-checkpoint")
    serve.add_argument("--state", type=Path, required=True, help="SQLite state file")
    serve.add_argument("--key-file", type=Path, required=True)
    serve.add_argument(
        "--log",
        action="append",
        default=[],
        metavar="ORIGIN=VKEY",
        required=True,
        help="a log to witness (repeat for several)",
    )
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8010)
    args = parser.parse_args(argv)

    from smartseoul.ledger.note import NoteError, Verifier, parse_verifier_key
    from smartseoul.ledger.witness_protocol import generate_cosigner_key, parse_cosigner_skey

    if args.action == "keygen":
        skey, vkey = generate_cosigner_key(args.name)
        out = args.out or Path(f"{args.name}.key")
        try:
            _write_secret(out, skey)
        except FileExistsError:
            print(f"{out} exists; not overwriting a key", file=sys.stderr)
            return 2
        print(vkey)
        return 0

    try:
        signer = parse_cosigner_skey(args.key_file.read_text(encoding="ascii").strip())
        logs: dict[str, list[Verifier]] = {}
        for item in args.log:
            origin, _, vkey = item.rpartition("=")
            if not origin:
                parser.error(f"--log {item!r}: expected ORIGIN=VKEY")
            logs.setdefault(origin, []).append(parse_verifier_key(vkey))
    except (OSError, NoteError) as exc:
        print(f"smartseoul witness: {exc}", file=sys.stderr)
        return 2
    from smartseoul.ledger.witness_server import make_server

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    server = make_server(
        signer=signer,
        logs=logs,
        state=args.state,
        host=args.host,
        port=args.port,
    )
    print(
        f"witness {signer.name} on http://{args.host}:{server.server_port}/ key {signer.vkey}",
        flush=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


# --- ledger -------------------------------------------------------------------------------
def ledger_main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="smartseoul ledger", description="The public ledger.")
    sub = parser.add_subparsers(dest="action", required=True)
    verify = sub.add_parser("verify", help="verify a ledger over HTTP (no database needed)")
    verify.add_argument("url", help="the site, e.g. https://smartseoul.example")
    verify.add_argument("--log", help="only this log (default: all)")
    verify.add_argument(
        "--state",
        type=Path,
        help="JSON file keeping pinned keys and the "
        "last verified checkpoint (default ~/.config/smartseoul/verify.json)",
    )
    verify.add_argument(
        "--full", action="store_true", help="download every entry and recompute the root"
    )
    verify.add_argument("--log-key", action="append", default=[], help="pin a log key")
    verify.add_argument("--witness-key", action="append", default=[], help="pin a witness key")
    verify.add_argument("--quorum", type=int, help="witness cosignatures required")
    publish = sub.add_parser("publish", help="publish checkpoints while entries arrive")
    publish.add_argument("--once", action="store_true")
    publish.add_argument("--interval", type=float, default=1.0)
    keygen = sub.add_parser("keygen", help="print a new log signer key (keep it secret)")
    keygen.add_argument("origin", help="the log's origin, e.g. seoul.example/ledger/votes")
    args = parser.parse_args(argv)

    if args.action == "keygen":
        from smartseoul.ledger.note import generate_signer_key

        skey, vkey = generate_signer_key(args.origin)
        print(skey)
        print(f"verifier key: {vkey}", file=sys.stderr)
        return 0
    if args.action == "verify":
        return _verify(args)
    return _publish(args)


def _verify(args: argparse.Namespace) -> int:
    import httpx

    from smartseoul.ledger.note import NoteError
    from smartseoul.ledger.verifier import Pins, VerificationError, verify

    state = args.state or Path.home() / ".config" / "smartseoul" / "verify.json"
    try:
        ok = verify(
            args.url,
            log=args.log,
            state_path=state,
            full=args.full,
            pins=Pins(args.log_key, args.witness_key, args.quorum),
        )
    except (VerificationError, NoteError) as exc:
        print(f"FAILED {exc}")
        return 1
    except (httpx.HTTPError, ValueError, KeyError) as exc:
        print(f"smartseoul ledger verify: cannot read {args.url}: {exc}", file=sys.stderr)
        return 2
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


def _publish(args: argparse.Namespace) -> int:
    import threading

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartseoul.settings")
    import django

    django.setup()
    from smartseoul.ledger import publisher

    if args.once:
        print(f"published {publisher.publish_changed()} checkpoint(s)")
        return 0
    with contextlib.suppress(KeyboardInterrupt):
        publisher.run(interval=args.interval, stop=threading.Event())
    return 0


# --- demo ---------------------------------------------------------------------------------
DEMO_WITNESS = "demo-witness.smartseoul.localhost"


def demo_witness_start(var_dir: Path) -> Any:
    """Start one local witness for `smartseoul demo`, so its checkpoints carry a real
    cosignature; returns the process (or None when witnesses are configured already).

    Its key and state live in var/witness/; the web server and the worker are pointed at
    it through the same settings a deployment uses.
    """
    import socket
    import subprocess
    import time

    import httpx
    from django.conf import settings

    from smartseoul.ledger import actions, keys, queries
    from smartseoul.ledger.witness_protocol import generate_cosigner_key, parse_cosigner_skey

    if settings.LEDGER_WITNESSES:
        return None
    folder = var_dir / "witness"
    key_file = folder / "witness.key"
    if not key_file.exists():
        keys.write_new_key_file(key_file, generate_cosigner_key(DEMO_WITNESS)[0])
    signer = parse_cosigner_skey(key_file.read_text(encoding="ascii").strip())
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    args = [sys.executable, "-m", "smartseoul.cli", "witness", "serve", "--port", str(port)]
    args += ["--state", str(folder / "state.sqlite3"), "--key-file", str(key_file)]
    logs = queries.logs_all()
    for ledger_log in logs:
        args += ["--log", f"{ledger_log.origin}={ledger_log.vkey}"]
    with (folder / "witness.log").open("ab") as output:
        process = subprocess.Popen(args, stdout=output, stderr=subprocess.STDOUT)  # noqa: S603
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and process.poll() is None:
        try:
            httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
            break
        except httpx.HTTPError:
            time.sleep(0.1)
    item = f"{signer.name}=http://127.0.0.1:{port}={signer.vkey}"
    # This process (and the web workers it forks) and the task worker it starts.
    os.environ["SMARTSEOUL_LEDGER_WITNESSES"] = item
    os.environ["SMARTSEOUL_LEDGER_QUORUM"] = "1"
    settings.LEDGER_WITNESSES = [item]
    settings.LEDGER_QUORUM = 1
    for ledger_log in logs:
        actions.checkpoint_publish(log=ledger_log, force=True)
    return process
