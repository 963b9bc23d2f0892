"""mVoting: votes (polls and elections), their questions and options, voter rolls, ballots.

Only ``actions.py`` writes these tables.  A ballot is never edited: a re-vote stores a new
ballot and marks the old one replaced, so the public ledger holds both and the election record
says which one counted.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from smartseoul.places.models import District, Neighbourhood


class Vote(models.Model):
    class Kind(models.TextChoices):
        POLICY = "policy", _("City policy poll")
        CITIZEN = "citizen", _("Citizen poll")
        COMMUNITY = "community", _("Community election")
        BUDGET = "budget", _("Participatory budget")

    class Privacy(models.TextChoices):
        OPEN = "open", _("Open poll (choices public under a pseudonym)")
        SECRET = "secret", _("Secret ballot (end-to-end verifiable)")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PENDING = "pending", _("Waiting for moderation")
        REJECTED = "rejected", _("Rejected by moderation")
        SCHEDULED = "scheduled", _("Scheduled")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")
        TALLIED = "tallied", _("Tallied")
        PUBLISHED = "published", _("Results published")
        CANCELLED = "cancelled", _("Cancelled")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    privacy = models.CharField(
        _("privacy"), max_length=8, choices=Privacy.choices, default=Privacy.OPEN
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=5000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="votes_created"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    allow_revote = models.BooleanField(_("re-voting replaces the earlier ballot"), default=True)
    results_live = models.BooleanField(
        _("show results while the vote is open"),
        default=False,
        help_text=_("Only for open polls; secret ballots are counted after the close."),
    )

    # Who may vote.  Empty district/neighbourhood lists mean the whole city.
    require_verified = models.BooleanField(_("only identity-verified citizens"), default=False)
    districts = models.ManyToManyField(District, blank=True, verbose_name=_("districts"))
    neighbourhoods = models.ManyToManyField(
        Neighbourhood, blank=True, verbose_name=_("neighbourhoods")
    )
    min_age = models.PositiveSmallIntegerField(
        _("minimum age"), null=True, blank=True, validators=[MaxValueValidator(120)]
    )
    max_age = models.PositiveSmallIntegerField(
        _("maximum age"), null=True, blank=True, validators=[MaxValueValidator(120)]
    )
    uses_roll = models.BooleanField(_("only the voter roll"), default=False)

    # Fixed when the vote is scheduled: the hash every ballot and the election record name.
    manifest_hash = models.CharField(max_length=64, blank=True)
    # Secret key of the per-vote pseudonyms: the ledger shows who voted what only as an HMAC.
    pseudonym_key = models.BinaryField(default=bytes, editable=False)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    moderation_note = models.TextField(blank=True)
    cancel_reason = models.TextField(blank=True)
    results = models.JSONField(null=True, blank=True)
    tallied_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    # Secret ballots only (docs/election-crypto.md §8–9).  The trustees' key ceremony: k of n,
    # and the document whose SHA-256 (``ceremony_hash``) every key-generation proof binds.
    threshold = models.PositiveSmallIntegerField(_("trustees needed to decrypt"), null=True)
    ceremony = models.JSONField(null=True, blank=True)
    ceremony_hash = models.CharField(max_length=64, blank=True)
    # Set together once every trustee confirmed its shares; then the vote may be scheduled.
    public_key = models.CharField(max_length=64, blank=True)
    election_hash = models.CharField(max_length=64, blank=True)
    # The homomorphic sum of the counted ballots, one {"alpha", "beta"} per option per question,
    # waiting for the trustees' decryption shares.
    encrypted_tally = models.JSONField(null=True, blank=True)
    # When an administrator asked for the count: summing 100,000 encrypted ballots takes
    # about a minute, so a background task does it (counting.py).
    counting_since = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        ordering = ["-opens_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")),
                name="vote_closes_after_opening",
            ),
        ]
        indexes = [models.Index(fields=["status", "closes_at"])]

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField()
    text = models.CharField(_("question"), max_length=500)
    min_choices = models.PositiveSmallIntegerField(_("minimum choices"), default=1)
    max_choices = models.PositiveSmallIntegerField(_("maximum choices"), default=1)
    # A participatory-budgeting scope: the options are projects and this is
    # ``budget_rules.BudgetRule.to_json()`` (valid totals, budget, costs, winner rule).
    budget = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["vote_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["vote", "position"], name="question_position"),
            models.CheckConstraint(
                condition=models.Q(max_choices__gte=models.F("min_choices"))
                & models.Q(max_choices__gte=1),
                name="question_choice_bounds",
            ),
        ]

    def __str__(self) -> str:
        return self.text


class Option(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    position = models.PositiveSmallIntegerField()
    label = models.CharField(_("option"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=2000)
    image = models.ImageField(_("image"), upload_to="voting/options/", blank=True)

    class Meta:
        ordering = ["question_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["question", "position"], name="option_position"),
        ]

    def __str__(self) -> str:
        return self.label


class RollEntry(models.Model):
    """A household (or person) on a community election's voter roll."""

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="roll")
    label = models.CharField(_("household"), max_length=100)  # e.g. "101동 1203호"
    weight = models.PositiveIntegerField(
        _("weight"), default=1, validators=[MinValueValidator(1), MaxValueValidator(1000)]
    )
    contact = models.CharField(_("e-mail or phone"), max_length=200, blank=True)
    # Only the hash of the one-time credential is kept; the household holds the credential.
    credential_hash = models.CharField(max_length=64, unique=True)
    issued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("voter roll entry")
        verbose_name_plural = _("voter roll")
        constraints = [
            models.UniqueConstraint(fields=["vote", "label"], name="roll_household_once"),
        ]

    def __str__(self) -> str:
        return self.label


