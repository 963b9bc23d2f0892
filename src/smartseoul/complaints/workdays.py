"""Working days for legal deadlines: weekends and Korean public holidays do not count.

The holiday calendar ships as ``data/holidays_kr.json`` (2025–2027, lunar holidays and
substitute holidays included).  Outside the covered years only weekends are skipped, and
``calendar_covers`` lets the operator's health check notice a year that needs adding.
"""

from __future__ import annotations

import datetime
import json
from functools import cache
from pathlib import Path

_CALENDAR = Path(__file__).with_name("data") / "holidays_kr.json"


@cache
def holidays() -> dict[datetime.date, str]:
    """Every public holiday in the shipped calendar, date → name."""
    raw = json.loads(_CALENDAR.read_text(encoding="utf-8"))["holidays"]
    return {datetime.date.fromisoformat(day): name for day, name in raw.items()}


def calendar_covers(year: int) -> bool:
    return any(day.year == year for day in holidays())


def is_working_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and day not in holidays()


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    """The date ``days`` working days after ``start`` (the day of receipt does not count).

    A report received on a Friday with a 1-day period is due the next working day, Monday
    (or later if Monday is a holiday).  ``days`` of 0 means the same day.
    """
    if days < 0:
        raise ValueError("days must not be negative")
    day = start
    remaining = days
    while remaining:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """Working days after ``start`` up to and including ``end`` (negative if end is earlier)."""
    if end < start:
        return -working_days_between(end, start)
    count = 0
    day = start
    while day < end:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count
