"""Budget proofs on encrypted ballots: honest totals verify, out-of-bounds and tampering fail."""

from __future__ import annotations

import dataclasses
import random

import pytest

from smartseoul.voting.crypto import (
    ElectionContext,
    G,
    Manifest,
    ProofError,
    QuestionSpec,
    Scalar,
    encrypt,
    encrypt_ballot,
    verify_ballot,
)
from smartseoul.voting.crypto.budget import (
    BudgetProof,
    BudgetRule,
    BudgetStatement,
    RangeDigits,
    _digits_of,
    minimum_for_share,
    prove_ballot_budgets,
    prove_budget,
    read_rule,
    verify_ballot_budgets,
    verify_budget,
)
from smartseoul.voting.crypto.hashing import NonceSource, u32
from smartseoul.voting.crypto.proofs import ChallengeResponse, prove_range

KEY = G * Scalar(20260522)
ELECTION = bytes(range(32))
# Seven district projects, costs in units of ₩1,000,000; a ₩2.4 billion budget, 70% minimum.
COSTS = (300, 520, 1200, 800, 45, 610, 990)
BUDGET = 2400
KNAPSACK = BudgetRule.knapsack(COSTS, BUDGET, minimum_for_share(BUDGET, 70))


def _ballot(
    rule: BudgetRule, choices: list[int], *, binding: bytes = b"voter-7", question: int = 0
) -> tuple[BudgetStatement, list[Scalar]]:
    nonces = [Scalar.random() for _ in choices]
    ciphertexts = tuple(encrypt(KEY, x, r) for x, r in zip(choices, nonces, strict=True))
    return BudgetStatement(ELECTION, binding, question, KEY, rule, ciphertexts), nonces


def _total(rule: BudgetRule, choices: list[int]) -> int:
    return sum(w * x for w, x in zip(rule.weights, choices, strict=True))


def test_minimum_share_rounds_up() -> None:
    assert minimum_for_share(2400, 70) == 1680
    assert minimum_for_share(1001, 70) == 701  # 700.7 → 701
    assert KNAPSACK.low == 1680
    assert KNAPSACK.bits == 10  # 2400 − 1680 = 720 < 2^10
    assert KNAPSACK.digit_weights == (1, 2, 4, 8, 16, 32, 64, 128, 256, 209)


@pytest.mark.parametrize("span", [0, 1, 2, 3, 5, 8, 13, 64, 100, 255, 256, 720])
def test_digits_reach_every_value_in_the_span_and_nothing_beyond(span: int) -> None:
    weights = BudgetRule((1,), 0, span).digit_weights
    reachable = {0}
    for weight in weights:
        reachable |= {value + weight for value in reachable}
    assert reachable == set(range(span + 1))
    for value in range(span + 1):
        digits = _digits_of(value, weights)
        assert set(digits) <= {0, 1}
        assert sum(g * d for g, d in zip(weights, digits, strict=True)) == value


@pytest.mark.parametrize(
    "choices",
    [
        [1, 0, 1, 0, 0, 0, 0],  # 1,500: under the 70% minimum
        [1, 1, 1, 0, 0, 0, 0],  # 2,020: fine
        [0, 0, 1, 0, 0, 0, 0],  # 1,200: too little
        [1, 1, 0, 1, 0, 0, 0],  # 1,620: 60 short
        [0, 0, 1, 0, 0, 0, 1],  # 2,190
        [1, 0, 0, 1, 1, 0, 1],  # 2,135
        [0, 0, 1, 1, 1, 0, 0],  # 2,045
        [1, 0, 1, 1, 0, 0, 0],  # 2,300
        [1, 1, 1, 1, 0, 0, 0],  # 2,820: over budget
        [0, 0, 0, 0, 0, 0, 0],  # nothing chosen: under the minimum
    ],
)
def test_knapsack_ballots_verify_exactly_when_the_total_is_within_bounds(
    choices: list[int],
) -> None:
    statement, nonces = _ballot(KNAPSACK, choices)
    total = _total(KNAPSACK, choices)
    if KNAPSACK.low <= total <= KNAPSACK.high:
        verify_budget(statement, prove_budget(statement, choices=choices, nonces=nonces))
        return
    with pytest.raises(ProofError, match="refusing to prove"):
        prove_budget(statement, choices=choices, nonces=nonces)
    # A cheating device proves the same ciphertexts against bounds that hold, and sends that.
    relaxed = BudgetRule(COSTS, min(total, KNAPSACK.low), max(total, KNAPSACK.high))
    forged = prove_budget(
        dataclasses.replace(statement, rule=relaxed), choices=choices, nonces=nonces
    )
    with pytest.raises(ProofError, match="budget proof"):
        verify_budget(statement, forged)


