"""`smartseoul trustee …`: a trustee's part of a secret vote, run on the trustee's own machine.

It talks to the server's /api/voting/trustee/ API with the trustee's API key and keeps every
secret in the key file (created with mode 600; back it up somewhere safe and offline — without
it this trustee cannot help decrypt).  No Django, no database.

    smartseoul trustee init URL VOTE_ID --key-file F    transport key (step 1)
    smartseoul trustee deal --key-file F                dealing and sealed shares (step 2)
    smartseoul trustee confirm --key-file F             open and check my shares (step 3)
    smartseoul trustee decrypt --key-file F             after the count: decrypt with proofs
    smartseoul trustee status --key-file F              where the ceremony stands

The API key comes from ``--api-key`` or the ``SMARTSEOUL_API_KEY`` environment variable.
Exit codes: 0 done, 1 refused or a check failed, 2 cannot run (usage, file, network),
3 not yet (waiting for other trustees; run the same command again later).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx

from smartseoul.voting import trustee_device as device
from smartseoul.voting.crypto import Ciphertext, Point, ProofError, PublicDealing, joint_public_key

WAITING = 3


class Stop(Exception):
    """End the command with this message and exit code."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


# --- the key file ---------------------------------------------------------------------------


def load_state(path: Path) -> device.State:
    try:
        state: device.State = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise Stop(f"{path} does not exist: run `smartseoul trustee init` first", 2) from None
    except (OSError, ValueError) as exc:
        raise Stop(f"cannot read {path}: {exc}", 2) from None
    if state.get("type") != device.KEY_STATE_TYPE:
        raise Stop(f"{path} is not a trustee key file", 2)
    return state


