"""Ledger configuration parsed from the environment (no Django imports: settings.py uses it).

``SMARTSEOUL_LEDGER_WITNESSES`` lists the witnesses every log sends its checkpoints to, as
comma-separated ``name=url=vkey`` items: the witness's key name, its tlog-witness submission
prefix (``add-checkpoint`` is appended) and its cosignature/v1 verifier key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured

from smartseoul.ledger.note import NoteError
from smartseoul.ledger.witness_protocol import CosignatureVerifier, parse_cosigner_vkey

LOG_NAME = re.compile(r"[a-z][a-z0-9-]{0,39}")
# Log names share the /ledger/<name>/ URL space with these pages.
RESERVED_NAMES = frozenset({"verify", "record", "static"})


@dataclass(frozen=True)
class WitnessConfig:
    name: str
    url: str
    vkey: str

    @property
    def verifier(self) -> CosignatureVerifier:
        return parse_cosigner_vkey(self.vkey)

    @property
    def add_checkpoint_url(self) -> str:
        return self.url.rstrip("/") + "/add-checkpoint"


def parse_witnesses(items: list[str], variable: str = "SMARTSEOUL_LEDGER_WITNESSES") -> list[str]:
    """Check each ``name=url=vkey`` item; fail loudly naming the bad one."""
    witnesses = [parse_witness(item, variable) for item in items]
    names = [w.name for w in witnesses]
    if len(set(names)) != len(names):
        raise ImproperlyConfigured(f"{variable}: a witness name appears twice.")
    return items


def parse_witness(item: str, variable: str = "SMARTSEOUL_LEDGER_WITNESSES") -> WitnessConfig:
    name, _, rest = item.partition("=")
    # Verifier keys of cosignature/v1 are 33 bytes of base64, so they never contain "=":
    # the last "=" separates the URL (which may contain "=") from the key.
    url, _, vkey = rest.rpartition("=")
    if not name or not url or not vkey:
        raise ImproperlyConfigured(f"{variable}: {item!r} is not name=url=vkey.")
    if not url.startswith(("http://", "https://")):
        raise ImproperlyConfigured(f"{variable}: witness {name!r} URL must start with http(s)://")
    try:
        verifier = parse_cosigner_vkey(vkey)
    except NoteError as exc:
        raise ImproperlyConfigured(f"{variable}: witness {name!r} key: {exc}") from exc
    if verifier.name != name:
        raise ImproperlyConfigured(
            f"{variable}: witness {name!r} has a key named {verifier.name!r}; they must match."
        )
    return WitnessConfig(name, url, vkey)


def parse_log_names(names: list[str], variable: str = "SMARTSEOUL_LEDGER_LOGS") -> list[str]:
    for name in names:
        if not LOG_NAME.fullmatch(name) or name in RESERVED_NAMES:
            raise ImproperlyConfigured(
                f"{variable}: {name!r} is not a valid log name (lowercase letters, digits, "
                f"hyphens; not {', '.join(sorted(RESERVED_NAMES))})."
            )
    return names


def key_variable(name: str) -> str:
    """``SMARTSEOUL_LEDGER_<NAME>_KEY``: the log's signer key (or ``…_KEY_FILE``)."""
    return f"SMARTSEOUL_LEDGER_{name.upper().replace('-', '_')}_KEY"
