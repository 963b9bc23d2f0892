"""Open Data Plaza: datasets, their resources and each resource's kept versions.

A tabular version's rows live in one Parquet file under ``OPENDATA_ROOT`` (see
``datastore.py``); the database keeps only the catalogue, the inferred schema and the load's
progress and report.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from smartseoul.accounts.models import Department


class Category(models.TextChoices):
    """Seoul Open Data Plaza's ten categories."""

    ADMINISTRATION = "administration", _("General administration")
    CULTURE = "culture", _("Culture and tourism")
    ENVIRONMENT = "environment", _("Environment")
    HEALTH = "health", _("Health")
    ECONOMY = "economy", _("Industry and economy")
    CITY = "city", _("City management")
    WELFARE = "welfare", _("Welfare")
    TRANSPORT = "transport", _("Transport")
    SAFETY = "safety", _("Safety")
    EDUCATION = "education", _("Education")


class Frequency(models.TextChoices):
    REALTIME = "realtime", _("Real time")
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    ANNUAL = "annual", _("Annually")
    IRREGULAR = "irregular", _("Irregularly")


# Licence code → (title, URL).  KOGL type 1 is what Seoul uses for most of its data.
LICENCES = {
    "KOGL-1": ("공공누리 제1유형 (출처표시)", "https://www.kogl.or.kr/info/licenseType1.do"),
    "KOGL-2": (
        "공공누리 제2유형 (출처표시+상업적 이용금지)",
        "https://www.kogl.or.kr/info/licenseType2.do",
    ),
    "CC-BY-4.0": (
        "Creative Commons Attribution 4.0",
        "https://creativecommons.org/licenses/by/4.0/",
    ),
    "CC0-1.0": ("CC0 1.0 Public Domain", "https://creativecommons.org/publicdomain/zero/1.0/"),
}
LICENCE_CHOICES = [(code, title) for code, (title, _url) in LICENCES.items()]


