"""mVoting's ballot cryptography: exponential ElGamal on ristretto255 with ZK proofs.

Pure Python over libsodium (``rbcl``), no Django. The construction, byte encodings and hash
inputs are specified in ``docs/election-crypto.md``; ``voting/static/voting/ballot-crypto.js``
is the browser side of the same scheme.

Every rejection raises :class:`ProofError` (a ``ValueError``), and nothing else.
"""

from __future__ import annotations

from smartseoul.voting.crypto.ballot import (
    BallotSecrets,
    ElectionContext,
    EncryptedBallot,
    EncryptedOption,
    EncryptedQuestion,
    Manifest,
    QuestionSpec,
    audit_ballot,
    encrypt_ballot,
    verify_ballot,
)
from smartseoul.voting.crypto.elgamal import (
    Ciphertext,
    DiscreteLog,
    add_all,
    discrete_log_table,
    encrypt,
    weighted_sum,
)
from smartseoul.voting.crypto.errors import ProofError
from smartseoul.voting.crypto.group import ORDER, G, H, Point, PointSum, Scalar, vartime_sum
from smartseoul.voting.crypto.threshold import (
    Ceremony,
    Dealing,
    DecryptionShare,
    PublicDealing,
    SealedShare,
    TransportKey,
    combine_decryption_shares,
    deal,
    decrypt_tally,
    joint_public_key,
    open_share,
    partial_decrypt,
    public_share,
    seal_share,
    secret_share,
    transport_key_generate,
    verify_dealing,
    verify_decryption_share,
    verify_share,
    verify_transport_key,
)

__all__ = [
    "ORDER",
    "BallotSecrets",
    "Ceremony",
    "Ciphertext",
    "Dealing",
    "DecryptionShare",
    "DiscreteLog",
    "ElectionContext",
    "EncryptedBallot",
    "EncryptedOption",
    "EncryptedQuestion",
    "G",
    "H",
    "Manifest",
    "Point",
    "PointSum",
    "ProofError",
    "PublicDealing",
    "QuestionSpec",
    "Scalar",
    "SealedShare",
    "TransportKey",
    "add_all",
    "audit_ballot",
    "combine_decryption_shares",
    "deal",
    "decrypt_tally",
    "discrete_log_table",
    "encrypt",
    "encrypt_ballot",
    "joint_public_key",
    "open_share",
    "partial_decrypt",
    "public_share",
    "seal_share",
    "secret_share",
    "transport_key_generate",
    "vartime_sum",
    "verify_ballot",
    "verify_dealing",
    "verify_decryption_share",
    "verify_share",
    "verify_transport_key",
    "weighted_sum",
]
