"""Participatory-budgeting rounds: scopes with their budgets, citizens' projects, supports,
and the public history of each project from proposal to a finished building site.

Only ``actions.py`` writes these tables.  Amounts are whole numbers of the round's cost unit
(docs/budgeting.md §1), because the budget proof and the Pabulib export need integers.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from smartseoul.places.models import District, Neighbourhood


class Round(models.Model):
    class Phase(models.TextChoices):
        DRAFT = "draft", _("Being prepared")
        PROPOSALS = "proposals", _("Proposals")
        SUPPORT = "support", _("Support collection")
        REVIEW = "review", _("Review by officials")
        BALLOTING = "balloting", _("Balloting")
        TALLIED = "tallied", _("Counted")
        RESULTS = "results", _("Results")
        IMPLEMENTATION = "implementation", _("Implementation")

    class Privacy(models.TextChoices):
        OPEN = "open", _("Open ballots (choices public under a pseudonym)")
        SECRET = "secret", _("Secret ballots (end-to-end verifiable)")

    class WinnerRule(models.TextChoices):
        GREEDY = "greedy", _("Most votes first, within the budget (greedy)")
        ADD1 = "equalshares/add1", _("Method of Equal Shares")
        ADD1_GREEDY = (
            "equalshares/add1/greedy",
            _("Method of Equal Shares, then most votes first for what is left"),
        )

    title = models.CharField(_("title"), max_length=200)
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    edition = models.CharField(_("edition"), max_length=40, blank=True)
    description = models.TextField(_("description"), blank=True, max_length=5000)
    cost_unit = models.PositiveBigIntegerField(
        _("cost unit (KRW)"),
        default=1_000_000,
        validators=[MinValueValidator(1)],
        help_text=_("Every cost and budget is a whole number of this many won."),
    )
    privacy = models.CharField(
        _("ballots"), max_length=8, choices=Privacy.choices, default=Privacy.OPEN
    )
    winner_rule = models.CharField(
        _("winner rule"), max_length=30, choices=WinnerRule.choices, default=WinnerRule.GREEDY
    )
    ballot_top_n = models.PositiveSmallIntegerField(
        _("most supported projects per scope on the ballot"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text=_("Empty: every feasible project goes on the ballot."),
    )
    require_verified = models.BooleanField(
        _("only identity-verified citizens"),
        default=True,
        help_text=_("For proposing, supporting and voting, as mVoting's polls ask."),
    )
    # Secret rounds: the trustees appointed on every scope's vote (k of n).
    trustees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("trustees")
    )
    trustee_threshold = models.PositiveSmallIntegerField(
        _("trustees needed to decrypt"), null=True, blank=True
    )
    phase = models.CharField(_("phase"), max_length=16, choices=Phase.choices, default=Phase.DRAFT)
    # The planned schedule, shown to citizens; the phase itself moves by administrators'
    # actions (audited), and the ballot opens and closes with its votes' own times.
    proposals_end = models.DateTimeField(_("proposals close"))
    support_end = models.DateTimeField(_("support collection closes"))
    review_end = models.DateTimeField(_("review ends"))
    ballot_opens = models.DateTimeField(_("ballot opens"))
    ballot_closes = models.DateTimeField(_("ballot closes"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    phase_changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("budget round")
        verbose_name_plural = _("budget rounds")
        ordering = ["-year", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(privacy="open") | models.Q(winner_rule="greedy"),
                name="budget_secret_round_greedy",
            ),
            models.CheckConstraint(
                condition=models.Q(ballot_closes__gt=models.F("ballot_opens")),
                name="budget_ballot_closes_after_opening",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def phase_index(self) -> int:
        return PHASES.index(self.phase)


PHASES: list[str] = list(Round.Phase.values)


class Scope(models.Model):
    """A budget: the whole city (no district) or one district (optionally a neighbourhood)."""

    class BallotRule(models.TextChoices):
        KNAPSACK = "knapsack", _("Choose projects up to the budget")
        APPROVAL = "approval", _("Choose up to a number of projects")

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="scopes")
    district = models.ForeignKey(
        District, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    neighbourhood = models.ForeignKey(
        Neighbourhood, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    amount = models.PositiveIntegerField(
        _("budget (cost units)"), validators=[MinValueValidator(1), MaxValueValidator(2**32 - 1)]
    )
    ballot_rule = models.CharField(
        _("ballot"), max_length=10, choices=BallotRule.choices, default=BallotRule.KNAPSACK
    )
    min_share_percent = models.PositiveSmallIntegerField(
        _("minimum share of the budget (%)"),
        default=0,
        validators=[MaxValueValidator(100)],
        help_text=_("Knapsack ballots: a ballot must use at least this share of the budget."),
    )
    max_projects = models.PositiveSmallIntegerField(
        _("at most this many projects"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    min_projects = models.PositiveSmallIntegerField(_("at least this many projects"), default=0)
    # One voting Vote per scope once the ballot opens (its public id).
    vote_public_id = models.UUIDField(null=True, blank=True)
    # The ballot's projects (ids) in option order: option i of the vote is ballot[i].
    ballot = models.JSONField(null=True, blank=True)
    # The winner computation as published (budgeting Result.to_json()), after the count.
    result = models.JSONField(null=True, blank=True)

    class Meta:
        verbose_name = _("budget scope")
        verbose_name_plural = _("budget scopes")
        ordering = ["round_id", models.F("district_id").asc(nulls_first=True), "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["round"],
                condition=models.Q(district__isnull=True),
                name="budget_one_citywide_scope",
            ),
            models.UniqueConstraint(
                fields=["round", "district"],
                condition=models.Q(district__isnull=False, neighbourhood__isnull=True),
                name="budget_one_scope_per_district",
            ),
            models.UniqueConstraint(
                fields=["round", "neighbourhood"],
                condition=models.Q(neighbourhood__isnull=False),
                name="budget_one_scope_per_neighbourhood",
            ),
            models.CheckConstraint(
                condition=models.Q(ballot_rule="knapsack")
                | models.Q(max_projects__isnull=False, max_projects__gte=models.F("min_projects")),
                name="budget_approval_scope_has_k",
            ),
        ]

    def __str__(self) -> str:
        return str(self.name)

    @property
    def name(self) -> str:
        if self.neighbourhood_id:
            return f"{self.district.name} {self.neighbourhood.name}"  # type: ignore[union-attr]
        if self.district_id:
            return self.district.name  # type: ignore[union-attr]
        return str(_("City-wide"))

    @property
    def is_citywide(self) -> bool:
        return self.district_id is None


class Theme(models.TextChoices):
    SAFETY = "safety", _("Safety")
    ENVIRONMENT = "environment", _("Environment and parks")
    TRANSPORT = "transport", _("Transport and streets")
    WELFARE = "welfare", _("Welfare and health")
    CULTURE = "culture", _("Culture and sport")
    EDUCATION = "education", _("Education and youth")
    ECONOMY = "economy", _("Jobs and economy")
    DIGITAL = "digital", _("Digital city")


class Project(models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        FEASIBLE = "feasible", _("Feasible")
        REJECTED = "rejected", _("Not feasible")
        ON_BALLOT = "on_ballot", _("On the ballot")
        NOT_ON_BALLOT = "not_on_ballot", _("Not enough support for the ballot")
        SELECTED = "selected", _("Funded")
        NOT_SELECTED = "not_selected", _("Not funded")
        PLANNING = "planning", _("Being planned")
        IN_PROGRESS = "in_progress", _("Under way")
        COMPLETED = "completed", _("Completed")

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="projects")
    scope = models.ForeignKey(Scope, on_delete=models.PROTECT, related_name="projects")
    # Never shown on public pages (least exposure); kept for the author's own list.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="budget_projects",
    )
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), max_length=4000)
    theme = models.CharField(_("theme"), max_length=20, choices=Theme.choices)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lng = models.FloatField(_("longitude"), null=True, blank=True)
    neighbourhood = models.ForeignKey(
        Neighbourhood, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    estimated_cost = models.PositiveIntegerField(
        _("estimated cost (cost units)"), validators=[MinValueValidator(1)]
    )
    reviewed_cost = models.PositiveIntegerField(
        _("reviewed cost (cost units)"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PROPOSED
    )
    rejection_reason = models.TextField(_("public reason for rejection"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    support_count = models.PositiveIntegerField(default=0)
    votes = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        # Submission order: the fixed public order of the ballot and the last tie-breaker.
        ordering = ["id"]
        indexes = [models.Index(fields=["scope", "status"])]

    def __str__(self) -> str:
        return self.title

    @property
    def cost(self) -> int:
        """What the project costs as far as anyone knows: the reviewed cost once there is one."""
        return self.reviewed_cost or self.estimated_cost


class Support(models.Model):
    """One citizen's support for a proposal during support collection (one per project)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="budget_supports"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "user"], name="budget_support_once"),
        ]

    def __str__(self) -> str:
        return f"{self.project_id}/{self.user_id}"


class ProjectUpdate(models.Model):
    """A public entry of a project's history: every status change, and implementation news
    with photos posted by officials."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="updates")
    status = models.CharField(_("status"), max_length=16, choices=Project.Status.choices)
    note = models.TextField(_("note"), blank=True, max_length=4000)
    date = models.DateField(_("date"))
    official = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "id"]

    def __str__(self) -> str:
        return f"{self.project_id} {self.date}: {self.status}"


class UpdatePhoto(models.Model):
    """A photo of an implementation update: turned upright and stripped of EXIF on upload."""

    update = models.ForeignKey(ProjectUpdate, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to="budgeting/photos/")

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return str(self.image.name)