class Participation(models.Model):
    """One row per voter and vote: the lock that makes "one person, one counted ballot" hold
    under concurrent requests, and the pointer to the ballot that counts."""

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="participations")
    voter_ref = models.CharField(max_length=40)  # "user:<id>" or "roll:<id>"
    ballot = models.OneToOneField(
        "Ballot", null=True, on_delete=models.PROTECT, related_name="counted_for"
    )
    district = models.ForeignKey(District, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["vote", "voter_ref"], name="one_participation"),
        ]

    def __str__(self) -> str:
        return f"{self.vote_id}/{self.voter_ref}"


class Ballot(models.Model):
    vote = models.ForeignKey(Vote, on_delete=models.PROTECT, related_name="ballots")
    pseudonym = models.CharField(max_length=64)
    # Open polls: {"choices": [[option positions of question 0], …]};
    # secret ballots: the encrypted ballot with its proofs (voting/crypto).
    content = models.JSONField()
    weight = models.PositiveIntegerField(default=1)
    # The ballot's leaf hash in the `votes` ledger log (hex): what the voter keeps and looks up.
    tracker = models.CharField(max_length=64, unique=True)
    # Casting stores the ballot's ledger entry here and commits; the sequencer (sequencer.py)
    # then appends waiting entries to the `votes` log in batches, sets ``ledger_index`` and
    # clears this.  Casts never wait on the log's lock, and the tracker is known at once.
    ledger_entry = models.BinaryField(null=True)
    ledger_index = models.BigIntegerField(null=True)
    cast_at = models.DateTimeField()
    replaced_at = models.DateTimeField(null=True, blank=True)
    # Secret ballots: SHA-256 of all the ballot's ciphertexts.  Unique, so a copy of someone
    # else's encrypted ballot (which would repeat their choice) is refused even under races.
    ciphertext_hash = models.CharField(max_length=64, null=True, unique=True)

    class Meta:
        ordering = ["cast_at", "id"]
        indexes = [
            models.Index(fields=["vote", "replaced_at"]),
            # Small: only the ballots still waiting for the ledger.
            models.Index(
                fields=["id"],
                name="voting_ballot_unsequenced",
                condition=models.Q(ledger_index__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.tracker[:12]


class Trustee(models.Model):
    """A trustee of a secret vote's election key (k of n, no trusted dealer).

    The server only ever holds public values and relays shares sealed to each recipient's
    transport key: the secret shares live in each trustee's key file on their own machine.
    """

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="trustees")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="trusteeships"
    )
    index = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(255)]
    )
    # {"public", "proof"}: the key other trustees seal this trustee's shares to.
    transport_key = models.JSONField(null=True, blank=True)
    # The public dealing (Feldman commitments with proofs) and the shares sealed to every
    # other trustee: [{"dealer", "recipient", "ephemeral", "body", "tag"}, …].
    dealing = models.JSONField(null=True, blank=True)
    sealed_shares = models.JSONField(null=True, blank=True)
    # {"trustee", "factors", "proofs"}: partial decryption of the encrypted tally.
    decryption = models.JSONField(null=True, blank=True)
    appointed_at = models.DateTimeField(auto_now_add=True)
    transport_key_at = models.DateTimeField(null=True, blank=True)
    dealt_at = models.DateTimeField(null=True, blank=True)
    # The trustee opened and checked every share sealed to it.
    confirmed_at = models.DateTimeField(null=True, blank=True)
    decrypted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("trustee")
        verbose_name_plural = _("trustees")
        ordering = ["vote_id", "index"]
        constraints = [
            models.UniqueConstraint(fields=["vote", "index"], name="trustee_index_once"),
            models.UniqueConstraint(fields=["vote", "user"], name="trustee_user_once"),
        ]

    def __str__(self) -> str:
        return f"{self.vote_id}/{self.index}"


class PaperBatch(models.Model):
    """Paper ballots from one polling place (e.g. a community centre), typed in twice.

    Two officials enter the same sheets independently (``PaperEntry``); the batch counts once
    two entries by different officials agree sheet for sheet.  It is published in the
    election record as its own batch, with who entered it and when.
    """

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting for the second entry")
        MISMATCH = "mismatch", _("Entries differ")
        CONFIRMED = "confirmed", _("Confirmed")

    vote = models.ForeignKey(Vote, on_delete=models.PROTECT, related_name="paper_batches")
    label = models.CharField(_("batch"), max_length=200)  # "망원1동 주민센터, box 1"
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    # The agreed sheets once confirmed: per sheet, the chosen option numbers per question.
    sheets = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["vote_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["vote", "label"], name="paper_batch_label"),
        ]

    def __str__(self) -> str:
        return self.label


class PaperEntry(models.Model):
    batch = models.ForeignKey(PaperBatch, on_delete=models.CASCADE, related_name="entries")
    official = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    sheets = models.JSONField()
    digest = models.CharField(max_length=64)  # SHA-256 of the sheets' canonical JSON
    entered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["batch_id", "id"]

    def __str__(self) -> str:
        return f"{self.batch} ({self.entered_at:%Y-%m-%d %H:%M})"
