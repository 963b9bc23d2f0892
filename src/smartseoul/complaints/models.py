"""Smart Complaint Report: categories, reports, their media, followers and public history."""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from smartseoul.accounts.models import Department
from smartseoul.places.models import District, Neighbourhood

DETAILS_MAX_CHARS = 4000


def _public_id() -> str:
    # Short, unguessable, easy to read over the phone: "R" + 10 base32 characters.
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "R" + "".join(secrets.choice(alphabet) for _ in range(10))


class Category(models.Model):
    """What a report is about; decides the department, the deadline and who may report."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_ko = models.CharField(_("Korean name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100)
    description_ko = models.CharField(_("Korean description"), max_length=300, blank=True)
    description_en = models.CharField(_("English description"), max_length=300, blank=True)
    processing_days = models.PositiveSmallIntegerField(
        _("processing period (working days)"), validators=[MinValueValidator(1)]
    )
    anonymous_allowed = models.BooleanField(_("anonymous reports allowed"), default=False)
    # A code rather than a foreign key: categories are created by a migration, departments by
    # the operator's data load, and a category must exist before its department does.
    department_code = models.SlugField(
        _("responsible city-hall department (code)"), max_length=40, blank=True
    )
    # Open311 attribute definitions: [{"code", "datatype", "required", "description", ...}].
    attributes = models.JSONField(_("extra questions"), default=list, blank=True)
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "ko").startswith("en") else self.name_ko

    @property
    def description(self) -> str:
        english = (get_language() or "ko").startswith("en")
        return self.description_en if english else self.description_ko


class Report(models.Model):
    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        ASSIGNED = "assigned", _("Assigned")
        IN_PROGRESS = "in_progress", _("In progress")
        ANSWERED = "answered", _("Answered")
        RESOLVED = "resolved", _("Resolved")
        REJECTED = "rejected", _("Rejected")
        DUPLICATE = "duplicate", _("Duplicate")

    class Source(models.TextChoices):
        WEB = "web", _("Web")
        API = "api", _("API")
        OPEN311 = "open311", _("Open311")

    public_id = models.CharField(max_length=12, unique=True, default=_public_id, editable=False)
    # Open311's token: lets a client that posted a report find it again.
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="reports")
    lat = models.FloatField(_("latitude"))
    lon = models.FloatField(_("longitude"))
    address = models.CharField(_("address"), max_length=300, blank=True)
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+")
    neighbourhood = models.ForeignKey(
        Neighbourhood, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    details = models.TextField(
        _("details"), validators=[MaxLengthValidator(DETAILS_MAX_CHARS)], blank=True
    )
    # What the public sees: the details with personal data taken out (automatically at
    # submission, then by an official's redaction).
    public_details = models.TextField(_("published details"), blank=True)
    attributes = models.JSONField(_("answers to extra questions"), default=dict, blank=True)
    media_url = models.URLField(_("media URL (Open311)"), max_length=500, blank=True)

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="complaint_reports",
    )
    anonymous = models.BooleanField(_("anonymous"), default=False)
    # Contact given through Open311 (email, first/last name, phone): private, never published.
    contact = models.JSONField(_("contact (private)"), default=dict, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.WEB)

    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.RECEIVED
    )
    office = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaint_reports_as_office",
        verbose_name=_("office in charge"),
    )
    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaint_reports_as_department",
        verbose_name=_("responsible department"),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="complaint_assignments",
        verbose_name=_("assigned official"),
    )
    due_date = models.DateField(_("deadline"))
    escalated_at = models.DateTimeField(null=True, blank=True)
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicates"
    )
    received_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now, db_index=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    OPEN_STATUSES = (Status.RECEIVED, Status.ASSIGNED, Status.IN_PROGRESS)
    CLOSED_STATUSES = (Status.ANSWERED, Status.RESOLVED, Status.REJECTED, Status.DUPLICATE)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-received_at"]
        permissions = [("handle_all_reports", _("Can handle the reports of every office"))]
        indexes = [
            models.Index(fields=["office", "status", "due_date"], name="complaint_office_queue"),
            models.Index(fields=["department", "status", "due_date"], name="complaint_dept_queue"),
            # The queue's order (deadline, then arrival) straight from an index.
            models.Index(
                fields=["office", "due_date", "received_at", "id"], name="complaint_office_due"
            ),
            models.Index(
                fields=["department", "due_date", "received_at", "id"], name="complaint_dept_due"
            ),
            models.Index(fields=["status", "due_date"], name="complaint_status_due"),
            models.Index(fields=["lat", "lon"], name="complaint_point"),
            models.Index(fields=["category", "status"], name="complaint_category_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(lat__gte=-90, lat__lte=90, lon__gte=-180, lon__lte=180),
                name="complaint_point_in_range",
            )
        ]

    def __str__(self) -> str:
        return self.public_id

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class Media(models.Model):
    """A photo or video of a report.  The upload waits in ``incoming`` (never served) until
    the background task has written the EXIF-free / web-friendly ``file`` and thumbnail."""

    class Kind(models.TextChoices):
        PHOTO = "photo", _("Photo")
        VIDEO = "video", _("Video")

    class State(models.TextChoices):
        PENDING = "pending", _("Processing")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Could not be processed")

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="media")
    kind = models.CharField(max_length=5, choices=Kind.choices)
    state = models.CharField(max_length=8, choices=State.choices, default=State.PENDING)
    incoming = models.FileField(upload_to="complaints/incoming/", blank=True)
    file = models.FileField(upload_to="complaints/media/", blank=True)
    thumbnail = models.FileField(upload_to="complaints/thumbs/", blank=True)
    content_type = models.CharField(max_length=50)
    size = models.PositiveBigIntegerField()
    duration_seconds = models.FloatField(null=True, blank=True)
    # Black boxes drawn by an official before publishing: [[x, y, w, h], …] as fractions.
    redactions = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.pk} of {self.report_id}"


class NotificationPreference(models.Model):
    """How a person wants to hear about the reports they follow: the ``name`` of one of the
    configured channels (``email``, ``sms``, ``kakao``).  Without one, e-mail."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="complaint_notification_preference",
    )
    channel = models.CharField(_("notify me by"), max_length=20)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.user_id}: {self.channel}"


