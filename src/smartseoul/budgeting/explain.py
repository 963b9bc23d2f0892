"""Why a project won or lost: a reason code with its numbers, and its English sentence.

Results carry :class:`Reason` values rather than sentences so that pages can render them in
the reader's language (the codes and parameters are stable; ``text`` is the English source).
Money is shown in the round's cost unit, rounded to two decimals for display only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction

_TEMPLATES = {
    "funded": "funded with {votes} votes; {left_after} left after it",
    "did_not_fit": "did not fit: {left} left, costs {cost} ({votes} votes)",
    "no_votes": "nobody voted for it",
    "after_stop": (
        "not reached: the rule stops at the first project that does not fit ({votes} votes)"
    ),
    "free": "costs nothing; funded with {votes} votes",
    "mes_funded": (
        "funded in round {round} of Equal Shares: its {votes} supporters paid at most "
        "{price_per_voter} each"
    ),
    "mes_unaffordable": (
        "its {votes} supporters had {supporters_money} left of their equal shares, it costs {cost}"
    ),
    "greedy_fill": "funded with {votes} votes from the money Equal Shares left; {left_after} left",
}

#: Every reason code a result may carry.
CODES = tuple(_TEMPLATES)


def format_amount(value: Fraction | int) -> str:
    """``1234`` → ``1,234``; ``Fraction(2469, 2)`` → ``1,234.50`` (display only)."""
    value = Fraction(value)
    if value.denominator == 1:
        return f"{value.numerator:,}"
    return f"{float(value):,.2f}"


@dataclass(frozen=True, slots=True)
class Reason:
    code: str
    params: Mapping[str, int | Fraction] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.code not in _TEMPLATES:
            raise ValueError(f"unknown reason code {self.code!r}")

    @property
    def text(self) -> str:
        shown = {
            name: format_amount(value) if name != "round" else str(value)
            for name, value in self.params.items()
        }
        return _TEMPLATES[self.code].format(**shown)

    def to_json(self) -> dict[str, object]:
        """Exact numbers as strings (``"2469/2"``) so a verifier can recompute them."""
        return {"code": self.code, "params": {k: str(v) for k, v in self.params.items()}}
