"""Who may vote in a vote, with a reason a person can act on when they may not."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from smartseoul.voting.models import RollEntry, Vote
from smartseoul.voting.shape import vote_shape


@dataclass(frozen=True)
class Eligibility:
    allowed: bool
    reason: str | Promise = ""


ALLOWED = Eligibility(True)


def voter_eligibility(vote: Vote, voter: object) -> Eligibility:
    """Whether this voter — a user, a voter-roll household, or nobody yet — may vote."""
    if vote.uses_roll:
        if isinstance(voter, RollEntry) and voter.vote_id == vote.pk:
            return ALLOWED
        return Eligibility(False, _("Enter your household's voting code to vote."))
    return user_eligibility(vote, voter)


def user_eligibility(vote: Vote, user: object) -> Eligibility:
    """Whether a signed-in person may vote in ``vote`` (voter-roll votes use credentials)."""
    if not getattr(user, "is_authenticated", False):
        return Eligibility(False, _("Sign in to vote."))
    if vote.uses_roll:
        return Eligibility(False, _("This election is for the households on its voter roll."))
    profile = getattr(user, "citizen_profile", None)
    if profile is None:
        return Eligibility(False, _("Voting needs a citizen profile."))
    if vote.require_verified and not profile.verified:
        return Eligibility(False, _("Only identity-verified citizens may vote in this poll."))
    shape = vote_shape(vote)
    district_codes, neighbourhood_codes = shape.district_codes, shape.neighbourhood_codes
    if (district_codes or neighbourhood_codes) and not (
        (profile.district_id and profile.district_id in district_codes)
        or (profile.neighbourhood_id and profile.neighbourhood_id in neighbourhood_codes)
    ):
        return Eligibility(False, _("This vote is for residents of other areas."))
    if vote.min_age is not None or vote.max_age is not None:
        if profile.birth_year is None:
            return Eligibility(
                False, _("Add your birth year to your profile to vote in this poll.")
            )
        # Age reached during the current year, as Korean public votes usually count it.
        age = timezone.localdate().year - profile.birth_year
        if vote.min_age is not None and age < vote.min_age:
            return Eligibility(
                False, _("This vote is for people aged %(age)d or older.") % {"age": vote.min_age}
            )
        if vote.max_age is not None and age > vote.max_age:
            return Eligibility(
                False, _("This vote is for people aged %(age)d or younger.") % {"age": vote.max_age}
            )
    return ALLOWED
