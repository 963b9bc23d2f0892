"""Demo datasets (filled in below)."""

from __future__ import annotations


def opendata_demo_load() -> None:
    return None