def _truncating_forgery(statement: BudgetStatement, choices: list[int]) -> BudgetProof:
    """An over-budget ballot whose device encrypts the low bits of its total (mod 2^B),
    proves every digit 0/1 honestly, and has no way to prove that they make up the total,
    so sends a made-up proof of that."""
    rule = statement.rule
    slack = _total(rule, choices) % (1 << rule.bits)
    digest = statement.digest()
    bits, proofs = [], []
    for j in range(rule.bits):
        bit, nonce = (slack >> j) & 1, Scalar.random()
        ciphertext = encrypt(KEY, bit, nonce)
        bits.append(ciphertext)
        proofs.append(
            prove_range(
                tag="budget-digit",
                context=[digest, u32(j)],
                public_key=KEY,
                ciphertext=ciphertext,
                value=bit,
                nonce=nonce,
                low=0,
                high=1,
            )
        )
    made_up = ChallengeResponse(Scalar.random(), Scalar.random())
    return BudgetProof(RangeDigits(tuple(bits), tuple(proofs), made_up))


def test_over_budget_forgery_with_well_formed_bits_is_rejected() -> None:
    choices = [1, 1, 1, 1, 0, 0, 0]
    statement, _ = _ballot(BudgetRule.knapsack(COSTS, BUDGET), choices)
    with pytest.raises(ProofError, match="the total is not within the bounds"):
        verify_budget(statement, _truncating_forgery(statement, choices))


@pytest.mark.parametrize(
    ("chosen", "accepted"), [(0, True), (2, True), (3, True), (4, False), (7, False)]
)
def test_approval_at_most_k(chosen: int, accepted: bool) -> None:
    rule = BudgetRule.at_most(3, 7)
    assert rule.digit_weights == (1, 2)  # 0 … 3 chosen
    choices = [1] * chosen + [0] * (7 - chosen)
    statement, nonces = _ballot(rule, choices)
    if accepted:
        verify_budget(statement, prove_budget(statement, choices=choices, nonces=nonces))
        return
    with pytest.raises(ProofError, match="refusing"):
        prove_budget(statement, choices=choices, nonces=nonces)
    forged = prove_budget(
        dataclasses.replace(statement, rule=BudgetRule.at_most(chosen, 7)),
        choices=choices,
        nonces=nonces,
    )
    with pytest.raises(ProofError, match="budget proof"):
        verify_budget(statement, forged)


def test_exact_total_and_rules_that_need_no_side() -> None:
    exact = BudgetRule((5, 7, 9), 12, 12)  # choose exactly projects costing 12 in total
    assert exact.bits == 0
    statement, nonces = _ballot(exact, [1, 1, 0])
    proof = prove_budget(statement, choices=[1, 1, 0], nonces=nonces)
    assert proof.digits is not None
    assert proof.digits.bits == ()
    verify_budget(statement, proof)
    wrong, _ = _ballot(exact, [1, 0, 1])
    with pytest.raises(ProofError, match="the total is not within the bounds"):
        verify_budget(wrong, proof)
    roomy = BudgetRule.knapsack((5, 7, 9), 100)  # can never be exceeded: nothing to prove
    statement, nonces = _ballot(roomy, [1, 1, 1])
    proof = prove_budget(statement, choices=[1, 1, 1], nonces=nonces)
    assert proof == BudgetProof(None)
    verify_budget(statement, proof)
    with pytest.raises(ProofError, match="needs no proof"):
        verify_budget(statement, BudgetProof(_some_digits()))


def _some_digits() -> RangeDigits | None:
    statement, nonces = _ballot(BudgetRule.at_most(1, 2), [1, 0])
    return prove_budget(statement, choices=[1, 0], nonces=nonces).digits


