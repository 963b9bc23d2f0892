"""The trustees of a secret vote: their key ceremony and their decryption (all writes).

The election key is made by the trustees together, k of n, with no trusted dealer
(docs/election-crypto.md §8): each trustee publishes a transport key, then a dealing
(Feldman commitments with proofs) and shares sealed to every other trustee, then confirms
after opening and checking the shares sealed to it on its own machine.  When all have
confirmed, the joint key and the election hash are fixed and the vote may be scheduled.
After the close the tally is the homomorphic sum of the counted ballots; any k trustees'
decryption shares, each proven correct, give the results.

The server only sees public values and sealed shares.  Every action locks the vote row, so
concurrent trustees cannot both be "the last to confirm".
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from typing import Any

import rfc8785
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from smartseoul.audit.actions import audit_record
from smartseoul.voting.ballot_context import crypto_manifest
from smartseoul.voting.crypto import (
    Ceremony,
    Ciphertext,
    DecryptionShare,
    DiscreteLog,
    ElectionContext,
    ProofError,
    PublicDealing,
    SealedShare,
    decrypt_tally,
    joint_public_key,
    public_share,
    verify_dealing,
    verify_decryption_share,
    verify_transport_key,
)
from smartseoul.voting.crypto.codec import read_object, read_point
from smartseoul.voting.crypto.proofs import ChallengeResponse
from smartseoul.voting.manifest import manifest_hash
from smartseoul.voting.models import Trustee, Vote
from smartseoul.voting.tally import (
    counted_weight,
    results_document,
    tally_from_json,
    turnout_by_district,
    unflatten,
)

TRUSTEE_PERMISSION = "accounts.act_as_trustee"
CEREMONY_TYPE = "smartseoul.key-ceremony/v1"
# Past a few dozen trustees a ceremony is unmanageable by people (the crypto allows 255).
MAX_APPOINTED = 25


def ceremony_of(vote: Vote) -> Ceremony:
    return Ceremony(
        bytes.fromhex(vote.ceremony_hash), vote.trustees.count(), int(vote.threshold or 0)
    )


def public_dealings(vote: Vote) -> list[PublicDealing]:
    return [PublicDealing.from_json(t.dealing) for t in vote.trustees.all() if t.dealing]


def _locked(vote: Vote) -> Vote:
    """Re-read the vote under a row lock: trustee steps on one vote run one at a time."""
    return Vote.objects.select_for_update().get(pk=vote.pk)


def _proof_error(exc: ProofError, field: str) -> ValidationError:
    return ValidationError({field: _("This does not verify: %(reason)s") % {"reason": exc}})


# --- appointing -----------------------------------------------------------------------------


@transaction.atomic
def trustees_appoint(
    *, actor: Any, vote: Vote, users: Sequence[Any], threshold: int
) -> list[Trustee]:
    """Name the trustees (in order: trustee 1, 2, …) and how many are needed to decrypt.

    Appointing again, before the key is complete, starts a fresh ceremony: that is how an
    administrator replaces a trustee who cannot go on or whose shares failed a check.
    """
    if not actor.has_perm("accounts.administer_elections"):
        raise PermissionDenied(_("Only election administrators appoint trustees."))
    caller, vote = vote, _locked(vote)
    if vote.privacy != Vote.Privacy.SECRET:
        raise ValidationError({"vote": _("Only secret ballots have trustees.")})
    if vote.status not in (Vote.Status.DRAFT, Vote.Status.PENDING) or vote.public_key:
        raise ValidationError(
            {"vote": _("Trustees are appointed before the election key is made.")}
        )
    users = list(users)
    if not 1 <= len(users) <= MAX_APPOINTED or len({u.pk for u in users}) != len(users):
        raise ValidationError(
            {"users": _("Appoint 1 to %(n)d different trustees.") % {"n": MAX_APPOINTED}}
        )
    if not 1 <= threshold <= len(users):
        raise ValidationError(
            {"threshold": _("The threshold must be between 1 and the number of trustees.")}
        )
    for user in users:
        if not user.has_perm(TRUSTEE_PERMISSION):
            raise ValidationError(
                {"users": _("%(user)s does not hold the election trustee role.") % {"user": user}}
            )
    document: dict[str, Any] = {
        "type": CEREMONY_TYPE,
        "vote": str(vote.public_id),
        "trustees": len(users),
        "threshold": threshold,
        # A fresh ceremony after a restart must not accept messages from the old one.
        "nonce": secrets.token_hex(16),
    }
    Trustee.objects.filter(vote=vote).delete()
    vote.ceremony = document
    vote.ceremony_hash = hashlib.sha256(rfc8785.dumps(document)).hexdigest()
    vote.threshold = threshold
    vote.save(update_fields=["ceremony", "ceremony_hash", "threshold"])
    trustees = [
        Trustee.objects.create(vote=vote, user=user, index=index)
        for index, user in enumerate(users, start=1)
    ]
    audit_record(
        actor=actor,
        action="vote.trustees_appointed",
        target=vote,
        details={
            "trustees": [u.pk for u in users],
            "threshold": threshold,
            "ceremony": vote.ceremony_hash,
        },
    )
    caller.refresh_from_db()
    return trustees


def _me(actor: Any, vote: Vote) -> Trustee:
    """The acting user's own trustee row, locked: a trustee acts only for itself."""
    if not actor.has_perm(TRUSTEE_PERMISSION):
        raise PermissionDenied(_("Only election trustees take part in a key ceremony."))
    trustee = Trustee.objects.select_for_update().filter(vote=vote, user=actor).first()
    if trustee is None:
        raise PermissionDenied(_("You are not a trustee of this vote."))
    return trustee


