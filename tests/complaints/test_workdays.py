"""Deadlines count working days: weekends and Korean public holidays are skipped."""

from __future__ import annotations

import datetime

from smartseoul.complaints.workdays import (
    add_working_days,
    calendar_covers,
    holidays,
    is_working_day,
    working_days_between,
)

D = datetime.date


def test_the_calendar_covers_2025_to_2027_with_lunar_and_substitute_holidays() -> None:
    assert all(calendar_covers(year) for year in (2025, 2026, 2027))
    days = holidays()
    assert D(2025, 10, 6) in days  # 추석
    assert D(2026, 2, 17) in days  # 설날
    assert D(2027, 2, 9) in days  # 설날 대체공휴일 (설날 on a Sunday)
    assert D(2026, 5, 25) in days  # 부처님오신날 대체공휴일
    assert D(2026, 6, 3) in days  # 지방선거일


def test_a_report_before_the_chuseok_week_is_due_after_it() -> None:
    # Thu 2025-10-02; Fri 10-03 개천절, weekend, Mon–Wed 추석 연휴, Thu 10-08 대체공휴일,
    # Thu 10-09 한글날: the first working day after is Fri 10-10.
    assert add_working_days(D(2025, 10, 2), 1) == D(2025, 10, 10)
    assert add_working_days(D(2025, 10, 2), 3) == D(2025, 10, 14)
    assert not is_working_day(D(2025, 10, 8))


def test_seven_working_days_over_seollal_2026() -> None:
    # Fri 2026-02-13: Mon–Wed 02-16..18 are 설날 연휴, so 7 working days end on Fri 02-27.
    assert add_working_days(D(2026, 2, 13), 7) == D(2026, 2, 27)


def test_weekends_are_skipped_and_zero_days_is_the_same_day() -> None:
    friday = D(2026, 11, 20)
    assert add_working_days(friday, 1) == D(2026, 11, 23)
    assert add_working_days(friday, 0) == friday


def test_working_days_between_counts_the_same_way() -> None:
    start = D(2025, 10, 2)
    assert working_days_between(start, add_working_days(start, 5)) == 5
    assert working_days_between(D(2025, 10, 14), start) == -3
