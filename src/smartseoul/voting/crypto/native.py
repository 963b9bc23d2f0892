"""The C kernel for verifiers (``_vartime.c``): compiled on first use, checked, or absent.

Verifying a ballot is a few hundred sums like ``v*G − c*A``; libsodium computes each term
on its own and decodes and re-encodes every point in between. ``_vartime.c`` keeps points
decoded and shares one chain of doublings per sum, which makes verification about twice as
fast. It is variable-time, so only public values may go through it (see group.py's
``vartime_sum``); every secret stays with libsodium.

The kernel is compiled with the machine's C compiler (``$CC``, else ``cc`` or ``gcc``) into
``$XDG_CACHE_HOME/smartseoul`` (default ``~/.cache/smartseoul``; a temporary directory when
that is not writable), once per source version. Without a compiler, or with
``SMARTSEOUL_VARTIME=0``, everything runs on libsodium alone: same results, slower.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import logging
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

logger = logging.getLogger(__name__)

SOURCE = Path(__file__).with_name("_vartime.c")
FLAGS = ("-O2", "-fPIC", "-shared", "-std=gnu11", "-fno-strict-aliasing")
MAX_TERMS = 32  # must match _vartime.c
DECODED_SIZE = 160

_P = 2**255 - 19
_D = (-121665 * pow(121666, -1, _P)) % _P
_SQRT_M1 = pow(2, (_P - 1) // 4, _P)
# RFC 9496 §4.1: 1/sqrt(a − d) with a = −1, the non-negative root.
_INVSQRT_A_MINUS_D = 54469307008909316920995813868745141605393597292927456921205312896311721017578


def _compiler() -> str | None:
    for name in (os.environ.get("CC"), "cc", "gcc", "clang"):
        if name and (path := shutil.which(name)):
            return path
    return None


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    directory = Path(base) / "smartseoul"
    with contextlib.suppress(OSError):
        directory.mkdir(parents=True, exist_ok=True)
    if os.access(directory, os.W_OK):
        return directory
    fallback = Path(tempfile.gettempdir()) / f"smartseoul-{os.getuid()}"
    fallback.mkdir(exist_ok=True)
    return fallback


def _build() -> Path | None:
    compiler = _compiler()
    if compiler is None:
        return None
    source = SOURCE.read_bytes()
    key = hashlib.sha256(
        source + " ".join(FLAGS).encode() + platform.machine().encode() + sys.platform.encode()
    ).hexdigest()[:20]
    directory = _cache_dir()
    target = directory / f"vartime-{key}.so"
    if target.exists():
        return target
    # Compile to a private name and rename: processes starting together never load a
    # half-written library.
    with tempfile.TemporaryDirectory(dir=directory) as work:
        partial = Path(work) / "vartime.so"
        # The compiler comes from $CC or PATH, as for any build; the arguments are ours.
        result = subprocess.run(  # noqa: S603
            [compiler, *FLAGS, "-o", str(partial), str(SOURCE)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if result.returncode != 0:
            logger.warning("C verifier kernel did not compile: %s", result.stderr.strip()[:500])
            return None
        os.replace(partial, target)
    return target


def _load() -> ctypes.CDLL | None:
    if os.environ.get("SMARTSEOUL_VARTIME", "1") == "0":
        return None
    try:
        path = _build()
        if path is None:
            return None
        library = ctypes.CDLL(str(path))
    except (OSError, subprocess.SubprocessError) as error:
        logger.warning("C verifier kernel unavailable: %s", error)
        return None
    u8p = ctypes.c_char_p
    library.smartseoul_vartime_init.argtypes = [u8p, u8p, u8p]
    library.smartseoul_vartime_decode.argtypes = [u8p, u8p]
    library.smartseoul_vartime_encode.argtypes = [u8p, u8p]
    library.smartseoul_vartime_encode.restype = None
    library.smartseoul_vartime_add.argtypes = [u8p, u8p, u8p]
    library.smartseoul_vartime_add.restype = None
    library.smartseoul_vartime_sum.argtypes = [ctypes.c_size_t, u8p, u8p, u8p, u8p, u8p]
    constants = [x.to_bytes(32, "little") for x in (_D, _SQRT_M1, _INVSQRT_A_MINUS_D)]
    if library.smartseoul_vartime_init(*constants) != 0:
        return None
    return library


#: The loaded kernel, or None (libsodium alone). group.py checks it against libsodium
#: before trusting it.
library = _load()
