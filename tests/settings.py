"""The real settings module, read with the test suite's environment."""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("SMARTSEOUL_ENV", "test")
# Postgres runs when DATABASE_URL is set (CI does both); SQLite by default.
os.environ.setdefault("SMARTSEOUL_API_RATE_ANONYMOUS", "1000/m")
# Uploads, stored election records and the like go to a fresh folder, not the checkout's var/.
os.environ.setdefault("SMARTSEOUL_VAR_DIR", tempfile.mkdtemp(prefix="smartseoul-test-"))

from smartseoul.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast hashing in tests only