def save_state(path: Path, state: device.State) -> None:
    """Write atomically with mode 600: a crash never leaves half a key file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(state, fh, indent=2, sort_keys=True)
            fh.write("\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


# --- the server -----------------------------------------------------------------------------


class Server:
    def __init__(self, url: str, vote: str, api_key: str, timeout: float = 30.0) -> None:
        self.base = f"{url.rstrip('/')}/api/voting/trustee/votes/{vote}"
        self.client = httpx.Client(
            headers={"X-API-Key": api_key, "Accept": "application/json"}, timeout=timeout
        )

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        try:
            response = self.client.request(method, self.base + path, json=body)
        except httpx.HTTPError as exc:
            raise Stop(f"cannot reach the server: {exc}", 2) from None
        if response.status_code >= 400:
            try:
                message = response.json()["error"]["message"]
            except (ValueError, KeyError, TypeError):
                message = response.text[:300]
            raise Stop(f"the server refused ({response.status_code}): {message}")
        return response.json()

    def state(self) -> dict[str, Any]:
        return dict(self._call("GET", ""))

    def post(self, path: str, body: Any = None) -> dict[str, Any]:
        return dict(self._call("POST", path, body))

    def sealed_shares(self) -> list[dict[str, Any]]:
        return list(self._call("GET", "/sealed-shares"))


def _ceremony(remote: dict[str, Any]) -> Any:
    if not remote["ceremony"]:
        raise Stop("no trustees are appointed for this vote yet", WAITING)
    return device.ceremony_from_json(remote["ceremony"])


def _check_same_ceremony(state: device.State, remote: dict[str, Any]) -> None:
    if remote["ceremony"] is None or state["ceremony"] != {
        k: remote["ceremony"][k] for k in ("ceremony_hash", "trustees", "threshold")
    }:
        raise Stop(
            "the server's key ceremony is not the one in this key file (the administrator "
            "restarted it?): keep this file aside and run `trustee init` with a new one"
        )
    if remote["me"] != state["index"]:
        raise Stop(
            f"the server says you are trustee {remote['me']}, this file says {state['index']}"
        )


def _missing(remote: dict[str, Any], field: str) -> list[int]:
    return [t["index"] for t in remote["trustees"] if not t[field]]


# --- the commands ---------------------------------------------------------------------------


def cmd_init(server: Server, path: Path, url: str, vote: str) -> str:
    remote = server.state()
    ceremony = _ceremony(remote)
    if remote["me"] is None:
        raise Stop("you are not a trustee of this vote")
    if path.exists():
        state = load_state(path)
        _check_same_ceremony(state, remote)
    else:
        state = device.new_state(server=url, vote=vote, index=remote["me"], ceremony=ceremony)
    key = device.init(state)
    save_state(path, state)
    server.post("/transport-key", key)
    return f"trustee {state['index']} of {ceremony.trustees}: transport key published"


def cmd_deal(server: Server, path: Path) -> str:
    state = load_state(path)
    remote = server.state()
    _check_same_ceremony(state, remote)
    if waiting := _missing(remote, "transport_key"):
        raise Stop(f"waiting for the transport keys of trustees {waiting}", WAITING)
    keys = {t["index"]: t["transport_key"] for t in remote["trustees"]}
    dealing, sealed = device.deal_shares(state, keys)
    save_state(path, state)  # before sending: a retry must send the very same dealing
    server.post("/dealing", {"dealing": dealing, "sealed_shares": sealed})
    return f"trustee {state['index']}: dealing and {len(sealed)} sealed share(s) published"


def cmd_confirm(server: Server, path: Path) -> str:
    state = load_state(path)
    remote = server.state()
    _check_same_ceremony(state, remote)
    if waiting := _missing(remote, "dealing"):
        raise Stop(f"waiting for the dealings of trustees {waiting}", WAITING)
    dealings = [t["dealing"] for t in remote["trustees"]]
    public = device.confirm(state, dealings, server.sealed_shares())
    state["joint_public_key"] = joint_public_key(
        [PublicDealing.from_json(d) for d in dealings]
    ).hex()
    save_state(path, state)
    after = server.post("/confirm")
    lines = [f"trustee {state['index']}: every share checks out; public share {public.hex()}"]
    if after["public_key"]:
        if after["public_key"] != state["joint_public_key"]:
            raise Stop("the server's election key is not the sum of the dealings")
        lines.append(f"the election key is complete: {after['public_key']}")
    else:
        lines.append(f"waiting for trustees {_missing(after, 'confirmed')} to confirm")
    return "\n".join(lines)


def cmd_decrypt(server: Server, path: Path) -> str:
    state = load_state(path)
    remote = server.state()
    _check_same_ceremony(state, remote)
    if remote["public_key"] != state.get("joint_public_key"):
        raise Stop("the server's election key is not the one this trustee helped make")
    if not remote["encrypted_tally"]:
        raise Stop("the vote is not counted yet", WAITING)
    ciphertexts = [
        Ciphertext(
            Point.from_bytes(bytes.fromhex(c["alpha"])), Point.from_bytes(bytes.fromhex(c["beta"]))
        )
        for question in remote["encrypted_tally"]
        for c in question
    ]
    share = device.decrypt(state, bytes.fromhex(remote["election_hash"]), ciphertexts)
    after = server.post("/decryption", share)
    done = sum(1 for t in after["trustees"] if t["decrypted"])
    needed = after["ceremony"]["threshold"]
    return (
        f"trustee {state['index']}: decryption share for {len(ciphertexts)} option(s) published "
        f"({done} of the {needed} needed; status {after['status']})"
    )


def cmd_status(server: Server, path: Path) -> str:
    state = load_state(path)
    remote = server.state()
    mark = {True: "✓", False: "·"}
    lines = [f"{remote['title']} ({remote['status']})"]
    if remote["ceremony"]:
        c = remote["ceremony"]
        lines.append(f"ceremony {c['ceremony_hash'][:16]}…: {c['threshold']} of {c['trustees']}")
    lines.append("trustee  transport  dealt  confirmed  decrypted")
    for t in remote["trustees"]:
        me = " (you)" if t["index"] == state["index"] else ""
        lines.append(
            f"{t['index']:>7}  {mark[bool(t['transport_key'])]:^9}  {mark[bool(t['dealing'])]:^5}"
            f"  {mark[t['confirmed']]:^9}  {mark[t['decrypted']]:^9}{me}"
        )
    lines.append(f"election key: {remote['public_key'] or 'not yet'}")
    lines.append(
        f"encrypted tally: {'ready to decrypt' if remote['encrypted_tally'] else 'not yet'}"
    )
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="smartseoul trustee",
        description="Hold a share of a secret vote's election key (see docs/election-crypto.md).",
    )
    sub = parser.add_subparsers(dest="action", required=True)
    init = sub.add_parser("init", help="join the key ceremony: make and publish a transport key")
    init.add_argument("url", help="the site, e.g. https://smartseoul.example")
    init.add_argument("vote", help="the vote's id (a UUID)")
    for name, text in (
        ("init", None),
        ("deal", "deal shares to the other trustees"),
        ("confirm", "open and check the shares sealed to me"),
        ("decrypt", "decrypt the counted tally, with proofs"),
        ("status", "show where the ceremony stands"),
    ):
        command = init if text is None else sub.add_parser(name, help=text)
        if command is not init:
            command.add_argument("--url", help="the site, if not the one in the key file")
        command.add_argument("--key-file", type=Path, required=True, help="this trustee's key file")
        command.add_argument(
            "--api-key",
            default=os.environ.get("SMARTSEOUL_API_KEY", ""),
            help="your API key (default: $SMARTSEOUL_API_KEY)",
        )
    return parser


def main(argv: Sequence[str]) -> int:
    args = build_parser().parse_args(argv)
    if not args.api_key:
        print("smartseoul trustee: give --api-key or set SMARTSEOUL_API_KEY", file=sys.stderr)
        return 2
    try:
        if args.action == "init":
            server = Server(args.url, args.vote, args.api_key)
            print(cmd_init(server, args.key_file, args.url, args.vote))
            return 0
        state = load_state(args.key_file)
        server = Server(args.url or state["server"], state["vote"], args.api_key)
        commands = {
            "deal": cmd_deal,
            "confirm": cmd_confirm,
            "decrypt": cmd_decrypt,
            "status": cmd_status,
        }
        print(commands[args.action](server, args.key_file))
        return 0
    except ProofError as exc:
        print(
            f"smartseoul trustee: CHECK FAILED: {exc} — do not go on; tell the election "
            "administrator",
            file=sys.stderr,
        )
        return 1
    except Stop as stop:
        print(f"smartseoul trustee: {stop}", file=sys.stderr)
        return stop.code