def test_every_flipped_byte_is_rejected() -> None:
    rule = BudgetRule((3, 2, 4), 4, 5)  # one bit per side keeps the byte string short
    statement, nonces = _ballot(rule, [1, 1, 0])
    data = prove_budget(statement, choices=[1, 1, 0], nonces=nonces).to_bytes()
    assert len(data) == 1 + 4 + 64 + 128 + 64
    verify_budget(statement, BudgetProof.from_bytes(data))
    for position in range(len(data)):
        tampered = bytearray(data)
        tampered[position] ^= 0x01
        with pytest.raises(ProofError):
            verify_budget(statement, BudgetProof.from_bytes(bytes(tampered)))


def test_a_proof_is_bound_to_its_ballot_scope_rule_and_ciphertexts() -> None:
    choices = [1, 1, 1, 0, 0, 0, 0]
    statement, nonces = _ballot(KNAPSACK, choices)
    proof = prove_budget(statement, choices=choices, nonces=nonces)
    other_ciphertexts = list(statement.ciphertexts)
    other_ciphertexts[0], other_ciphertexts[1] = other_ciphertexts[1], other_ciphertexts[0]
    for changed in (
        dataclasses.replace(statement, binding=b"voter-8"),
        dataclasses.replace(statement, question=1),
        dataclasses.replace(statement, election_hash=bytes(32)),
        dataclasses.replace(statement, public_key=KEY + G),
        dataclasses.replace(statement, rule=BudgetRule(COSTS, KNAPSACK.low, KNAPSACK.high - 1)),
        dataclasses.replace(statement, ciphertexts=tuple(other_ciphertexts)),
    ):
        with pytest.raises(ProofError, match="budget proof"):
            verify_budget(changed, proof)


def test_json_round_trip_is_strict() -> None:
    choices = [0, 1, 1, 0, 0, 0, 0]
    statement, nonces = _ballot(KNAPSACK, choices)
    proof = prove_budget(statement, choices=choices, nonces=nonces)
    document = proof.to_json()
    assert BudgetProof.from_json(document) == proof
    verify_budget(statement, BudgetProof.from_json(document))
    with pytest.raises(ProofError, match="expected exactly the keys"):
        BudgetProof.from_json({**document, "extra": 1})
    assert isinstance(document["digits"], dict)
    bits = document["digits"]["bits"]
    bits[0] = {**bits[0], "alpha": "00" * 31 + "zz"}
    with pytest.raises(ProofError, match=r"budget_proof.digits.bits\[0\].alpha"):
        BudgetProof.from_json(document)
    assert read_rule({"weights": list(COSTS), "low": 1680, "high": 2400}) == KNAPSACK
    with pytest.raises(ProofError, match=r"rule\.low"):
        read_rule({"weights": [1], "low": True, "high": 1})


def test_a_seed_reproduces_the_proof_for_an_audit() -> None:
    choices = [1, 0, 0, 1, 1, 0, 1]
    statement, nonces = _ballot(KNAPSACK, choices)
    seed = random.Random(7).randbytes(32)
    first = prove_budget(
        statement, choices=choices, nonces=nonces, seed=NonceSource(seed, ELECTION)
    )
    again = prove_budget(
        statement, choices=choices, nonces=nonces, seed=NonceSource(seed, ELECTION)
    )
    assert first == again
    verify_budget(statement, first)
    assert prove_budget(statement, choices=choices, nonces=nonces) != first


def test_proofs_for_an_mvoting_ballot_follow_from_its_seed() -> None:
    manifest = Manifest(bytes(32), (QuestionSpec(7, 0, 7), QuestionSpec(5, 0, 5)))
    context = ElectionContext.create(manifest, KEY)
    selections = [[1, 1, 1, 0, 0, 0, 0], [0, 1, 1, 0, 0]]
    ballot, ballot_secrets = encrypt_ballot(context, selections, binding=b"voter-9")
    rules = {0: KNAPSACK, 1: BudgetRule.at_most(2, 5)}
    proofs = prove_ballot_budgets(context, ballot, ballot_secrets, rules)
    verify_ballot(context, ballot)
    verify_ballot_budgets(context, ballot, rules, proofs)
    # Derived from the seed: the same proofs again, as a Benaloh audit would re-derive them.
    assert prove_ballot_budgets(context, ballot, ballot_secrets, rules) == proofs
    with pytest.raises(ProofError, match="question 1: budget proof"):
        verify_ballot_budgets(context, ballot, {**rules, 1: BudgetRule.at_most(1, 5)}, proofs)
    with pytest.raises(ProofError, match="one budget proof per budget question"):
        verify_ballot_budgets(context, ballot, rules, {0: proofs[0]})
