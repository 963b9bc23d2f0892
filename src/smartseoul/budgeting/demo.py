"""Demo: a participatory-budgeting round (filled in below)."""

from __future__ import annotations


def budgeting_demo_load() -> None:
    return None
