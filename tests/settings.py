"""The real settings module, read with the test suite's environment."""

from __future__ import annotations

import os

os.environ.setdefault("SMARTSEOUL_ENV", "test")
# Postgres runs when DATABASE_URL is set (CI does both); SQLite by default.
os.environ.setdefault("SMARTSEOUL_API_RATE_ANONYMOUS", "1000/m")

from smartseoul.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast hashing in tests only
