"""Text messages (SMS), sent by the worker through a pluggable backend.

Korea has no standard protocol for sending SMS: every operator signs up with a gateway
(NHN Cloud, Aligo, a carrier's bulk service …), each with its own HTTP API.  So, like
Django's e-mail backends, ``SMARTSEOUL_SMS_BACKEND`` names a class with
``send(*, to, text)``; a city adds its gateway as one small class in its own package.
The default outside production prints each message (as the console e-mail backend does);
in production the default refuses, so that a voting code is never silently dropped.

Messages are queued as tasks and sent after the write that produced them commits.
"""

from __future__ import annotations

import logging
import re
import sys
from functools import cache
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string
from django_tasks import task

log = logging.getLogger(__name__)

# Korean mobile numbers: 010-1234-5678, 01012345678, +82 10 1234 5678.
_MOBILE = re.compile(r"^(?:\+?82[\s-]?|0)(1[016789])[\s-]?(\d{3,4})[\s-]?(\d{4})$")


class SmsUnavailableError(RuntimeError):
    """No SMS gateway is configured."""


class SmsBackend(Protocol):
    def send(self, *, to: str, text: str) -> None: ...


class ConsoleSmsBackend:
    """Prints each message: for the demo and development."""

    def send(self, *, to: str, text: str) -> None:
        sys.stdout.write(f"[SMS to {to}] {text}\n")
        sys.stdout.flush()


class DisabledSmsBackend:
    def send(self, *, to: str, text: str) -> None:
        raise SmsUnavailableError(
            "no SMS gateway is configured: set SMARTSEOUL_SMS_BACKEND (docs/configuration.md)"
        )


def mobile_number(text: str) -> str | None:
    """The number as 010-1234-5678 if ``text`` is a Korean mobile number, else None."""
    match = _MOBILE.match(text.strip())
    if match is None:
        return None
    prefix, middle, last = match.groups()
    return f"0{prefix}-{middle}-{last}"


@cache
def backend() -> SmsBackend:
    backend_class = import_string(settings.SMS_BACKEND)
    instance: SmsBackend = backend_class()
    return instance


@task()
def sms_deliver(to: str, text: str) -> None:
    backend().send(to=to, text=text)