def _ceremony_running(vote: Vote) -> None:
    if not vote.ceremony_hash or vote.public_key:
        raise ValidationError({"vote": _("This vote's key ceremony is not running.")})
    if vote.status not in (Vote.Status.DRAFT, Vote.Status.PENDING):
        raise ValidationError({"vote": _("This vote's key ceremony is not running.")})


def _same_or_refuse(stored: Any, submitted: Any, what: str) -> bool:
    """Re-sending what was accepted is fine (a lost answer); changing it is not."""
    if stored is None:
        return False
    if stored == submitted:
        return True
    raise ValidationError({what: _("You already sent this; it cannot be changed.")})


# --- key ceremony ---------------------------------------------------------------------------


@transaction.atomic
def trustee_transport_key_submit(*, actor: Any, vote: Vote, transport_key: Any) -> Trustee:
    """Step 1: the key the other trustees seal this trustee's shares to, with its proof."""
    vote = _locked(vote)
    _ceremony_running(vote)
    me = _me(actor, vote)
    try:
        fields = read_object(transport_key, "transport_key", ("public", "proof"))
        public = read_point(fields["public"], "transport_key.public")
        proof = ChallengeResponse.from_json(fields["proof"], "transport_key.proof")
        verify_transport_key(ceremony_of(vote), me.index, public, proof)
    except ProofError as exc:
        raise _proof_error(exc, "transport_key") from None
    clean = {"public": public.hex(), "proof": proof.to_json()}
    if _same_or_refuse(me.transport_key, clean, "transport_key"):
        return me
    me.transport_key = clean
    me.transport_key_at = timezone.now()
    me.save(update_fields=["transport_key", "transport_key_at"])
    audit_record(
        actor=actor, action="trustee.transport_key", target=vote, details={"index": me.index}
    )
    return me


@transaction.atomic
def trustee_dealing_submit(
    *, actor: Any, vote: Vote, dealing: Any, sealed_shares: Sequence[Any]
) -> Trustee:
    """Step 2: the public dealing (checked in full) and one sealed share per other trustee
    (checked for form and addressing; only the recipient can open one)."""
    vote = _locked(vote)
    _ceremony_running(vote)
    me = _me(actor, vote)
    trustees = list(vote.trustees.all())
    if any(t.transport_key is None for t in trustees):
        raise ValidationError({"dealing": _("Wait until every trustee has sent a transport key.")})
    ceremony = ceremony_of(vote)
    try:
        public = PublicDealing.from_json(dealing)
        if public.dealer != me.index:
            raise ProofError(f"the dealing is from dealer {public.dealer}, you are {me.index}")
        verify_dealing(ceremony, public)
        sealed = [SealedShare.from_json(item) for item in sealed_shares]
    except ProofError as exc:
        raise _proof_error(exc, "dealing") from None
    others = {t.index for t in trustees} - {me.index}
    recipients = [s.recipient for s in sealed]
    if any(s.dealer != me.index for s in sealed) or sorted(recipients) != sorted(others):
        raise ValidationError(
            {"sealed_shares": _("Send exactly one sealed share to every other trustee.")}
        )
    if any(s.ephemeral.is_identity for s in sealed):
        raise ValidationError({"sealed_shares": _("A sealed share is malformed.")})
    clean_dealing = public.to_json()
    clean_shares = [s.to_json() for s in sorted(sealed, key=lambda s: s.recipient)]
    if _same_or_refuse(me.dealing, clean_dealing, "dealing"):
        return me
    me.dealing, me.sealed_shares, me.dealt_at = clean_dealing, clean_shares, timezone.now()
    me.save(update_fields=["dealing", "sealed_shares", "dealt_at"])
    audit_record(actor=actor, action="trustee.dealt", target=vote, details={"index": me.index})
    return me


