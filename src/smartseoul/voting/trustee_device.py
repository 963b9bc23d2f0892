"""What a trustee's own machine computes in the key ceremony and the decryption.

Pure functions over a JSON-able *key state* (the trustee's key file) and the public values
the server relays: no Django, no network.  ``smartseoul trustee …`` (trustee_cli.py) wraps
them with HTTP; the demo and the tests call them directly.  Secret values (the transport
key, the trustee's own share of its dealing, its secret share of the election key) stay in
the key state and never go into a return value meant for the server.

Key state, as stored in the key file::

    {"type": "smartseoul.trustee-key/v1", "server", "vote", "index",
     "ceremony": {"ceremony_hash", "trustees", "threshold"},
     "transport_secret", "transport_key": {"public", "proof"},   after init
     "dealing", "sealed_shares", "own_share",                     after deal
     "secret_share", "public_share"}                              after confirm
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from smartseoul.voting.crypto import (
    Ceremony,
    Ciphertext,
    Point,
    ProofError,
    PublicDealing,
    Scalar,
    SealedShare,
    TransportKey,
    deal,
    open_share,
    partial_decrypt,
    public_share,
    seal_share,
    secret_share,
    transport_key_generate,
    verify_dealing,
    verify_transport_key,
)
from smartseoul.voting.crypto.codec import read_object, read_point
from smartseoul.voting.crypto.proofs import ChallengeResponse

KEY_STATE_TYPE = "smartseoul.trustee-key/v1"

State = dict[str, Any]


def ceremony_from_json(value: Mapping[str, Any]) -> Ceremony:
    return Ceremony(bytes.fromhex(value["ceremony_hash"]), value["trustees"], value["threshold"])


def ceremony_to_json(ceremony: Ceremony) -> dict[str, Any]:
    return {
        "ceremony_hash": ceremony.ceremony_hash.hex(),
        "trustees": ceremony.trustees,
        "threshold": ceremony.threshold,
    }


def new_state(*, server: str, vote: str, index: int, ceremony: Ceremony) -> State:
    return {
        "type": KEY_STATE_TYPE,
        "server": server,
        "vote": vote,
        "index": index,
        "ceremony": ceremony_to_json(ceremony),
    }


def _ceremony(state: State) -> Ceremony:
    return ceremony_from_json(state["ceremony"])


def parse_transport_key(ceremony: Ceremony, index: int, value: Any) -> Point:
    """A published transport key, checked (its proof binds ceremony and index)."""
    fields = read_object(value, f"transport key {index}", ("public", "proof"))
    public = read_point(fields["public"], f"transport key {index}")
    proof = ChallengeResponse.from_json(fields["proof"], f"transport key {index} proof")
    verify_transport_key(ceremony, index, public, proof)
    return public


def init(state: State) -> dict[str, Any]:
    """Step 1: make the transport key (kept in ``state``); returns what to publish."""
    if "transport_secret" not in state:
        key = transport_key_generate(_ceremony(state), state["index"])
        state["transport_secret"] = key.secret.hex()
        state["transport_key"] = {"public": key.public.hex(), "proof": key.proof.to_json()}
    return dict(state["transport_key"])


def _transport_key(state: State) -> TransportKey:
    published = state["transport_key"]
    return TransportKey(
        state["index"],
        Scalar.from_bytes(bytes.fromhex(state["transport_secret"])),
        Point.from_bytes(bytes.fromhex(published["public"])),
        ChallengeResponse.from_json(published["proof"], "transport_key.proof"),
    )


def deal_shares(
    state: State, transport_keys: Mapping[int, Any]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Step 2: deal, seal a share to every other trustee's (checked) transport key, keep the
    own share.  Dealt once: asked again, returns the same dealing (a retry after a lost
    answer must not change what the others may already hold)."""
    ceremony, me = _ceremony(state), state["index"]
    if "dealing" not in state:
        publics = {
            index: parse_transport_key(ceremony, index, value)
            for index, value in transport_keys.items()
        }
        if set(publics) != set(range(1, ceremony.trustees + 1)):
            raise ProofError("need the transport key of every trustee")
        if publics[me].hex() != state["transport_key"]["public"]:
            raise ProofError("the server shows another transport key for you")
        dealing = deal(ceremony, me)
        sealed = [
            seal_share(ceremony, me, j, publics[j], dealing.shares[j]).to_json()
            for j in sorted(publics)
            if j != me
        ]
        state["dealing"] = dealing.public.to_json()
        state["sealed_shares"] = sealed
        state["own_share"] = dealing.shares[me].hex()
    return dict(state["dealing"]), list(state["sealed_shares"])


def confirm(state: State, dealings: Sequence[Any], sealed_to_me: Sequence[Any]) -> Point:
    """Step 3: check every dealing, open every share sealed to me and check it against its
    dealer's commitments; keep the secret share.  Returns the public share for display.

    Raises :class:`ProofError` naming the dealer whose share or dealing fails: then do not
    confirm, and tell the election administrator (a complaint, docs/election-crypto.md §8).
    """
    ceremony, me = _ceremony(state), state["index"]
    parsed = [PublicDealing.from_json(d) for d in dealings]
    for dealing in parsed:
        verify_dealing(ceremony, dealing)
    if sorted(d.dealer for d in parsed) != list(range(1, ceremony.trustees + 1)):
        raise ProofError("need one dealing from every trustee")
    mine = next(d for d in parsed if d.dealer == me)
    if mine.to_json() != state["dealing"]:
        raise ProofError("the server shows another dealing for you")
    key = _transport_key(state)
    shares = {me: Scalar.from_bytes(bytes.fromhex(state["own_share"]))}
    for item in sealed_to_me:
        sealed = SealedShare.from_json(item)
        if sealed.recipient != me or sealed.dealer in shares:
            raise ProofError(f"unexpected sealed share from dealer {sealed.dealer}")
        shares[sealed.dealer] = open_share(ceremony, key, sealed)
    secret = secret_share(parsed, me, shares)
    public = public_share(parsed, me)
    if Point.base_mul(secret) != public:
        raise ProofError("the secret share does not match the public share")
    state["secret_share"] = secret.hex()
    state["public_share"] = public.hex()
    return public


def decrypt(
    state: State, election_hash: bytes, ciphertexts: Sequence[Ciphertext]
) -> dict[str, Any]:
    """Partially decrypt the tally with proofs; returns the share to publish."""
    if "secret_share" not in state:
        raise ProofError("this key file has no secret share: run `trustee confirm` first")
    secret = Scalar.from_bytes(bytes.fromhex(state["secret_share"]))
    return partial_decrypt(election_hash, state["index"], secret, ciphertexts).to_json()
