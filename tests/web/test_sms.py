"""Text messages: numbers recognised, the backend chosen by settings, sent by the worker."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from smartseoul.web import sms


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("010-1234-5678", "010-1234-5678"),
        ("01012345678", "010-1234-5678"),
        ("+82 10 1234 5678", "010-1234-5678"),
        ("011-123-4567", "011-123-4567"),
        ("02-123-4567", None),  # a landline cannot take a text
        ("minjun@example.com", None),
        ("010-1234-567", None),
    ],
)
def test_korean_mobile_numbers(text: str, number: str | None) -> None:
    assert sms.mobile_number(text) == number


def test_without_a_gateway_production_refuses_rather_than_drops() -> None:
    with pytest.raises(sms.SmsUnavailableError, match="SMARTSEOUL_SMS_BACKEND"):
        sms.DisabledSmsBackend().send(to="010-1234-5678", text="코드 1234")


# The real worker closes its database connection when done, which would end a
# test-wrapping transaction: these rows are committed for real.
@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_a_queued_text(
    capsys: pytest.CaptureFixture[str], django_capture_on_commit_callbacks: object
) -> None:
    sms.sms_deliver.enqueue("010-1234-5678", "[선거] 101-1201 투표 코드 abcd")
    call_command("db_worker", "--batch", "--no-startup-delay")
    assert "[SMS to 010-1234-5678] [선거] 101-1201 투표 코드 abcd" in capsys.readouterr().out