@transaction.atomic
def trustee_confirm(*, actor: Any, vote: Vote) -> Trustee:
    """Step 3: the trustee opened every share sealed to it and checked each against its
    dealer's commitments (on its own machine).  The last confirmation fixes the election key."""
    caller, vote = vote, _locked(vote)
    me = _me(actor, vote)
    if vote.public_key and me.confirmed_at is not None:
        return me  # a retry after the key was completed
    _ceremony_running(vote)
    trustees = list(vote.trustees.all())
    if any(t.dealing is None for t in trustees):
        raise ValidationError({"vote": _("Wait until every trustee has dealt.")})
    if me.confirmed_at is None:
        me.confirmed_at = timezone.now()
        me.save(update_fields=["confirmed_at"])
        audit_record(
            actor=actor, action="trustee.confirmed", target=vote, details={"index": me.index}
        )
    if all(t.confirmed_at is not None or t.pk == me.pk for t in trustees):
        _key_complete(actor, vote)
        caller.refresh_from_db()
    return me


def _key_complete(actor: Any, vote: Vote) -> None:
    """Fix the joint key and the election hash, binding the manifest as it is now."""
    dealings = public_dealings(vote)
    key = joint_public_key(dealings)
    vote.manifest_hash = manifest_hash(vote)
    context = ElectionContext.create(crypto_manifest(vote), key)
    vote.public_key = key.hex()
    vote.election_hash = context.election_hash.hex()
    vote.save(update_fields=["manifest_hash", "public_key", "election_hash"])
    audit_record(
        actor=actor,
        action="vote.key_generated",
        target=vote,
        details={"public_key": vote.public_key, "election_hash": vote.election_hash},
    )


# --- decryption -----------------------------------------------------------------------------


@transaction.atomic
def trustee_decryption_submit(*, actor: Any, vote: Vote, share: Any) -> Trustee:
    """A trustee's partial decryption of the encrypted tally, with a proof per option.

    The proofs are checked against the trustee's public share, computed from the dealings
    (never taken from the message).  With k valid shares the results are decrypted.
    """
    caller, fresh = vote, _locked(vote)
    me = _me(actor, fresh)
    if fresh.encrypted_tally is None:
        raise ValidationError({"share": _("There is no encrypted tally to decrypt yet.")})
    ciphertexts = tally_from_json(fresh.encrypted_tally)
    election_hash = bytes.fromhex(fresh.election_hash)
    try:
        parsed = DecryptionShare.from_json(share)
        if parsed.trustee != me.index:
            raise ProofError(f"the share names trustee {parsed.trustee}, you are {me.index}")
        public = public_share(public_dealings(fresh), me.index)
        verify_decryption_share(election_hash, public, ciphertexts, parsed)
    except ProofError as exc:
        raise _proof_error(exc, "share") from None
    # Proofs are randomised, so a retry after a lost answer differs from the share stored;
    # both verified, and the first one stays.
    if me.decryption is None:
        me.decryption, me.decrypted_at = parsed.to_json(), timezone.now()
        me.save(update_fields=["decryption", "decrypted_at"])
        audit_record(
            actor=actor, action="trustee.decrypted", target=fresh, details={"index": me.index}
        )
    if fresh.status == Vote.Status.CLOSED:
        _decrypt_when_enough(actor, fresh, ciphertexts)
    caller.refresh_from_db()
    return me


def _decrypt_when_enough(actor: Any, vote: Vote, ciphertexts: list[Ciphertext]) -> None:
    shares = [
        DecryptionShare.from_json(t.decryption)
        for t in vote.trustees.filter(decryption__isnull=False)
    ]
    threshold = int(vote.threshold or 0)
    if len(shares) < threshold:
        return
    ballots, turnout = turnout_by_district(vote)
    # No count can exceed the total weight: the discrete-log search stops there.
    counts = decrypt_tally(threshold, ciphertexts, shares, DiscreteLog(counted_weight(vote)))
    vote.results = results_document(vote, unflatten(vote, counts), ballots, turnout)
    vote.tallied_at = timezone.now()
    vote.status = Vote.Status.TALLIED
    vote.save(update_fields=["results", "tallied_at", "status"])
    audit_record(
        actor=actor,
        action="vote.tallied",
        target=vote,
        details={"ballots": ballots, "trustees": sorted(s.trustee for s in shares)},
    )
