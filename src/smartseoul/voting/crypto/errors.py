"""The one exception the ballot cryptography raises for bad input."""

from __future__ import annotations


class ProofError(ValueError):
    """A value is malformed, out of range, or a proof does not verify.

    Every check in this package (decoding a point or scalar, parsing a ballot, verifying a
    proof, refusing to prove a false statement) raises this and nothing else, so a caller
    can turn it into one clear 4xx answer. The message names the part that failed and never
    contains secret values.
    """