class Follower(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="followers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="complaint_follows"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["report", "user"], name="complaint_follow_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} follows {self.report_id}"


class Event(models.Model):
    """One entry of a report's history.  ``public_note`` is shown on the public timeline;
    ``internal_note`` (transfer reasons, assignment remarks) only to officials."""

    class Kind(models.TextChoices):
        RECEIVED = "received", _("Received")
        STATUS = "status", _("Status changed")
        ASSIGNED = "assigned", _("Assigned")
        TRANSFERRED = "transferred", _("Transferred")
        EXTENDED = "extended", _("Deadline extended")
        ESCALATED = "escalated", _("Escalated")
        MERGED = "merged", _("Merged")
        REDACTED = "redacted", _("Redacted")
        RATED = "rated", _("Rated")

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    status = models.CharField(max_length=12, choices=Report.Status.choices, blank=True)
    public_note = models.TextField(blank=True)
    internal_note = models.TextField(blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    to_department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    old_due_date = models.DateField(null=True, blank=True)
    new_due_date = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["report", "created_at"], name="complaint_event_time")]

    def __str__(self) -> str:
        return f"{self.kind} of {self.report_id}"


class Rating(models.Model):
    report = models.OneToOneField(Report, on_delete=models.CASCADE, related_name="rating")
    stars = models.PositiveSmallIntegerField(
        _("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("comment"), blank=True, validators=[MaxLengthValidator(1000)])
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(stars__gte=1, stars__lte=5), name="complaint_rating_range"
            )
        ]

    def __str__(self) -> str:
        return f"{self.stars}★ for {self.report_id}"


class ResponseTemplate(models.Model):
    """A reusable public answer; ``department`` None means every department may use it."""

    title = models.CharField(_("title"), max_length=100)
    body = models.TextField(_("text"))
    status = models.CharField(
        _("status it sets"), max_length=12, choices=Report.Status.choices, blank=True
    )
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.CASCADE)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


# The map's summary grids: fine cells of about 555 m (north–south) × 440 m (east–west) in
# Seoul for district-sized views, coarse cells eight times wider for the whole city.
CELL_DEGREES = 0.005
COARSE_CELL_DEGREES = 0.04
CELL_LEVELS = (CELL_DEGREES, COARSE_CELL_DEGREES)


class MapCell(models.Model):
    """How many open or closed reports of one category lie in one grid cell, with the sums
    of their coordinates (for the clusters' mean positions).  A wide map viewport reads a
    few thousand of these rows instead of aggregating up to millions of reports; the
    actions keep them in step with every report in the same transaction."""

    level = models.PositiveSmallIntegerField()  # index into CELL_LEVELS
    cell_y = models.IntegerField()
    cell_x = models.IntegerField()
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="+")
    is_open = models.BooleanField()
    count = models.IntegerField(default=0)
    lat_sum = models.FloatField(default=0)
    lon_sum = models.FloatField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["level", "cell_y", "cell_x", "category", "is_open"],
                name="complaint_cell_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.level}:{self.cell_y},{self.cell_x} open={self.is_open}: {self.count}"
