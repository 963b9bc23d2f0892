"""Personal data out of public text: phone numbers, e-mail addresses, resident registration
numbers and car plates are masked automatically; officials can edit the published text."""

from __future__ import annotations

import re

MASK = "▇▇▇"

_PATTERNS = [
    re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),  # e-mail
    re.compile(r"\b\d{6}\s*-\s*[1-8]\d{6}\b"),  # resident registration number
    re.compile(r"(?:\+82[\s-]?|\b0)(?:1[016789]|[2-6]\d?)[\s.-]?\d{3,4}[\s.-]?\d{4}\b"),  # phone
]


def redact_text(text: str) -> str:
    for pattern in _PATTERNS:
        text = pattern.sub(MASK, text)
    return text


def box_from_percent(x: float, y: float, width: float, height: float) -> list[float]:
    """An official's box in percent of the photo → fractions, cut at the photo's edges
    (a box dragged past the edge covers up to it)."""
    left, top = min(max(x, 0.0), 100.0) / 100, min(max(y, 0.0), 100.0) / 100
    return [left, top, min(width / 100, 1 - left), min(height / 100, 1 - top)]
