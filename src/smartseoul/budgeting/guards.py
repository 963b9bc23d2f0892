"""The two checks a budget action starts with: is it the right phase, and may this actor act.

They live apart from ``actions.py`` so that the round-setup actions (``administration.py``)
and the ballot (``ballots.py``) use the very same wording without importing each other.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from smartseoul.budgeting.models import Round
from smartseoul.budgeting.permissions import may_administer


def phase_required(round_: Round, *phases: str) -> None:
    """Refuse unless the round is in one of ``phases``, saying which phase it is in."""
    if round_.phase not in phases:
        wanted = ", ".join(str(Round.Phase(p).label) for p in phases)
        raise ValidationError(
            {
                "phase": _("The round is in its “%(phase)s” phase; this needs: %(wanted)s.")
                % {"phase": round_.get_phase_display(), "wanted": wanted}
            }
        )


def administrator_required(actor: Any) -> None:
    if not may_administer(actor):
        raise PermissionDenied(_("Only election administrators run budget rounds."))