class Dataset(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # CKAN's "name": the stable, URL-safe identifier clients use.
    name = models.SlugField(_("identifier"), max_length=100, unique=True)
    title_ko = models.CharField(_("Korean title"), max_length=200)
    title_en = models.CharField(_("English title"), max_length=200, blank=True)
    description_ko = models.TextField(_("Korean description"), blank=True)
    description_en = models.TextField(_("English description"), blank=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    tags = models.JSONField(_("tags"), default=list, blank=True)
    department = models.ForeignKey(
        Department, verbose_name=_("publisher"), on_delete=models.PROTECT, related_name="datasets"
    )
    licence = models.CharField(
        _("licence"), max_length=20, choices=LICENCE_CHOICES, default="KOGL-1"
    )
    frequency = models.CharField(
        _("update frequency"), max_length=20, choices=Frequency.choices, default=Frequency.IRREGULAR
    )
    temporal_start = models.DateField(_("covers from"), null=True, blank=True)
    temporal_end = models.DateField(_("covers until"), null=True, blank=True)
    spatial = models.CharField(
        _("spatial coverage"), max_length=200, blank=True, default="서울특별시"
    )
    contact_name = models.CharField(_("contact name"), max_length=100, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    # Morphemes of the titles, descriptions, tags and column names, space separated; kept so
    # that search never runs the morphological analyser over the catalogue.
    search_terms = models.TextField(blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("dataset")
        verbose_name_plural = _("datasets")
        ordering = ["-updated_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(temporal_end__isnull=True)
                | models.Q(temporal_start__isnull=True)
                | models.Q(temporal_end__gte=models.F("temporal_start")),
                name="opendata_dataset_temporal_order",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        english = (get_language() or "ko").startswith("en")
        return self.title_en if english and self.title_en else self.title_ko

    @property
    def description(self) -> str:
        english = (get_language() or "ko").startswith("en")
        return self.description_en if english and self.description_en else self.description_ko

    @property
    def licence_url(self) -> str:
        return LICENCES.get(self.licence, ("", ""))[1]


class Resource(models.Model):
    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"
        JSON = "json", "JSON"
        GEOJSON = "geojson", "GeoJSON"
        LINK = "link", _("Link")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    dataset = models.ForeignKey(
        Dataset, verbose_name=_("dataset"), on_delete=models.CASCADE, related_name="resources"
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    format = models.CharField(_("format"), max_length=10, choices=Format.choices)
    url = models.URLField(_("link"), blank=True, help_text=_("Only for links."))
    # Seoul Open API service name (e.g. "SeoulPublicWifi"); unique across the portal.
    service_name = models.CharField(
        _("Open API service name"), max_length=64, null=True, blank=True, unique=True
    )
    # Columns matched, in order, by the optional positional parameters after START/END.
    service_filters = models.JSONField(_("Open API filter columns"), default=list, blank=True)
    # Columns loaded as text whatever they look like: codes and times written in digits
    # (district code 11440, RealtimeCityAir's MSRDT), which type inference makes numbers.
    text_columns = models.JSONField(_("columns kept as text"), default=list, blank=True)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        ordering = ["position", "created_at"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_tabular(self) -> bool:
        return self.format != self.Format.LINK

    def current_version(self) -> ResourceVersion | None:
        """The newest version whose table is ready; older ones stay downloadable."""
        prefetched = getattr(self, "ready_versions", None)  # see queries.datasets()
        if prefetched is not None:
            return prefetched[0] if prefetched else None
        return self.versions.filter(status=ResourceVersion.Status.READY).order_by("-number").first()


def _source_path(version: ResourceVersion, filename: str) -> str:
    return f"opendata/sources/{version.resource_id}/{version.number}/{filename}"


class ResourceVersion(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        LOADING = "loading", _("Loading")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    source = models.FileField(_("file"), upload_to=_source_path, max_length=300)
    encoding = models.CharField(max_length=20, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    row_count = models.PositiveBigIntegerField(default=0)
    # [{"name": "자치구", "type": "VARCHAR"}, …] in column order, names as published.
    schema = models.JSONField(default=list, blank=True)
    bad_row_count = models.PositiveIntegerField(default=0)
    # The first bad rows: [{"line": 12, "message": "…", "content": "…"}].
    bad_rows = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    parquet = models.CharField(max_length=300, blank=True)  # relative to OPENDATA_ROOT
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    loaded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["resource", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["resource", "number"], name="opendata_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.resource} v{self.number}"

    @property
    def column_names(self) -> list[str]:
        return [column["name"] for column in self.schema]


class OpenApiKey(models.Model):
    """A Seoul Open API key (sent in the URL path); only its SHA-256 is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="opendata_keys"
    )
    purpose = models.CharField(_("purpose"), max_length=200)
    key_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=8)  # the first characters, to tell keys apart
    daily_quota = models.PositiveIntegerField(_("daily quota"))
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.hint}… ({self.purpose})"


class KeyUsage(models.Model):
    key = models.ForeignKey(OpenApiKey, on_delete=models.CASCADE, related_name="usage")
    day = models.DateField()
    calls = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "day"], name="opendata_key_day")]

    def __str__(self) -> str:
        return f"{self.key} {self.day}: {self.calls}"


class DatasetUsage(models.Model):
    """Public usage counters per dataset and day."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="usage")
    day = models.DateField()
    views = models.PositiveIntegerField(default=0)
    downloads = models.PositiveIntegerField(default=0)
    api_calls = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["dataset", "day"], name="opendata_usage_day")
        ]

    def __str__(self) -> str:
        return f"{self.dataset_id} {self.day}"


class SearchTerm(models.Model):
    """How often a search term was used on a day, for "popular search terms"."""

    term = models.CharField(max_length=100)
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["term", "day"], name="opendata_term_day")]

    def __str__(self) -> str:
        return f"{self.term} {self.day}: {self.count}"


class GalleryApp(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting review")
        APPROVED = "approved", _("Published")
        REJECTED = "rejected", _("Rejected")

    name = models.CharField(_("app name"), max_length=100)
    url = models.URLField(_("link"))
    description = models.TextField(_("description"), blank=True)
    screenshot = models.ImageField(
        _("screenshot"), upload_to="opendata/gallery/", blank=True, max_length=200
    )
    datasets = models.ManyToManyField(Dataset, verbose_name=_("datasets used"), related_name="apps")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name
