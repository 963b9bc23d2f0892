"""IoT sensors: the registry, stored reports, roll-ups, the quarantine and alerts.

A *report* is one message from one sensor at one time carrying several *values* (one per
quantity: pm10, temperature …).  Reports are stored once per (sensor, measured_at); roll-ups
keep sum/count/min/max per (scope, key, quantity, granularity, bucket) so averages compose
and dashboards never scan raw reports.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from smartseoul.places.models import District, Neighbourhood


class SensorModel(models.Model):
    """A kind of device and what it measures.

    ``quantities`` maps a quantity name to ``{"unit": str, "min": float, "max": float,
    "max_step": float | None}``: the valid range (outside it a value is flagged ``range``) and
    the largest believable change between two consecutive reports (beyond it: ``spike``).
    """

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    manufacturer = models.CharField(_("manufacturer"), max_length=200, blank=True)
    quantities = models.JSONField(_("measured quantities"), default=dict)

    class Meta:
        verbose_name = _("sensor model")
        verbose_name_plural = _("sensor models")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Sensor(models.Model):
    serial = models.CharField(_("serial number"), max_length=100, unique=True)
    model = models.ForeignKey(
        SensorModel, verbose_name=_("model"), on_delete=models.PROTECT, related_name="sensors"
    )
    lat = models.FloatField(_("latitude"))
    lon = models.FloatField(_("longitude"))
    district = models.ForeignKey(
        District, verbose_name=_("district"), on_delete=models.PROTECT, related_name="sensors"
    )
    neighbourhood = models.ForeignKey(
        Neighbourhood,
        verbose_name=_("neighbourhood"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sensors",
    )
    installed_at = models.DateTimeField(_("installed at"))
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)
    # {"pm10": {"scale": 1.05, "offset": -2.0}}: corrected = raw * scale + offset.
    calibration = models.JSONField(_("calibration factors"), default=dict, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("sensor")
        verbose_name_plural = _("sensors")
        ordering = ["serial"]

    def __str__(self) -> str:
        return self.serial


class Report(models.Model):
    """One stored report; ``raw`` as sent, ``values`` calibrated (None where QC refused it)."""

    sensor = models.ForeignKey(Sensor, on_delete=models.PROTECT, related_name="reports")
    measured_at = models.DateTimeField()
    received_at = models.DateTimeField()
    raw = models.JSONField()
    values = models.JSONField()
    # {"pm10": ["spike"], ...}; empty when every value passed.
    flags = models.JSONField(default=dict)
    # True when the report arrived after its hour had closed, so its values were added to
    # its sensor-hour roll-up as it was stored; the hour's roll-up adds only the others
    # (see rollups.py), so each report is counted once either way.
    rolled_on_arrival = models.BooleanField(default=False, db_default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["sensor", "measured_at"], name="report_once_per_time")
        ]
        indexes = [models.Index(fields=["measured_at"], name="report_measured_at")]

    def __str__(self) -> str:
        return f"{self.sensor_id}@{self.measured_at.isoformat()}"


class LatestReading(models.Model):
    """The newest report of each sensor: the cheap table the dashboard and QC read."""

    sensor = models.OneToOneField(
        Sensor, on_delete=models.CASCADE, primary_key=True, related_name="latest"
    )
    measured_at = models.DateTimeField()
    values = models.JSONField()
    # Per quantity, how many consecutive reports repeated the same raw value (stuck check).
    repeats = models.JSONField(default=dict)
    # Not indexed: a changing indexed column would rule out PostgreSQL's in-place (HOT)
    # updates, and a scan of one row per sensor is cheap.
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.sensor_id}@{self.measured_at.isoformat()}"


class Rollup(models.Model):
    """Sum, count, min and max of one quantity in one bucket: per sensor by hour (written
    once, when the hour closes: rollups.py; a sensor's days are summed from its hours when
    read), per neighbourhood and district by hour and by Seoul day (as reports arrive).
    ``updated_at`` is deliberately not indexed (see LatestReading)."""

    class Scope(models.TextChoices):
        SENSOR = "s", _("sensor")
        NEIGHBOURHOOD = "n", _("neighbourhood")
        DISTRICT = "d", _("district")

    class Granularity(models.TextChoices):
        HOUR = "h", _("hour")
        DAY = "d", _("day")

    scope = models.CharField(max_length=1, choices=Scope.choices)
    # The sensor id, neighbourhood code or district code.
    key = models.CharField(max_length=20)
    quantity = models.CharField(max_length=40)
    granularity = models.CharField(max_length=1, choices=Granularity.choices)
    # Hours in UTC; days are Seoul calendar days (stored as their 00:00 KST instant).
    bucket = models.DateTimeField()
    count = models.IntegerField()
    total = models.FloatField()
    minimum = models.FloatField()
    maximum = models.FloatField()
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "granularity", "quantity", "key", "bucket"],
                name="rollup_once_per_bucket",
            )
        ]
        indexes = [
            models.Index(
                fields=["scope", "granularity", "quantity", "bucket"], name="rollup_area_time"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key}:{self.quantity}:{self.granularity}:{self.bucket}"

    @property
    def average(self) -> float:
        return self.total / self.count if self.count else 0.0


class RollupState(models.Model):
    """One row: how far the sensor-hour roll-up has got (rollups.py).

    Hours before ``closed_before`` are closed: a report for one of them is added to its
    sensor-hour row as it is stored.  Hours before ``rolled_before`` are rolled up: their
    sensor-hour rows are complete, and raw reports of those hours may be pruned.  The hour
    beginning at ``rolled_before`` is rolled up a slice of sensors at a time: for sensors
    whose id is below ``sensors_below`` it is done too.  Reads of a sensor's later hours
    come from its raw reports.  Both times empty: nothing closed yet.
    """

    closed_before = models.DateTimeField(null=True)
    rolled_before = models.DateTimeField(null=True)
    sensors_below = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return (
            f"closed<{self.closed_before} rolled<{self.rolled_before} "
            f"(and sensors<{self.sensors_below} of that hour)"
        )


class QuarantinedReport(models.Model):
    """A report we could not store as a measurement, kept with the reason (never dropped)."""

    class Source(models.TextChoices):
        MQTT = "mqtt", "MQTT"
        HTTP = "http", "HTTP"
        IMPORT = "import", _("import")

    received_at = models.DateTimeField(db_index=True)
    source = models.CharField(max_length=10, choices=Source.choices)
    topic = models.CharField(max_length=300, blank=True)
    serial = models.CharField(max_length=100, blank=True)
    payload = models.TextField()
    reason = models.CharField(max_length=300)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.serial or '?'}: {self.reason}"


class AlertRule(models.Model):
    """When to open an alert: a built-in kind with a threshold, for one district or all."""

    class Kind(models.TextChoices):
        PM10 = "pm10", _("PM10 hourly average")
        PM25 = "pm25", _("PM2.5 hourly average")
        COLD_WAVE = "cold_wave", _("Cold wave (daily minimum temperature)")
        COLD_WAVE_DROP = "cold_wave_drop", _("Cold wave (sudden drop of the morning minimum)")
        HEAT_WAVE = "heat_wave", _("Heat wave (daily maximum apparent temperature)")
        NOISE = "noise", _("Noise hourly average")
        OFFLINE = "offline", _("Sensor offline")

    class Severity(models.TextChoices):
        ADVISORY = "advisory", _("advisory")
        WARNING = "warning", _("warning")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    district = models.ForeignKey(
        District,
        verbose_name=_("district"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        help_text=_("Empty: every district."),
    )
    # For the sudden-drop cold wave: how many °C the morning minimum fell since the day before.
    threshold = models.FloatField(_("threshold"))
    # Hours for hourly kinds, days for cold/heat waves, minutes for offline.
    duration = models.PositiveIntegerField(_("duration"))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("alert rule")
        verbose_name_plural = _("alert rules")
        ordering = ["kind", "severity"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.get_severity_display()}"


class Alert(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("open")
        ACKNOWLEDGED = "acknowledged", _("acknowledged")
        RESOLVED = "resolved", _("resolved")

    rule = models.ForeignKey(AlertRule, on_delete=models.PROTECT, related_name="alerts")
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="alerts")
    sensor = models.ForeignKey(
        Sensor, on_delete=models.PROTECT, null=True, blank=True, related_name="alerts"
    )
    # The district office, told by e-mail when the alert opens.
    department = models.ForeignKey(
        "accounts.Department",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sensor_alerts",
    )
    # "" for an alert about the whole district, else the sensor's serial (keeps the
    # one-active-alert constraint free of NULLs, which SQLite and PostgreSQL treat alike).
    subject = models.CharField(max_length=100, blank=True)
    severity = models.CharField(max_length=10, choices=AlertRule.Severity.choices)
    status = models.CharField(max_length=15, choices=Status.choices, default=Status.OPEN)
    opened_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    value = models.FloatField()
    message = models.CharField(max_length=300)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_sensor_alerts",
    )
    action_taken = models.TextField(blank=True)

    class Meta:
        ordering = ["-opened_at"]
        constraints = [
            # One unresolved alert per rule and place at a time.
            models.UniqueConstraint(
                fields=["rule", "district", "subject"],
                condition=~models.Q(status="resolved"),
                name="alert_one_active",
            )
        ]

    def __str__(self) -> str:
        return self.message


class AlertEvent(models.Model):
    """The alert's history: opened, acknowledged, assigned, action, resolved."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="history")
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    event = models.CharField(max_length=30)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.event} {self.at.isoformat()}"


class SensorKey(models.Model):
    """An API key that lets one sensor (not an account) send its own reports over HTTP.

    Only the SHA-256 of the key is stored (32 random bytes: a fast hash is safe); the short
    public prefix finds the row without a scan.
    """

    sensor = models.ForeignKey(Sensor, on_delete=models.CASCADE, related_name="keys")
    prefix = models.CharField(max_length=16, unique=True)
    key_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("created"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("sensor API key")
        verbose_name_plural = _("sensor API keys")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.sensor_id}: {self.prefix}…"
