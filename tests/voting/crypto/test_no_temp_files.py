"""Loading the ballot crypto leaves nothing behind in the temporary folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_a_process_that_loads_the_crypto_leaves_no_library_copy(tmp_path: Path) -> None:
    script = (
        "from smartseoul.voting.crypto.group import G, Scalar\n"
        "assert G * Scalar(2) == G + G\n"  # libsodium still works after the unlink
    )
    subprocess.run(
        [sys.executable, "-c", script],
        env={**os.environ, "TMPDIR": str(tmp_path)},
        check=True,
        timeout=60,
    )
    assert list(tmp_path.iterdir()) == []
