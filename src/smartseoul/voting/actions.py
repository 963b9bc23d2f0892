"""Every write to mVoting: atomic, audited; views, API, CLI and tasks all come through here."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import rfc8785
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from smartseoul.audit.actions import audit_record
from smartseoul.ledger.merkle import leaf_hash
from smartseoul.places.models import District, Neighbourhood
from smartseoul.voting.ballot_context import election_context
from smartseoul.voting.budget_rules import NEEDS_APPROVAL_SETS, BudgetRule, verified_budget_proofs
from smartseoul.voting.crypto import EncryptedBallot, ProofError, verify_ballot
from smartseoul.voting.eligibility import user_eligibility
from smartseoul.voting.manifest import manifest_hash
from smartseoul.voting.models import (
    Ballot,
    Option,
    PaperBatch,
    Participation,
    Question,
    RollEntry,
    Vote,
)
from smartseoul.voting.permissions import may_administer, may_manage
from smartseoul.voting.sequencer import ballots_sequence
from smartseoul.voting.shape import vote_shape
from smartseoul.voting.tally import count_open_ballots

MAX_QUESTIONS = 20
MAX_OPTIONS = 50


@dataclass(frozen=True)
class QuestionSpec:
    text: str
    options: Sequence[str]
    min_choices: int = 1
    max_choices: int = 1
    # Optional, one per option in the same order: shown under the option's label.
    descriptions: Sequence[str] = ()
    # A participatory-budgeting scope: options are projects (budget_rules.py).
    budget: BudgetRule | None = None


@dataclass(frozen=True)
class EligibilitySpec:
    require_verified: bool = False
    districts: Sequence[District] = field(default_factory=list)
    neighbourhoods: Sequence[Neighbourhood] = field(default_factory=list)
    min_age: int | None = None
    max_age: int | None = None


def _check_creator(actor: Any, kind: str) -> None:
    if kind in (Vote.Kind.POLICY, Vote.Kind.COMMUNITY, Vote.Kind.BUDGET):
        if not may_administer(actor):
            raise PermissionDenied(
                "Only election administrators create policy polls and elections."
            )
        return
    profile = getattr(actor, "citizen_profile", None)
    if profile is None or not profile.verified:
        raise PermissionDenied("Only identity-verified citizens can create citizen polls.")


def _validate(
    *,
    title: str,
    opens_at: datetime.datetime,
    closes_at: datetime.datetime,
    privacy: str,
    results_live: bool,
    questions: Sequence[QuestionSpec],
    eligibility: EligibilitySpec,
) -> None:
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = "Give the vote a title."
    if closes_at <= opens_at:
        errors["closes_at"] = "The vote must close after it opens."
    if privacy == Vote.Privacy.SECRET and results_live:
        errors["results_live"] = "Secret ballots are counted only after the close."
    if not questions:
        errors["questions"] = "Add at least one question."
    elif len(questions) > MAX_QUESTIONS:
        errors["questions"] = f"At most {MAX_QUESTIONS} questions."
    for number, spec in enumerate(questions, start=1):
        labels = [label.strip() for label in spec.options if label.strip()]
        if not spec.text.strip():
            errors[f"questions.{number}"] = f"Question {number} has no text."
        elif len(labels) < 2 or len(labels) > MAX_OPTIONS:
            errors[f"questions.{number}"] = f"Question {number} needs 2 to {MAX_OPTIONS} options."
        elif len(set(labels)) != len(labels):
            errors[f"questions.{number}"] = f"Question {number} repeats an option."
        elif not 0 <= spec.min_choices <= spec.max_choices <= len(labels) or spec.max_choices < 1:
            errors[f"questions.{number}"] = (
                f"Question {number}: choose between 0 ≤ minimum ≤ maximum ≤ {len(labels)} options."
            )
        elif spec.budget is not None:
            problem = _budget_problem(spec.budget, len(labels), privacy)
            if problem:
                errors[f"questions.{number}"] = f"Question {number}: {problem}"
    low, high = eligibility.min_age, eligibility.max_age
    if low is not None and high is not None and low > high:
        errors["max_age"] = "The maximum age is below the minimum age."
    if errors:
        raise ValidationError(errors)


def _budget_problem(rule: BudgetRule, options: int, privacy: str) -> str | None:
    if len(rule.weights) != options:
        return f"the budget rule has {len(rule.weights)} projects, the question {options} options."
    if privacy == Vote.Privacy.SECRET and rule.winner_rule in NEEDS_APPROVAL_SETS:
        # A homomorphic tally gives how many approved each project, not who approved what.
        return "secret ballots are counted per project, so only the greedy winner rule works."
    if rule.low > sum(rule.weights):
        return "no ballot can reach the minimum total."
    return None


@transaction.atomic
def vote_create(
    *,
    actor: Any,
    kind: str,
    title: str,
    opens_at: datetime.datetime,
    closes_at: datetime.datetime,
    questions: Sequence[QuestionSpec],
    description: str = "",
    privacy: str = Vote.Privacy.OPEN,
    eligibility: EligibilitySpec | None = None,
    allow_revote: bool = True,
    results_live: bool = False,
    uses_roll: bool = False,
) -> Vote:
    """Create a vote as a draft.  Policy polls and elections: election administrators;
    citizen polls: identity-verified citizens (published after moderation)."""
    _check_creator(actor, kind)
    eligibility = eligibility or EligibilitySpec()
    _validate(
        title=title,
        opens_at=opens_at,
        closes_at=closes_at,
        privacy=privacy,
        results_live=results_live,
        questions=questions,
        eligibility=eligibility,
    )
    vote = Vote.objects.create(
        kind=kind,
        privacy=privacy,
        title=title.strip(),
        description=description.strip(),
        created_by=actor,
        opens_at=opens_at,
        closes_at=closes_at,
        allow_revote=allow_revote,
        results_live=results_live and privacy == Vote.Privacy.OPEN,
        require_verified=eligibility.require_verified,
        min_age=eligibility.min_age,
        max_age=eligibility.max_age,
        uses_roll=uses_roll,
        pseudonym_key=secrets.token_bytes(32),
    )
    vote.districts.set(eligibility.districts)
    vote.neighbourhoods.set(eligibility.neighbourhoods)
    for position, spec in enumerate(questions):
        question = Question.objects.create(
            vote=vote,
            position=position,
            text=spec.text.strip(),
            min_choices=spec.min_choices,
            max_choices=spec.max_choices,
            budget=None if spec.budget is None else spec.budget.to_json(),
        )
        padded = [*spec.descriptions, *[""] * (len(spec.options) - len(spec.descriptions))]
        described = zip(spec.options, padded, strict=True)
        Option.objects.bulk_create(
            Option(question=question, position=index, label=label.strip(), description=text)
            for index, (label, text) in enumerate(
                (label, text.strip()) for label, text in described if label.strip()
            )
        )
    audit_record(
        actor=actor, action="vote.created", target=vote, details={"kind": kind, "privacy": privacy}
    )
    return vote


def _freeze(vote: Vote, status: str) -> None:
    if vote.privacy == Vote.Privacy.SECRET:
        # Ballots are encrypted under the trustees' key and bound to the manifest it was
        # made for (the election hash): both must exist and still match.
        if not vote.public_key:
            raise ValidationError(
                {"status": _("The trustees have not finished making the election key.")}
            )
        if manifest_hash(vote) != vote.manifest_hash:
            raise ValidationError(
                {
                    "status": _(
                        "The vote changed after its key ceremony; appoint the trustees again."
                    )
                }
            )
    vote.manifest_hash = manifest_hash(vote)
    vote.status = status
    vote.save(update_fields=["manifest_hash", "status"])


@transaction.atomic
def vote_schedule(*, actor: Any, vote: Vote) -> Vote:
    """Fix the manifest; the vote opens by itself at ``opens_at``."""
    if vote.kind == Vote.Kind.CITIZEN:
        raise ValidationError({"status": "Citizen polls are scheduled by moderation."})
    if not may_administer(actor):
        raise PermissionDenied("Only election administrators schedule votes.")
    if vote.status != Vote.Status.DRAFT:
        raise ValidationError({"status": f"A {vote.status} vote cannot be scheduled."})
    if vote.closes_at <= timezone.now():
        raise ValidationError({"closes_at": "This vote would already be closed."})
    _freeze(vote, Vote.Status.SCHEDULED)
    audit_record(
        actor=actor, action="vote.scheduled", target=vote, details={"manifest": vote.manifest_hash}
    )
    return vote


@transaction.atomic
def vote_submit(*, actor: Any, vote: Vote) -> Vote:
    """A citizen sends their poll to moderation."""
    if vote.created_by_id != actor.pk:
        raise PermissionDenied("Only the poll's author can submit it.")
    if vote.status not in (Vote.Status.DRAFT, Vote.Status.REJECTED):
        raise ValidationError({"status": f"A {vote.status} poll cannot be submitted."})
    vote.status = Vote.Status.PENDING
    vote.save(update_fields=["status"])
    audit_record(actor=actor, action="vote.submitted", target=vote)
    return vote


@transaction.atomic
def vote_moderate(*, actor: Any, vote: Vote, approve: bool, note: str = "") -> Vote:
    if not may_administer(actor):
        raise PermissionDenied("Only election administrators moderate citizen polls.")
    if vote.status != Vote.Status.PENDING:
        raise ValidationError({"status": "Only polls waiting for moderation can be moderated."})
    if not approve and not note.strip():
        raise ValidationError({"note": "Tell the author why the poll was rejected."})
    vote.moderated_by = actor
    vote.moderation_note = note.strip()
    if approve:
        _freeze(vote, Vote.Status.SCHEDULED)
    else:
        vote.status = Vote.Status.REJECTED
    vote.save(update_fields=["moderated_by", "moderation_note", "status"])
    audit_record(
        actor=actor,
        action="vote.approved" if approve else "vote.rejected",
        target=vote,
        details={"note": vote.moderation_note},
    )
    return vote


@transaction.atomic
def vote_cancel(*, actor: Any, vote: Vote, reason: str) -> Vote:
    if not may_manage(actor, vote):
        raise PermissionDenied("You may not cancel this vote.")
    if vote.status in (Vote.Status.PUBLISHED, Vote.Status.CANCELLED):
        raise ValidationError({"status": f"A {vote.status} vote cannot be cancelled."})
    if not reason.strip():
        raise ValidationError({"reason": "Give the reason for cancelling; voters will see it."})
    vote.status = Vote.Status.CANCELLED
    vote.cancel_reason = reason.strip()
    vote.save(update_fields=["status", "cancel_reason"])
    audit_record(
        actor=actor, action="vote.cancelled", target=vote, details={"reason": vote.cancel_reason}
    )
    return vote


def vote_sync_status(vote: Vote, *, now: datetime.datetime | None = None) -> Vote:
    """Move a scheduled vote to open and an open vote to closed as their times pass.

    Idempotent and race-free (a conditional UPDATE), so any request or worker may call it.
    """
    now = now or timezone.now()
    if vote.status == Vote.Status.SCHEDULED and vote.opens_at <= now:
        Vote.objects.filter(pk=vote.pk, status=Vote.Status.SCHEDULED).update(
            status=Vote.Status.OPEN
        )
        vote.status = Vote.Status.OPEN
    if vote.status == Vote.Status.OPEN and vote.closes_at <= now:
        Vote.objects.filter(pk=vote.pk, status=Vote.Status.OPEN).update(status=Vote.Status.CLOSED)
        vote.status = Vote.Status.CLOSED
    return vote


def pseudonym(vote: Vote, voter_ref: str) -> str:
    return hmac.new(bytes(vote.pseudonym_key), voter_ref.encode(), hashlib.sha256).hexdigest()[:32]


def _validate_choices(vote: Vote, choices: Sequence[Sequence[int]]) -> list[list[int]]:
    questions = vote_shape(vote).questions
    if len(choices) != len(questions):
        raise ValidationError(
            {"choices": f"Answer all {len(questions)} questions (one list each)."}
        )
    clean: list[list[int]] = []
    for number, (question, chosen) in enumerate(zip(questions, choices, strict=True), start=1):
        if problem := question.problem(chosen):
            raise ValidationError({f"choices.{number}": problem})
        clean.append(sorted(chosen))
    return clean


def _ensure_open(vote: Vote) -> None:
    vote_sync_status(vote)
    if vote.status != Vote.Status.OPEN:
        raise ValidationError({"vote": f"This vote is {vote.get_status_display()}, not open."})


@dataclass(frozen=True)
class VoterIdentity:
    """Who casts: a signed-in citizen, or a household of a voter roll (no account)."""

    ref: str  # "user:<id>" or "roll:<id>": the participation key, never published
    weight: int
    district_id: str | None
    user: Any | None  # for the audit trail; None for households


def voter_identity(vote: Vote, voter: Any) -> VoterIdentity:
    """Check that ``voter`` may vote in ``vote`` and say who they are for the ballot box."""
    if isinstance(voter, RollEntry):
        if voter.vote_id != vote.pk:
            raise PermissionDenied("This voting code is for another election.")
        return VoterIdentity(f"roll:{voter.pk}", voter.weight, None, None)
    eligibility = user_eligibility(vote, voter)
    if not eligibility.allowed:
        raise PermissionDenied(str(eligibility.reason))
    return VoterIdentity(f"user:{voter.pk}", 1, voter.citizen_profile.district_id, voter)


def ballot_store(*, vote: Vote, identity: VoterIdentity, content: dict[str, Any]) -> Ballot:
    """Record a checked ballot: lock the voter's participation, replace their earlier ballot
    (when allowed), point to the new ballot, and leave its ledger entry for the sequencer.

    Call inside the caster's transaction.  The participation row lock makes concurrent casts
    by one voter — from any number of server processes — queue up, so exactly one counts.
    """
    # Insert-if-missing then lock: two statements on every database, where get_or_create
    # needs a savepoint around its insert.
    Participation.objects.bulk_create(
        [Participation(vote=vote, voter_ref=identity.ref, district_id=identity.district_id)],
        ignore_conflicts=True,
    )
    participation = Participation.objects.select_for_update().get(vote=vote, voter_ref=identity.ref)
    now = timezone.now()
    previous = participation.ballot
    if previous is not None and not vote.allow_revote:
        raise ValidationError(
            {"vote": "You have already voted, and this vote does not allow changes."}
        )
    entry = rfc8785.dumps(
        {
            "type": "smartseoul.ballot/v1",
            "vote": str(vote.public_id),
            "manifest": vote.manifest_hash,
            "pseudonym": pseudonym(vote, identity.ref),
            "weight": identity.weight,
            "cast_at": now.isoformat(),
            "replaces": previous.tracker if previous is not None else None,
            **content,
        }
    )
    if previous is not None:
        previous.replaced_at = now
        previous.save(update_fields=["replaced_at"])
    # The entry goes into the `votes` ledger a moment after this commits (sequencer.py); its
    # leaf hash, the tracker, is fixed now.
    ballot = Ballot.objects.create(
        vote=vote,
        pseudonym=pseudonym(vote, identity.ref),
        content=content,
        weight=identity.weight,
        tracker=leaf_hash(entry).hex(),
        ledger_entry=entry,
        cast_at=now,
    )
    participation.ballot = ballot
    participation.save(update_fields=["ballot", "updated_at"])
    audit_record(
        actor=identity.user,
        action="ballot.replaced" if previous else "ballot.cast",
        target=vote,
        details={"tracker": ballot.tracker},
    )
    return ballot


@transaction.atomic
def ballot_cast(*, vote: Vote, voter: Any, choices: Sequence[Sequence[int]]) -> Ballot:
    """Cast (or, where allowed, replace) a ballot in an open poll.

    ``voter`` is a signed-in user or, in a community election, the household's RollEntry.
    """
    if vote.privacy != Vote.Privacy.OPEN:
        raise ValidationError({"vote": "Secret ballots are encrypted and cast from the vote page."})
    _ensure_open(vote)
    identity = voter_identity(vote, voter)
    return ballot_store(
        vote=vote, identity=identity, content={"choices": _validate_choices(vote, choices)}
    )


def _ciphertext_digest(ballot: EncryptedBallot) -> str:
    digest = hashlib.sha256()
    for question in ballot.questions:
        for option in question.options:
            digest.update(option.ciphertext.to_bytes())
    return digest.hexdigest()


def ballot_cast_encrypted(
    *, vote: Vote, voter: Any, ballot_json: Any, budget_proofs: Any = None
) -> Ballot:
    """Cast (or, where allowed, replace) an encrypted ballot in a secret vote.

    Every proof is checked against the vote's election context first (a few milliseconds,
    before any lock is taken), and each budget question's proof that the chosen projects keep
    to its rule (``budget_proofs``: ``{"<question index>": proof JSON}``, docs/budgeting.md
    §4); then the ballot is stored exactly like an open poll's (``ballot_store``).  A ballot
    must be bound to nobody (empty binding) or to its voter's own pseudonym, and one whose
    ciphertexts repeat an earlier ballot's is refused: a copy would repeat someone else's
    secret choice.
    """
    if vote.privacy != Vote.Privacy.SECRET:
        raise ValidationError({"vote": _("This poll is not a secret ballot.")})
    _ensure_open(vote)
    identity = voter_identity(vote, voter)
    try:
        ballot = EncryptedBallot.from_json(ballot_json)
        context = election_context(vote)
        verify_ballot(context, ballot)
        rules = {
            q: bounds.budget
            for q, bounds in enumerate(vote_shape(vote).questions)
            if bounds.budget is not None
        }
        proofs = verified_budget_proofs(rules, context, ballot, budget_proofs)
    except ProofError as exc:
        raise ValidationError(
            {"ballot": _("The ballot was refused: %(reason)s") % {"reason": exc}}
        ) from None
    if ballot.binding and ballot.binding.hex() != pseudonym(vote, identity.ref):
        raise ValidationError({"ballot": _("This ballot is bound to another voter.")})
    digest = _ciphertext_digest(ballot)
    duplicate = ValidationError({"ballot": _("This encrypted ballot was cast before.")})
    try:
        with transaction.atomic():
            if Ballot.objects.filter(ciphertext_hash=digest).exists():
                raise duplicate
            content: dict[str, Any] = {"ballot": ballot.to_json()}
            if proofs is not None:
                content["budget_proofs"] = proofs
            stored = ballot_store(vote=vote, identity=identity, content=content)
            # The unique column settles a race between two casts of the same copy.
            Ballot.objects.filter(pk=stored.pk).update(ciphertext_hash=digest)
    except IntegrityError:
        raise duplicate from None
    stored.ciphertext_hash = digest
    return stored


@transaction.atomic
def vote_tally(*, actor: Any, vote: Vote) -> Vote:
    if not may_manage(actor, vote):
        raise PermissionDenied("You may not tally this vote.")
    vote_sync_status(vote)
    if vote.status != Vote.Status.CLOSED:
        raise ValidationError({"status": "Only a closed vote can be tallied."})
    unconfirmed = list(
        vote.paper_batches.exclude(status=PaperBatch.Status.CONFIRMED).values_list(
            "label", flat=True
        )
    )
    if unconfirmed:
        raise ValidationError(
            {
                "status": "Paper batches still wait for a matching second entry: "
                + ", ".join(unconfirmed)
            }
        )
    # Every counted ballot must be in the public ledger before the count is fixed.
    ballots_sequence()
    if vote.privacy == Vote.Privacy.SECRET:
        return _tally_encrypted(actor, vote)
    vote.results = count_open_ballots(vote)
    vote.tallied_at = timezone.now()
    vote.status = Vote.Status.TALLIED
    vote.save(update_fields=["results", "tallied_at", "status"])
    audit_record(
        actor=actor,
        action="vote.tallied",
        target=vote,
        details={"ballots": vote.results["ballots"]},
    )
    return vote


def _tally_encrypted(actor: Any, vote: Vote) -> Vote:
    """Secret ballots: the homomorphic sum is computed by a background task
    (counting.encrypted_count_finish); the vote stays closed until the trustees decrypt it."""
    from smartseoul.voting.counting import encrypted_count_request

    return encrypted_count_request(actor=actor, vote=vote)


@transaction.atomic
def vote_publish(*, actor: Any, vote: Vote) -> Vote:
    if not may_manage(actor, vote):
        raise PermissionDenied("You may not publish this vote's results.")
    if vote.status != Vote.Status.TALLIED:
        raise ValidationError({"status": "Only a tallied vote can be published."})
    vote.status = Vote.Status.PUBLISHED
    vote.published_at = timezone.now()
    vote.save(update_fields=["status", "published_at"])
    audit_record(actor=actor, action="vote.published", target=vote)
    return vote
