"""Telling citizens what happened to their report, through pluggable channels.

``COMPLAINTS_NOTIFICATION_CHANNELS`` (env ``SMARTSEOUL_COMPLAINTS_CHANNELS``) lists the
channels in use, as dotted paths of classes with ``name``, ``reaches(user)`` and
``send(notice)``.  Three ship:

- ``EmailChannel`` — Django's mail, which the platform queues to the worker;
- ``SmsChannel`` — a text message to the citizen's Korean mobile number, through the
  platform's SMS backend (``smartseoul.web.sms``, sent by the worker);
- ``KakaoAlimtalkChannel`` — a KakaoTalk business message (알림톡) through an HTTP gateway
  (``ALIMTALK_*`` settings), sent by the worker, falling back to SMS when it fails.

Each person hears through **one** channel: the one they chose (``NotificationPreference``)
if it is in use and can reach them (a mobile number for SMS and KakaoTalk), else the first
configured channel that can (e-mail by default).  Notices are sent after the write commits.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, Protocol

import httpx
from django.conf import settings
from django.core.mail import send_mail
from django.core.signals import setting_changed
from django.utils import translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import task

from smartseoul.web import sms

if TYPE_CHECKING:
    from smartseoul.accounts.models import User
    from smartseoul.complaints.models import Report

log = logging.getLogger(__name__)

# A long text message (LMS) takes 2,000 bytes of EUC-KR, 1,000 Korean characters.
TEXT_MAX_CHARS = 1000


@dataclass(frozen=True)
class Notice:
    """One message to one person about one report."""

    recipient: User
    report_public_id: str
    subject: str
    body: str
    link: str

    def short_text(self) -> str:
        """The notice as one text message (SMS/LMS, KakaoTalk)."""
        return short_text(self.subject, self.body, self.link)


def short_text(subject: str, body: str, link: str) -> str:
    head = f"[{_('Smart Complaint Report')}] {subject}\n"
    tail = f"\n{link}" if link else ""
    room = TEXT_MAX_CHARS - len(head) - len(tail)
    return head + (body if len(body) <= room else body[: room - 1] + "…") + tail


class Channel(Protocol):
    name: str

    def reaches(self, user: User) -> bool: ...

    def send(self, notice: Notice) -> None: ...


def mobile_of(user: User) -> str | None:
    """The person's Korean mobile number from their citizen profile, if they gave one."""
    profile = getattr(user, "citizen_profile", None)
    return sms.mobile_number(profile.phone) if profile is not None and profile.phone else None


class EmailChannel:
    """E-mail through Django's mail, which the platform already queues to the worker."""

    name = "email"
    label = gettext_lazy("E-mail")

    def reaches(self, user: User) -> bool:
        return bool(user.email)

    def send(self, notice: Notice) -> None:
        send_mail(
            subject=notice.subject,
            message=f"{notice.body}\n\n{notice.link}",
            from_email=None,
            recipient_list=[notice.recipient.email],
        )


class SmsChannel:
    """A text message through ``SMARTSEOUL_SMS_BACKEND``, queued for the worker."""

    name = "sms"
    label = gettext_lazy("Text message (SMS)")

    @staticmethod
    def can_send() -> bool:
        # In production without a gateway the SMS backend refuses: do not choose it then.
        return settings.SMS_BACKEND != "smartseoul.web.sms.DisabledSmsBackend"

    def reaches(self, user: User) -> bool:
        return self.can_send() and bool(mobile_of(user))

    def send(self, notice: Notice) -> None:
        number = mobile_of(notice.recipient)
        if number:
            sms.sms_deliver.enqueue(number, notice.short_text())


class KakaoAlimtalkChannel:
    """KakaoTalk business messages (알림톡) through an HTTP gateway, queued for the worker.

    Kakao does not take messages from cities directly: an official dealer (딜러사) relays
    them for a registered sender profile (발신 프로필) and pre-approved templates.  This
    channel speaks a small JSON interface that a dealer's API or a thin adapter provides:
    ``POST ALIMTALK_URL`` with ``Authorization: Bearer ALIMTALK_TOKEN`` and ::

        {"sender_key": "...", "template_code": "complaint_status", "to": "01012345678",
         "message": "...", "buttons": [{"type": "WL", "name": "...", "url": "https://..."}]}

    Any 2xx answer is success.  When the gateway refuses or cannot be reached, the worker
    sends the same text as an SMS instead (as dealers' 대체 발송 does)."""

    name = "kakao"
    label = gettext_lazy("KakaoTalk")

    @staticmethod
    def can_send() -> bool:
        return bool(settings.ALIMTALK_URL)

    def reaches(self, user: User) -> bool:
        return self.can_send() and bool(mobile_of(user))

    def send(self, notice: Notice) -> None:
        number = mobile_of(notice.recipient)
        if number:
            alimtalk_deliver.enqueue(number, notice.short_text(), notice.link)


