"""Community elections: the voter roll of households and their one-time credentials.

An apartment complex uploads its households (label, optional weight, optional e-mail or phone).
Each household gets a random credential; only its SHA-256 is stored.  The credential reaches
the household by e-mail, by text message (when an SMS gateway is configured) or on a printed
slip handed out by the election administrator, and lets that household vote in this election
without an account.
"""

from __future__ import annotations

import csv
import hashlib
import io
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from smartseoul.audit.actions import audit_record
from smartseoul.voting.models import RollEntry, Vote
from smartseoul.web.sms import mobile_number, sms_deliver

# Without 0/O and 1/I/L: read aloud or typed from paper without mistakes.
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CREDENTIAL_GROUPS = 4
MAX_HOUSEHOLDS = 20_000


def credential_new() -> str:
    groups = [
        "".join(secrets.choice(_ALPHABET) for _ in range(4)) for _ in range(CREDENTIAL_GROUPS)
    ]
    return "-".join(groups)  # 16 symbols from 31: ~79 bits


def credential_hash(credential: str) -> str:
    normalized = "".join(ch for ch in credential.upper() if ch.isalnum())
    return hashlib.sha256(normalized.encode()).hexdigest()


@dataclass(frozen=True)
class Household:
    label: str
    weight: int = 1
    contact: str = ""


@dataclass(frozen=True)
class IssuedCredential:
    entry: RollEntry
    credential: str


def roll_parse_csv(text: str) -> list[Household]:
    """CSV with a header: ``household`` (required), ``weight`` and ``contact`` (optional)."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if not reader.fieldnames or "household" not in [f.strip() for f in reader.fieldnames]:
        raise ValidationError(
            {"roll": "The first line must name the columns: household,weight,contact"}
        )
    households = []
    for line, row in enumerate(reader, start=2):
        row = {(k or "").strip(): (v or "").strip() for k, v in row.items()}
        if not row.get("household"):
            raise ValidationError({"roll": f"Line {line}: the household is empty."})
        try:
            weight = int(row.get("weight") or 1)
        except ValueError:
            raise ValidationError(
                {"roll": f"Line {line}: the weight must be a whole number."}
            ) from None
        if not 1 <= weight <= 1000:
            raise ValidationError({"roll": f"Line {line}: the weight must be between 1 and 1000."})
        households.append(Household(row["household"], weight, row.get("contact", "")))
    return households


@transaction.atomic
def roll_import(
    *, actor: Any, vote: Vote, households: Iterable[Household]
) -> list[IssuedCredential]:
    """Add households to a draft community election and issue their credentials.

    Returns the credentials once, for delivery (e-mail is sent here; the rest are printed).
    """
    if not actor.has_perm("accounts.administer_elections"):
        raise PermissionDenied("Only election administrators manage voter rolls.")
    if vote.kind != Vote.Kind.COMMUNITY or not vote.uses_roll:
        raise ValidationError(
            {"vote": "Only community elections with a voter roll take households."}
        )
    if vote.status != Vote.Status.DRAFT:
        raise ValidationError({"vote": "The roll is fixed once the election is scheduled."})
    rows = list(households)
    existing = set(RollEntry.objects.filter(vote=vote).values_list("label", flat=True))
    labels = [h.label for h in rows]
    duplicates = sorted(
        {label for label in labels if labels.count(label) > 1} | (existing & set(labels))
    )
    if duplicates:
        raise ValidationError({"roll": f"Households listed twice: {', '.join(duplicates[:10])}"})
    if len(existing) + len(rows) > MAX_HOUSEHOLDS:
        raise ValidationError({"roll": f"A roll has at most {MAX_HOUSEHOLDS} households."})
    unreachable = [
        h.label for h in rows if h.contact and "@" not in h.contact and not mobile_number(h.contact)
    ]
    if unreachable:
        raise ValidationError(
            {
                "roll": "A contact must be an e-mail address or a mobile number (010-…): "
                + ", ".join(unreachable[:10])
            }
        )
    issued = []
    now = timezone.now()
    for household in rows:
        credential = credential_new()
        entry = RollEntry.objects.create(
            vote=vote,
            label=household.label,
            weight=household.weight,
            contact=household.contact,
            credential_hash=credential_hash(credential),
            issued_at=now,
        )
        issued.append(IssuedCredential(entry, credential))
    audit_record(
        actor=actor, action="voting.roll_imported", target=vote, details={"households": len(rows)}
    )
    for item in issued:
        if "@" in item.entry.contact:
            transaction.on_commit(lambda item=item: _email_credential(vote, item))
        elif number := mobile_number(item.entry.contact):
            text = _sms_text(vote, item)
            transaction.on_commit(
                lambda number=number, text=text: sms_deliver.enqueue(number, text)
            )
    return issued


def _sms_text(vote: Vote, item: IssuedCredential) -> str:
    # Short: one long SMS (LMS) at most, whatever the gateway.
    return f"[{vote.title[:40]}] {item.entry.label} 투표 코드 {item.credential}"


def _email_credential(vote: Vote, item: IssuedCredential) -> None:
    send_mail(
        subject=f"[Smart Seoul] {vote.title}",
        message=(
            f"{item.entry.label}\n\n"
            f"Your voting code for “{vote.title}”: {item.credential}\n"
            f"Vote at /voting/{vote.public_id}/household/ between "
            f"{vote.opens_at:%Y-%m-%d %H:%M} and {vote.closes_at:%Y-%m-%d %H:%M}.\n"
        ),
        from_email=None,
        recipient_list=[item.entry.contact],
    )


def roll_entry_for(vote: Vote, credential: str) -> RollEntry | None:
    """The household a presented credential belongs to, in this vote only."""
    return RollEntry.objects.filter(vote=vote, credential_hash=credential_hash(credential)).first()
