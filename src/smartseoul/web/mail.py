"""E-mail goes out from the background worker, so a slow mail server never slows a page.

``QueuedEmailBackend`` stores each message as a task row in the same transaction as the
write that caused it (a sign-up, a password reset): if the transaction rolls back, no e-mail
is sent; if it commits, the message is not lost even if the web process dies next.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django_tasks import task


def message_to_dict(message: EmailMessage) -> dict[str, Any]:
    return {
        "subject": str(message.subject),
        "body": str(message.body),
        "from_email": message.from_email,
        "to": list(message.to),
        "cc": list(message.cc),
        "bcc": list(message.bcc),
        "reply_to": list(message.reply_to),
        "headers": dict(message.extra_headers),
        "alternatives": [
            [str(alternative[0]), alternative[1]]
            for alternative in getattr(message, "alternatives", [])
        ],
    }


def message_from_dict(data: dict[str, Any]) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=data["subject"],
        body=data["body"],
        from_email=data["from_email"],
        to=data["to"],
        cc=data["cc"],
        bcc=data["bcc"],
        reply_to=data["reply_to"],
        headers=data["headers"],
    )
    for content, mimetype in data["alternatives"]:
        message.attach_alternative(content, mimetype)
    return message


@task()
def email_deliver(message: dict[str, Any]) -> int:
    connection = get_connection(settings.EMAIL_DELIVERY_BACKEND)
    return connection.send_messages([message_from_dict(message)]) or 0


class QueuedEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        for message in email_messages:
            email_deliver.enqueue(message_to_dict(message))
        return len(email_messages)
