"""The packaged boundary files: JUSO 2015 via southkorea/seoul-maps, Apache-2.0.

See data/README.md for the attribution that must travel with them.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"


@cache
def district_features() -> list[dict[str, Any]]:
    return _features("seoul_districts.geojson")


@cache
def neighbourhood_features() -> list[dict[str, Any]]:
    return _features("seoul_neighborhoods.geojson")


def _features(name: str) -> list[dict[str, Any]]:
    with (DATA_DIR / name).open(encoding="utf-8") as fh:
        return list(json.load(fh)["features"])
