"""The logs' signer keys and the configured witnesses, read from settings and the environment."""

from __future__ import annotations

import contextlib
import functools
import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from smartseoul.ledger.config import WitnessConfig, key_variable, parse_witness
from smartseoul.ledger.note import Ed25519Signer, NoteError, generate_signer_key, parse_signer_key
from smartseoul.lib.env import env


def origin_for(name: str) -> str:
    return f"{settings.LEDGER_ORIGIN_PREFIX.rstrip('/')}/{name}"


def write_new_key_file(path: Path, skey: str) -> str:
    """Create ``path`` holding ``skey`` unless it exists; return the file's key either way.

    Written to a temporary file and linked into place, so concurrent processes starting at
    once all end up with the same key and never read a half-written file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".key-")
    try:
        os.write(fd, (skey + "\n").encode("ascii"))
        os.fsync(fd)
        os.close(fd)
        os.chmod(tmp, 0o600)
        with contextlib.suppress(FileExistsError):  # another process won: use its key
            os.link(tmp, path)
    finally:
        os.unlink(tmp)
    return path.read_text(encoding="ascii").strip()


@functools.cache
def log_signer(name: str) -> Ed25519Signer:
    """The log's Ed25519 signer: from the environment, else (outside production) generated
    once into LEDGER_KEY_DIR and reused."""
    variable = key_variable(name)
    text = env.optional(variable)
    if text is None:
        if settings.IS_PRODUCTION:
            raise ImproperlyConfigured(
                f"{variable} (or {variable}_FILE) is required in production: generate it with "
                f"`smartseoul ledger keygen {origin_for(name)}` and keep it secret."
            )
        path = Path(settings.LEDGER_KEY_DIR) / f"{name}.key"
        text = (
            path.read_text(encoding="ascii").strip()
            if path.exists()
            else write_new_key_file(path, generate_signer_key(origin_for(name))[0])
        )
    try:
        return parse_signer_key(text)
    except NoteError as exc:
        raise ImproperlyConfigured(f"{variable}: not a signed-note Ed25519 key: {exc}") from exc


def witnesses() -> list[WitnessConfig]:
    return [parse_witness(item) for item in settings.LEDGER_WITNESSES]


def quorum() -> int:
    return int(settings.LEDGER_QUORUM)
