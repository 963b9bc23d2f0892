"""The manifest: the vote's definition, fixed when it is scheduled, hashed into every ballot.

Canonical JSON (RFC 8785) so that anyone can recompute the hash from the election record.
"""

from __future__ import annotations

import hashlib
from typing import Any

import rfc8785

from smartseoul.voting.models import Question, Vote


def manifest_document(vote: Vote) -> dict[str, Any]:
    return {
        "type": "smartseoul.vote-manifest/v1",
        "vote": str(vote.public_id),
        "kind": vote.kind,
        "privacy": vote.privacy,
        "title": vote.title,
        "description": vote.description,
        "opens_at": vote.opens_at.isoformat(),
        "closes_at": vote.closes_at.isoformat(),
        "allow_revote": vote.allow_revote,
        "eligibility": {
            "require_verified": vote.require_verified,
            "districts": sorted(d.code for d in vote.districts.all()),
            "neighbourhoods": sorted(n.code for n in vote.neighbourhoods.all()),
            "min_age": vote.min_age,
            "max_age": vote.max_age,
            "voter_roll": vote.uses_roll,
        },
        "questions": [
            _question(question) for question in vote.questions.prefetch_related("options")
        ],
    }


def _question(question: Question) -> dict[str, Any]:
    document: dict[str, Any] = {
        "text": question.text,
        "min_choices": question.min_choices,
        "max_choices": question.max_choices,
        "options": [option.label for option in question.options.all()],
    }
    # Only budget questions carry the key, so every other vote's manifest hash is unchanged.
    if question.budget is not None:
        document["budget"] = question.budget
    return document


def manifest_bytes(vote: Vote) -> bytes:
    return rfc8785.dumps(manifest_document(vote))


def manifest_hash(vote: Vote) -> str:
    return hashlib.sha256(manifest_bytes(vote)).hexdigest()
