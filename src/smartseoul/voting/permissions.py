"""Who may run votes: the one place actions and queries ask."""

from __future__ import annotations

from typing import Any

from smartseoul.voting.models import Vote


def may_administer(user: Any) -> bool:
    """Election administrators create, schedule, moderate and count every vote."""
    return bool(
        getattr(user, "is_authenticated", False) and user.has_perm("accounts.administer_elections")
    )


def may_manage(user: Any, vote: Vote) -> bool:
    """Administrators, and the author of a citizen poll for their own poll."""
    own_citizen_poll = vote.kind == Vote.Kind.CITIZEN and vote.created_by_id == user.pk
    return may_administer(user) or own_citizen_poll
