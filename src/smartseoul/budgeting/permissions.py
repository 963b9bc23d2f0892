"""Who may do what in a budget round: the one place actions, queries and pages ask.

* administrators (``accounts.administer_elections``, as for mVoting) create rounds and move
  their phases;
* officials review proposals of their own area: a district office its district's scopes,
  a city-hall department the city-wide scope;
* citizens with a profile (identity-verified when the round asks for it, as mVoting does)
  propose and support in the city-wide scope and in their home district's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from smartseoul.accounts.models import Department
from smartseoul.budgeting.models import Round, Scope
from smartseoul.voting.permissions import may_administer as _may_administer_elections


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    reason: str | Promise = ""

    def __bool__(self) -> bool:
        return self.allowed


ALLOWED = Verdict(True)


def may_administer(user: Any) -> bool:
    return _may_administer_elections(user)


def official_department(user: Any) -> Department | None:
    """The department of an official who may use the officials' pages, else None."""
    if not getattr(user, "is_authenticated", False):
        return None
    if not user.has_perm("accounts.access_official_portal"):
        return None
    profile = getattr(user, "official_profile", None)
    return profile.department if profile is not None else None


def may_review(user: Any, scope: Scope) -> bool:
    """District offices review their district's scopes; city hall the city-wide scope."""
    department = official_department(user)
    if department is None:
        return False
    if department.kind == Department.Kind.DISTRICT_OFFICE:
        return scope.district_id is not None and scope.district_id == department.district_id
    return scope.district_id is None


def citizen_verdict(user: Any, round_: Round, scope: Scope | None = None) -> Verdict:
    """Whether ``user`` may propose and support in ``round_`` (and in ``scope``)."""
    if not getattr(user, "is_authenticated", False):
        return Verdict(False, _("Sign in to propose or support projects."))
    profile = getattr(user, "citizen_profile", None)
    if profile is None:
        return Verdict(False, _("Proposing and supporting needs a citizen profile."))
    if round_.require_verified and not profile.verified:
        return Verdict(False, _("Only identity-verified citizens take part in this round."))
    if scope is None or scope.district_id is None:
        return ALLOWED
    if scope.district_id != profile.district_id:
        return Verdict(False, _("This budget is for residents of %(area)s.") % {"area": scope.name})
    if scope.neighbourhood_id and scope.neighbourhood_id != profile.neighbourhood_id:
        return Verdict(False, _("This budget is for residents of %(area)s.") % {"area": scope.name})
    return ALLOWED