class AlimtalkError(RuntimeError):
    """The KakaoTalk gateway did not take the message."""


def alimtalk_send(*, to: str, text: str, link: str) -> None:
    """One request to the gateway; raises ``AlimtalkError`` if it is not accepted."""
    if not settings.ALIMTALK_URL:
        raise AlimtalkError("SMARTSEOUL_ALIMTALK_URL is not set")
    payload: dict[str, Any] = {
        "sender_key": settings.ALIMTALK_SENDER_KEY or "",
        "template_code": settings.ALIMTALK_TEMPLATE,
        "to": to.replace("-", ""),
        "message": text,
        "buttons": [{"type": "WL", "name": _("See the report"), "url": link}] if link else [],
    }
    token = settings.ALIMTALK_TOKEN
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        answer = httpx.post(settings.ALIMTALK_URL, json=payload, headers=headers, timeout=10)
    except httpx.HTTPError as exc:
        raise AlimtalkError(f"gateway unreachable: {exc}") from exc
    if not answer.is_success:
        raise AlimtalkError(f"gateway answered {answer.status_code}: {answer.text[:200]}")


@task()
def alimtalk_deliver(to: str, text: str, link: str) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        try:
            alimtalk_send(to=to, text=text, link=link)
        except AlimtalkError as exc:
            log.warning("KakaoTalk message to %s not sent (%s); sending an SMS instead", to, exc)
            sms.sms_deliver.enqueue(to, text)


@cache
def channels() -> tuple[Channel, ...]:
    return tuple(import_string(path)() for path in settings.COMPLAINTS_NOTIFICATION_CHANNELS)


def channel_for(user: User, preferred: str | None) -> Channel | None:
    """The channel this person hears through (None: no configured channel reaches them)."""
    available = channels()
    for channel in available:
        if channel.name == preferred and reaches(channel, user):
            return channel
    return next((channel for channel in available if reaches(channel, user)), None)


def reaches(channel: Channel, user: User) -> bool:
    # A channel written before ``reaches`` existed is taken to reach everybody.
    check = getattr(channel, "reaches", None)
    return True if check is None else bool(check(user))


def report_link(report: Report) -> str:
    from django.urls import reverse

    base = getattr(settings, "SITE_URL", "").rstrip("/")
    return base + reverse("complaints:detail", kwargs={"public_id": report.public_id})


def notify_people(*, report: Report, recipients: list[User], subject: str, body: str) -> None:
    """Send to each person through their channel (call from ``transaction.on_commit``)."""
    from smartseoul.complaints.models import NotificationPreference

    link = report_link(report)
    people = {user.pk: user for user in recipients if user.is_active}
    preferred = dict(
        NotificationPreference.objects.filter(user_id__in=people).values_list("user_id", "channel")
    )
    with translation.override(settings.LANGUAGE_CODE):
        for person in people.values():
            channel = channel_for(person, preferred.get(person.pk))
            if channel is not None:
                channel.send(Notice(person, report.public_id, str(subject), str(body), link))


def notify_address(*, report: Report, email: str, subject: str, body: str) -> None:
    """E-mail a reporter known only by the address an Open311 client sent with the report."""
    with translation.override(settings.LANGUAGE_CODE):
        send_mail(
            subject=str(subject),
            message=f"{body}\n\n{report_link(report)}",
            from_email=None,
            recipient_list=[email],
        )


def notify_number(*, report: Report, phone: str, subject: str, body: str) -> bool:
    """Text a reporter known only by the phone number an Open311 client sent: KakaoTalk or
    SMS, whichever of the configured channels can send. False when none can (no text
    channel in use, no SMS gateway, or not a Korean mobile number)."""
    number = sms.mobile_number(phone)
    if number is None:
        return False
    in_use = {type(channel) for channel in channels()}
    with translation.override(settings.LANGUAGE_CODE):
        link = report_link(report)
        text = short_text(str(subject), str(body), link)
        if KakaoAlimtalkChannel in in_use and KakaoAlimtalkChannel.can_send():
            alimtalk_deliver.enqueue(number, text, link)
            return True
        if SmsChannel in in_use and SmsChannel.can_send():
            sms.sms_deliver.enqueue(number, text)
            return True
    return False


def status_notice_text(report: Report, note: str) -> tuple[str, str]:
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Your report %(id)s: %(status)s") % {
            "id": report.public_id,
            "status": report.get_status_display(),
        }
        body = note or _("The status of the report changed.")
    return subject, body


def _forget_on_change(*, setting: str, **kwargs: Any) -> None:
    if setting == "COMPLAINTS_NOTIFICATION_CHANNELS":
        channels.cache_clear()


setting_changed.connect(_forget_on_change)
