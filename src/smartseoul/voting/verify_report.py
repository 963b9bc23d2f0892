"""The parts of `verify-election`'s report: a failed check, a ballot as read, the report
that runs each check and prints one line per check (verify_record.py runs them)."""

from __future__ import annotations

import base64
import binascii
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from smartseoul.ledger.merkle import ProofError as MerkleProofError
from smartseoul.ledger.note import NoteError
from smartseoul.voting.crypto import ProofError
from smartseoul.voting.verify_ballots import Header

SHOWN_FAILURES = 5


class Failed(Exception):
    """A check failed; the message says what (and where)."""


@dataclass
class Ballot:
    index: int
    entry: bytes
    tracker: str
    counted: bool
    header: Header | None = None  # read from the entry by the ballot pass


@dataclass
class Report:
    say: Callable[[str], None] = print
    results: list[tuple[str, bool | None, str]] = field(default_factory=list)
    failed: set[str] = field(default_factory=set)
    seconds: dict[str, float] = field(default_factory=dict)  # how long each check took

    def run(self, name: str, check: Callable[[], str], needs: Sequence[str] = ()) -> bool:
        blocked = [n for n in needs if n in self.failed]
        if blocked:
            self._add(name, None, f"skipped: needs {', '.join(blocked)}")
            self.failed.add(name)
            return False
        started = time.perf_counter()
        try:
            detail = check()
        except (
            Failed,
            ProofError,
            MerkleProofError,
            NoteError,
            ValueError,
            KeyError,
            TypeError,
        ) as exc:
            self._add(name, False, str(exc) or type(exc).__name__)
            self.failed.add(name)
            return False
        finally:
            self.seconds[name] = time.perf_counter() - started
        self._add(name, True, detail)
        return True

    def _add(self, name: str, ok: bool | None, detail: str) -> None:
        self.results.append((name, ok, detail))
        mark = {True: "✓", False: "✗", None: "–"}[ok]
        self.say(f"{mark} {name}: {detail}")

    @property
    def ok(self) -> bool:
        return not self.failed


def _failures(problems: list[tuple[int, str]], what: str) -> Failed:
    shown = "; ".join(
        f"ledger entry {index}: {message}" for index, message in problems[:SHOWN_FAILURES]
    )
    more = f" (and {len(problems) - SHOWN_FAILURES} more)" if len(problems) > SHOWN_FAILURES else ""
    return Failed(f"{len(problems)} {what}: {shown}{more}")


def _b64(text: Any, what: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, TypeError, ValueError):
        raise Failed(f"{what} is not base64") from None
