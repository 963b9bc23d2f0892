"""Reads for mVoting, with who-may-see-what decided here (not in templates)."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from smartseoul.voting.actions import vote_sync_status
from smartseoul.voting.models import Ballot, Participation, RollEntry, Vote
from smartseoul.voting.permissions import may_administer

PUBLIC_STATUSES = (
    Vote.Status.SCHEDULED,
    Vote.Status.OPEN,
    Vote.Status.CLOSED,
    Vote.Status.TALLIED,
    Vote.Status.PUBLISHED,
    Vote.Status.CANCELLED,
)


def votes_visible_to(user: Any) -> QuerySet[Vote]:
    """Everyone sees scheduled and later votes; authors see their own drafts; election
    administrators see everything (including polls waiting for moderation)."""
    votes = Vote.objects.all()
    if may_administer(user):
        return votes
    visible = Q(status__in=PUBLIC_STATUSES)
    if getattr(user, "is_authenticated", False):
        visible |= Q(created_by=user)
    return votes.filter(visible)


def vote_get(user: Any, public_id: Any) -> Vote:
    """The vote, if ``user`` may see it (the same rule as ``votes_visible_to``, asked in
    the cheap order: most votes are public, and then no permission needs loading)."""
    vote = Vote.objects.filter(public_id=public_id).first()
    visible = vote is not None and (
        vote.status in PUBLIC_STATUSES
        or (getattr(user, "is_authenticated", False) and vote.created_by_id == user.pk)
        or may_administer(user)
    )
    if not visible:
        raise Http404("No such vote.")
    return vote_sync_status(vote)


def votes_open_near(user: Any) -> list[Vote]:
    """Open and upcoming votes, the voter's own district's first."""
    votes = list(
        votes_visible_to(user)
        .filter(status__in=(Vote.Status.SCHEDULED, Vote.Status.OPEN))
        .prefetch_related("districts")
        .order_by("closes_at")
    )
    votes = [vote_sync_status(vote) for vote in votes]
    home = getattr(getattr(user, "citizen_profile", None), "district_id", None)

    def local_first(vote: Vote) -> tuple[int, Any]:
        codes = {d.code for d in vote.districts.all()}
        return (0 if home and home in codes else 1 if not codes else 2, vote.closes_at)

    return sorted(
        (v for v in votes if v.status in (Vote.Status.SCHEDULED, Vote.Status.OPEN)), key=local_first
    )


def votes_finished() -> QuerySet[Vote]:
    return Vote.objects.filter(status=Vote.Status.PUBLISHED).order_by("-published_at")[:20]


def results_visible(vote: Vote, user: Any) -> bool:
    if vote.status == Vote.Status.PUBLISHED:
        return True
    if (
        vote.results_live
        and vote.privacy == Vote.Privacy.OPEN
        and vote.status in (Vote.Status.OPEN, Vote.Status.CLOSED, Vote.Status.TALLIED)
    ):
        return True
    return may_administer(user) and vote.status == Vote.Status.TALLIED


def results_for(vote: Vote, user: Any) -> dict[str, Any] | None:
    """Results when the viewer may see them: published, or live for open polls that say so."""
    if not results_visible(vote, user):
        return None
    if vote.results is not None:
        return dict(vote.results)
    from smartseoul.voting.actions import count_open_ballots

    return count_open_ballots(vote)


HOUSEHOLD_SESSION_KEY = "voting_households"


def household_of(request: Any, vote: Vote) -> RollEntry | None:
    """The voter-roll household this browser session signed in with a code, for ``vote``."""
    entry_id = request.session.get(HOUSEHOLD_SESSION_KEY, {}).get(str(vote.public_id))
    if entry_id is None:
        return None
    return RollEntry.objects.filter(pk=entry_id, vote=vote).first()


def voter_of(request: Any, vote: Vote) -> Any:
    """Who votes from this request: the household (voter-roll elections) or the user."""
    return household_of(request, vote) if vote.uses_roll else request.user


def my_ballot(vote: Vote, voter: Any) -> Ballot | None:
    if isinstance(voter, RollEntry):
        ref = f"roll:{voter.pk}"
    elif getattr(voter, "is_authenticated", False):
        ref = f"user:{voter.pk}"
    else:
        return None
    participation = (
        Participation.objects.select_related("ballot").filter(vote=vote, voter_ref=ref).first()
    )
    return participation.ballot if participation else None


def ballot_by_tracker(tracker: str) -> Ballot | None:
    tracker = tracker.strip().lower()
    if len(tracker) != 64 or any(c not in "0123456789abcdef" for c in tracker):
        return None
    return Ballot.objects.select_related("vote").filter(tracker=tracker).first()


def turnout(vote: Vote) -> int:
    return Participation.objects.filter(vote=vote, ballot__isnull=False).count()


def pending_moderation() -> QuerySet[Vote]:
    return Vote.objects.filter(status=Vote.Status.PENDING).annotate(n=Count("questions"))


@dataclass(frozen=True)
class TrackerCheck:
    ballot: Ballot
    counted: bool
    checkpoint_size: int | None
    verified: bool
    problem: str
    # Cast and durable, but not yet appended to the ledger (that takes about a second).
    pending: bool = False

    @property
    def leaf_hash_b64(self) -> str:
        return base64.b64encode(bytes.fromhex(self.ballot.tracker)).decode()


def tracker_check(tracker: str) -> TrackerCheck | None:
    """Find a ballot by its tracker and check its inclusion proof against the latest signed
    checkpoint of the `votes` log, exactly as an independent verifier would."""
    from smartseoul.ledger.queries import entry_inclusion_check

    ballot = ballot_by_tracker(tracker)
    if ballot is None:
        return None
    if ballot.ledger_index is None:
        # Like a stale checkpoint, a waiting ballot is brought in by the first reader that
        # needs it, unless another process is doing so right now.
        from smartseoul.voting.sequencer import ballots_sequence

        ballots_sequence(wait=False)
        ballot.refresh_from_db(fields=["ledger_index"])
    if ballot.ledger_index is None:
        return TrackerCheck(
            ballot=ballot,
            counted=ballot.replaced_at is None,
            checkpoint_size=None,
            verified=False,
            problem=str(_("cast, and entering the public ledger in a moment")),
            pending=True,
        )
    check = entry_inclusion_check("votes", ballot.ledger_index)
    return TrackerCheck(
        ballot=ballot,
        counted=ballot.replaced_at is None,
        checkpoint_size=check.checkpoint_size,
        verified=check.verified,
        problem=check.problem,
    )


def votes_managed_by(user: Any) -> QuerySet[Vote]:
    """Administrators manage every vote; citizens their own polls."""
    votes = Vote.objects.all() if may_administer(user) else Vote.objects.filter(created_by=user)
    # Secret votes' progress for the console: the key ceremony, then the decryption.
    return votes.annotate(
        trustees_total=Count("trustees"),
        trustees_confirmed=Count("trustees", filter=Q(trustees__confirmed_at__isnull=False)),
        decryption_shares=Count("trustees", filter=Q(trustees__decrypted_at__isnull=False)),
    ).order_by("-created_at")[:100]


def ballot_fingerprint(ballot: Ballot) -> str | None:
    """A secret ballot's own hash, which the voter's browser showed before casting (the
    Benaloh commitment); the tracker is the ledger entry that carries this ballot."""
    encrypted = ballot.content.get("ballot") if isinstance(ballot.content, dict) else None
    if encrypted is None:
        return None
    from smartseoul.voting.crypto import EncryptedBallot

    return EncryptedBallot.from_json(encrypted).tracker().hex()
