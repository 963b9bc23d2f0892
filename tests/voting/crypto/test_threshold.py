"""Dealerless k-of-n key generation and verifiable threshold decryption."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smartseoul.voting.crypto import (
    Ceremony,
    Ciphertext,
    DecryptionShare,
    DiscreteLog,
    ElectionContext,
    G,
    Manifest,
    Point,
    ProofError,
    PublicDealing,
    QuestionSpec,
    Scalar,
    SealedShare,
    TransportKey,
    add_all,
    combine_decryption_shares,
    deal,
    decrypt_tally,
    encrypt,
    encrypt_ballot,
    joint_public_key,
    open_share,
    partial_decrypt,
    public_share,
    seal_share,
    secret_share,
    transport_key_generate,
    verify_ballot,
    verify_dealing,
    verify_decryption_share,
    verify_share,
    verify_transport_key,
    weighted_sum,
)
from smartseoul.voting.crypto.threshold import lagrange_at_zero

TABLE = DiscreteLog(1000)


@dataclass
class Trustees:
    ceremony: Ceremony
    dealings: list[PublicDealing]
    key: Point
    secrets: dict[int, Scalar]
    publics: dict[int, Point]


def run_ceremony(trustees: int, threshold: int) -> Trustees:
    """The whole DKG as the app would drive it: every message goes through the 'server'."""
    ceremony = Ceremony(b"\x33" * 32, trustees, threshold)
    indices = range(1, trustees + 1)
    transport: dict[int, TransportKey] = {i: transport_key_generate(ceremony, i) for i in indices}
    for key in transport.values():
        verify_transport_key(ceremony, key.index, key.public, key.proof)
    dealings = {i: deal(ceremony, i) for i in indices}
    published = [PublicDealing.from_json(d.public.to_json()) for d in dealings.values()]
    for dealing in published:
        verify_dealing(ceremony, dealing)
    mailbox = {
        (i, j): SealedShare.from_json(
            seal_share(ceremony, i, j, transport[j].public, dealings[i].shares[j]).to_json()
        )
        for i in indices
        for j in indices
    }
    secrets = {
        j: secret_share(
            published, j, {i: open_share(ceremony, transport[j], mailbox[i, j]) for i in indices}
        )
        for j in indices
    }
    publics = {j: public_share(published, j) for j in indices}
    return Trustees(ceremony, published, joint_public_key(published), secrets, publics)


@pytest.fixture(scope="module")
def three_of_five() -> Trustees:
    return run_ceremony(5, 3)


def _tally(key: Point) -> tuple[list[Ciphertext], list[int]]:
    votes = [[1, 0, 0], [0, 1, 0], [1, 0, 0], [0, 0, 1], [1, 0, 0]]
    columns = [add_all(encrypt(key, vote[i], Scalar.random()) for vote in votes) for i in range(3)]
    return columns, [sum(vote[i] for vote in votes) for i in range(3)]


def _shares(t: Trustees, cts: list[Ciphertext], who: list[int]) -> list[DecryptionShare]:
    shares = [partial_decrypt(b"\x44" * 32, j, t.secrets[j], cts) for j in who]
    for share in shares:
        share = DecryptionShare.from_json(share.to_json())
        verify_decryption_share(b"\x44" * 32, t.publics[share.trustee], cts, share)
    return shares


def test_every_secret_share_matches_its_public_share(three_of_five: Trustees) -> None:
    for j, secret in three_of_five.secrets.items():
        assert Point.base_mul(secret) == three_of_five.publics[j]
    # The shares interpolate to the election secret, which no trustee ever held.
    weights = lagrange_at_zero([1, 2, 3])
    secret = sum((weights[j] * three_of_five.secrets[j] for j in (1, 2, 3)), Scalar(0))
    assert Point.base_mul(secret) == three_of_five.key


@pytest.mark.parametrize("size", [3, 4, 5])
def test_any_k_or_more_trustees_decrypt_the_tally(three_of_five: Trustees, size: int) -> None:
    columns, expected = _tally(three_of_five.key)
    for who in itertools.combinations(range(1, 6), size):
        shares = _shares(three_of_five, columns, list(who))
        assert decrypt_tally(3, columns, shares, TABLE) == expected, who


def test_k_minus_one_trustees_cannot_decrypt(three_of_five: Trustees) -> None:
    columns, expected = _tally(three_of_five.key)
    shares = _shares(three_of_five, columns, [2, 5])
    with pytest.raises(ProofError, match="at least 3"):
        combine_decryption_shares(3, columns, shares)
    # Interpolating the two shares anyway yields garbage, not the tally.
    pretend = combine_decryption_shares(2, columns, shares)
    assert [point != Point.base_mul(m) for point, m in zip(pretend, expected, strict=True)] == [
        True
    ] * 3


def test_weighted_votes_tally_with_their_weights(three_of_five: Trustees) -> None:
    key = three_of_five.key
    ballots = [(3, 1), (1, 0), (2, 1), (3, 1)]
    column = weighted_sum((w, encrypt(key, m, Scalar.random())) for w, m in ballots)
    shares = _shares(three_of_five, [column], [1, 3, 4])
    assert decrypt_tally(3, [column], shares, TABLE) == [3 + 2 + 3]


def test_ballots_under_the_joint_key_verify_and_tally(three_of_five: Trustees) -> None:
    context = ElectionContext.create(
        Manifest(b"\x55" * 32, (QuestionSpec(3, 1, 1),)), three_of_five.key
    )
    ballots = [encrypt_ballot(context, [choice])[0] for choice in ([0, 1, 0], [0, 1, 0], [1, 0, 0])]
    for ballot in ballots:
        verify_ballot(context, ballot)
    columns = [add_all(b.questions[0].options[i].ciphertext for b in ballots) for i in range(3)]
    shares = [
        partial_decrypt(context.election_hash, j, three_of_five.secrets[j], columns)
        for j in (1, 2, 5)
    ]
    assert decrypt_tally(3, columns, shares, TABLE) == [1, 2, 0]


def test_a_wrong_decryption_share_is_detected(three_of_five: Trustees) -> None:
    columns, _ = _tally(three_of_five.key)
    honest = partial_decrypt(b"\x44" * 32, 2, three_of_five.secrets[2], columns)
    lying = replace(honest, factors=(honest.factors[0] + G, *honest.factors[1:]))
    with pytest.raises(ProofError, match="trustee 2: decryption proof 0"):
        verify_decryption_share(b"\x44" * 32, three_of_five.publics[2], columns, lying)
    # Nor can trustee 2's honest share pass as trustee 3's, or for another election.
    with pytest.raises(ProofError):
        verify_decryption_share(b"\x44" * 32, three_of_five.publics[3], columns, honest)
    with pytest.raises(ProofError):
        verify_decryption_share(b"\x45" * 32, three_of_five.publics[2], columns, honest)
    with pytest.raises(ProofError, match="one factor per ciphertext"):
        verify_decryption_share(b"\x44" * 32, three_of_five.publics[2], columns[:2], honest)


def test_a_bad_share_from_a_dealer_is_detected() -> None:
    ceremony = Ceremony(b"\x66" * 32, 3, 2)
    dealing = deal(ceremony, 1)
    verify_share(dealing.public, 2, dealing.shares[2])
    with pytest.raises(ProofError, match="dealer 1"):
        verify_share(dealing.public, 2, dealing.shares[2] + 1)
    with pytest.raises(ProofError, match="dealer 1"):
        verify_share(dealing.public, 3, dealing.shares[2])
    others = [deal(ceremony, i).public for i in (2, 3)]
    with pytest.raises(ProofError):
        secret_share(
            [dealing.public, *others], 2, {1: dealing.shares[2] + 1, 2: Scalar(1), 3: Scalar(1)}
        )
    with pytest.raises(ProofError, match="every qualified dealer"):
        secret_share([dealing.public, *others], 2, {1: dealing.shares[2]})


def test_a_bad_dealing_is_detected() -> None:
    ceremony = Ceremony(b"\x66" * 32, 3, 2)
    public = deal(ceremony, 1).public
    verify_dealing(ceremony, public)
    for bad in [
        replace(public, commitments=(public.commitments[0] + G, public.commitments[1])),
        replace(public, proofs=public.proofs[::-1]),
        replace(public, dealer=2),
        replace(public, commitments=public.commitments[:1], proofs=public.proofs[:1]),
    ]:
        with pytest.raises(ProofError):
            verify_dealing(ceremony, bad)
    with pytest.raises(ProofError):
        verify_dealing(Ceremony(b"\x67" * 32, 3, 2), public)  # replayed into another ceremony


def test_sealed_shares_only_open_for_their_recipient_untampered() -> None:
    ceremony = Ceremony(b"\x77" * 32, 3, 2)
    alice, bob = transport_key_generate(ceremony, 1), transport_key_generate(ceremony, 2)
    sealed = seal_share(ceremony, 3, 1, alice.public, Scalar(12345))
    assert open_share(ceremony, alice, sealed) == Scalar(12345)
    with pytest.raises(ProofError, match="another trustee"):
        open_share(ceremony, bob, sealed)
    for bad in [
        replace(sealed, body=bytes([sealed.body[0] ^ 1]) + sealed.body[1:]),
        replace(sealed, dealer=2),
        replace(sealed, ephemeral=sealed.ephemeral + G),
    ]:
        with pytest.raises(ProofError, match="integrity"):
            open_share(ceremony, alice, bad)


def test_ceremony_parameters_are_checked() -> None:
    for trustees, threshold in [(3, 4), (0, 0), (3, 0), (256, 2)]:
        with pytest.raises(ProofError):
            Ceremony(b"\x00" * 32, trustees, threshold)
    with pytest.raises(ProofError):
        deal(Ceremony(b"\x00" * 32, 3, 2), 4)
    with pytest.raises(ProofError):
        lagrange_at_zero([1, 1])


@settings(max_examples=6, deadline=None)
@given(st.data())
def test_threshold_decryption_for_random_parameters(data: st.DataObject) -> None:
    trustees = data.draw(st.integers(1, 6))
    threshold = data.draw(st.integers(1, trustees))
    t = run_ceremony(trustees, threshold)
    who = data.draw(st.permutations(range(1, trustees + 1)))[:threshold]
    value = data.draw(st.integers(0, 1000))
    column = [encrypt(t.key, value, Scalar.random())]
    assert decrypt_tally(threshold, column, _shares(t, column, list(who)), TABLE) == [value]
