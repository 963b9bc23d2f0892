"""Telling citizens what happened to their report, through pluggable channels.

A channel is any class with ``name`` and ``send(notice)``; the settings list
``COMPLAINTS_NOTIFICATION_CHANNELS`` (env ``SMARTSEOUL_COMPLAINTS_CHANNELS``) names the ones
in use, as dotted paths.  E-mail ships here; an SMS gateway or a KakaoTalk business-message
(알림톡) channel is a small class of the same shape in the operator's own package (see
docs/complaints.md) — nothing else changes.  Notices are sent after the write commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.utils import translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from smartseoul.accounts.models import User
    from smartseoul.complaints.models import Report


@dataclass(frozen=True)
class Notice:
    """One message to one person about one report."""

    recipient: User
    report_public_id: str
    subject: str
    body: str
    link: str


class Channel(Protocol):
    name: str

    def send(self, notice: Notice) -> None: ...


class EmailChannel:
    """E-mail through Django's mail, which the platform already queues to the worker."""

    name = "email"

    def send(self, notice: Notice) -> None:
        send_mail(
            subject=notice.subject,
            message=f"{notice.body}\n\n{notice.link}",
            from_email=None,
            recipient_list=[notice.recipient.email],
        )


@cache
def channels() -> tuple[Channel, ...]:
    return tuple(import_string(path)() for path in settings.COMPLAINTS_NOTIFICATION_CHANNELS)


def report_link(report: Report) -> str:
    from django.urls import reverse

    base = getattr(settings, "SITE_URL", "").rstrip("/")
    return base + reverse("complaints:detail", kwargs={"public_id": report.public_id})


def notify_people(*, report: Report, recipients: list[User], subject: str, body: str) -> None:
    """Send through every configured channel (call from ``transaction.on_commit``)."""
    link = report_link(report)
    with translation.override(settings.LANGUAGE_CODE):
        for person in {user.pk: user for user in recipients if user.is_active}.values():
            notice = Notice(person, report.public_id, str(subject), str(body), link)
            for channel in channels():
                channel.send(notice)


def status_notice_text(report: Report, note: str) -> tuple[str, str]:
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Your report %(id)s: %(status)s") % {
            "id": report.public_id,
            "status": report.get_status_display(),
        }
        body = note or _("The status of the report changed.")
    return subject, body
