"""Σ-protocol proofs: completeness, soundness against false statements, strong Fiat-Shamir."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smartseoul.voting.crypto import Ciphertext, G, H, Point, ProofError, Scalar, encrypt
from smartseoul.voting.crypto.proofs import (
    ChallengeResponse,
    RangeProof,
    prove_dleq,
    prove_range,
    prove_schnorr,
    verify_dleq,
    verify_range,
    verify_schnorr,
)

SECRET = Scalar(987654321)
KEY = G * SECRET
CONTEXT = [b"election-hash", b"binding"]


def _range(value: int, low: int, high: int, key: Point = KEY) -> tuple[Ciphertext, RangeProof]:
    nonce = Scalar.random()
    ciphertext = encrypt(key, value, nonce)
    proof = prove_range(
        tag="option",
        context=CONTEXT,
        public_key=key,
        ciphertext=ciphertext,
        value=value,
        nonce=nonce,
        low=low,
        high=high,
    )
    return ciphertext, proof


@settings(max_examples=25, deadline=None)
@given(st.data())
def test_range_proofs_verify_for_every_value_in_range(data: st.DataObject) -> None:
    low = data.draw(st.integers(0, 4))
    high = data.draw(st.integers(low, low + 4))
    value = data.draw(st.integers(low, high))
    ciphertext, proof = _range(value, low, high)
    verify_range(
        tag="option",
        context=CONTEXT,
        public_key=KEY,
        ciphertext=ciphertext,
        proof=proof,
        low=low,
        high=high,
    )


@pytest.mark.parametrize(("value", "low", "high"), [(2, 0, 1), (0, 1, 1), (4, 1, 3)])
def test_the_honest_prover_refuses_a_value_outside_the_range(
    value: int, low: int, high: int
) -> None:
    with pytest.raises(ProofError, match="refusing"):
        _range(value, low, high)


def test_a_proof_made_for_a_lie_does_not_verify() -> None:
    """Encrypt 2 and run the prover claiming it is 1: the 0/1 proof must fail."""
    nonce = Scalar.random()
    two = encrypt(KEY, 2, nonce)
    forged = prove_range(
        tag="option",
        context=CONTEXT,
        public_key=KEY,
        ciphertext=two,
        value=1,
        nonce=nonce,
        low=0,
        high=1,
    )
    with pytest.raises(ProofError, match="does not verify"):
        verify_range(
            tag="option",
            context=CONTEXT,
            public_key=KEY,
            ciphertext=two,
            proof=forged,
            low=0,
            high=1,
        )


@pytest.mark.parametrize(
    "change",
    ["tag", "context", "key", "alpha", "beta", "low", "high", "challenge", "response", "swap"],
)
def test_range_proof_is_bound_to_its_whole_statement(change: str) -> None:
    ciphertext, proof = _range(1, 0, 1)
    args: dict[str, object] = {
        "tag": "option",
        "context": CONTEXT,
        "public_key": KEY,
        "ciphertext": ciphertext,
        "proof": proof,
        "low": 0,
        "high": 1,
    }
    if change == "tag":
        args["tag"] = "question"
    elif change == "context":
        args["context"] = [b"another-election", b"binding"]
    elif change == "key":
        args["public_key"] = KEY + G
    elif change == "alpha":
        args["ciphertext"] = Ciphertext(ciphertext.alpha + G, ciphertext.beta)
    elif change == "beta":
        args["ciphertext"] = Ciphertext(ciphertext.alpha, ciphertext.beta - G)
    elif change == "low":
        args["low"], args["high"] = 1, 2
    elif change == "high":
        args["high"] = 2
    elif change == "challenge":
        args["proof"] = RangeProof(
            (proof.challenges[0] + 1, proof.challenges[1] - 1), proof.responses
        )
    elif change == "response":
        args["proof"] = RangeProof(proof.challenges, (proof.responses[0], proof.responses[1] + 1))
    elif change == "swap":
        args["proof"] = RangeProof(proof.challenges[::-1], proof.responses[::-1])
    with pytest.raises(ProofError):
        verify_range(**args)  # type: ignore[arg-type]


def test_dleq_proof_verifies_and_binds_its_statement() -> None:
    base = H * 5
    proof = prove_dleq(
        tag="decryption", context=CONTEXT, base=base, secret=SECRET, public=KEY, image=base * SECRET
    )
    verify_dleq(
        tag="decryption", context=CONTEXT, base=base, public=KEY, image=base * SECRET, proof=proof
    )
    for public, image, context in [
        (KEY, base * (SECRET + 1), CONTEXT),  # a wrong decryption factor
        (KEY + G, base * SECRET, CONTEXT),
        (KEY, base * SECRET, [b"other"]),
    ]:
        with pytest.raises(ProofError):
            verify_dleq(
                tag="decryption",
                context=context,
                base=base,
                public=public,
                image=image,
                proof=proof,
            )
    with pytest.raises(ProofError, match="refusing"):
        prove_dleq(
            tag="decryption", context=CONTEXT, base=base, secret=SECRET, public=KEY, image=base
        )


def test_schnorr_proof_verifies_and_binds_its_statement() -> None:
    proof = prove_schnorr(tag="dkg-coefficient", context=CONTEXT, secret=SECRET, public=KEY)
    verify_schnorr(tag="dkg-coefficient", context=CONTEXT, public=KEY, proof=proof)
    with pytest.raises(ProofError):
        verify_schnorr(tag="dkg-coefficient", context=CONTEXT, public=KEY + G, proof=proof)
    with pytest.raises(ProofError):
        verify_schnorr(tag="transport-key", context=CONTEXT, public=KEY, proof=proof)
    bad = ChallengeResponse(proof.challenge, proof.response + 1)
    with pytest.raises(ProofError):
        verify_schnorr(tag="dkg-coefficient", context=CONTEXT, public=KEY, proof=bad)
    with pytest.raises(ProofError, match="refusing"):
        prove_schnorr(tag="dkg-coefficient", context=CONTEXT, secret=SECRET + 1, public=KEY)


def test_proof_json_round_trips_and_is_strict() -> None:
    _, proof = _range(1, 0, 1)
    assert RangeProof.from_json(proof.to_json(), "p", 2) == proof
    with pytest.raises(ProofError, match="expected 3 items"):
        RangeProof.from_json(proof.to_json(), "p", 3)
    with pytest.raises(ProofError, match="keys"):
        RangeProof.from_json({**proof.to_json(), "x": []}, "p", 2)
    upper = {"c": [c.upper() for c in proof.to_json()["c"]], "v": proof.to_json()["v"]}
    with pytest.raises(ProofError, match="lowercase"):
        RangeProof.from_json(upper, "p", 2)
