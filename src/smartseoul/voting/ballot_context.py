"""The bridge from a stored secret-ballot vote to its cryptographic context.

Both the server (verifying each cast ballot) and the voter's browser (encrypting) build the
same ``ElectionContext`` from the same two public values: the crypto manifest (the vote's
manifest hash and each question's shape) and the joint election public key.
"""

from __future__ import annotations

from typing import Any

from smartseoul.voting.crypto import ElectionContext, Manifest, Point, QuestionSpec
from smartseoul.voting.models import Vote


def crypto_manifest(vote: Vote) -> Manifest:
    return Manifest(
        manifest_hash=bytes.fromhex(vote.manifest_hash),
        questions=tuple(
            QuestionSpec(
                options=question.options.count(),
                min_selections=question.min_choices,
                max_selections=question.max_choices,
            )
            for question in vote.questions.all()
        ),
    )


def election_context(vote: Vote) -> ElectionContext:
    """Needs the manifest fixed (scheduled) and the trustees' joint key (``vote.public_key``)."""
    if not vote.manifest_hash or not getattr(vote, "public_key", ""):
        raise ValueError("this vote has no election key yet")
    return ElectionContext.create(
        crypto_manifest(vote), Point.from_bytes(bytes.fromhex(vote.public_key))
    )


def browser_context(vote: Vote) -> dict[str, Any]:
    """What the vote page hands to ballot-crypto.js's ``electionContext``."""
    return {"manifest": crypto_manifest(vote).to_json(), "public_key": vote.public_key}
