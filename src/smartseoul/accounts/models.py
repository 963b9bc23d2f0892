from __future__ import annotations

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from smartseoul.places.models import District, Neighbourhood


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with an e-mail address; citizen and/or official by profile."""

    email = models.EmailField(_("e-mail address"), unique=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(
        _("staff status"), default=False, help_text=_("May sign in to the administration site.")
    )
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []  # type: ignore[var-annotated]  # e-mail and password only

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        # Platform-wide capabilities that roles (groups) grant; each service checks them in its
        # queries and actions.  See accounts/roles.py for which role holds which.
        permissions = [
            ("access_official_portal", _("Can use the officials' pages")),
            ("manage_department", _("Can manage their department's work")),
            ("administer_elections", _("Can create and run elections and polls")),
            ("act_as_trustee", _("Can hold an election trustee key share")),
            ("publish_data", _("Can publish open datasets")),
            ("operate_sensors", _("Can register and operate sensors")),
            ("manage_roles", _("Can grant and revoke roles")),
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def display_name(self) -> str:
        for profile_name in ("official_profile", "citizen_profile"):
            profile = getattr(self, profile_name, None)
            if profile is not None and profile.name:
                return str(profile.name)
        return self.email.split("@", 1)[0]


class Department(models.Model):
    """A city-hall bureau or one of the 25 district offices (구청)."""

    class Kind(models.TextChoices):
        CITY_HALL = "city_hall", _("City hall bureau")
        DISTRICT_OFFICE = "district_office", _("District office")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_ko = models.CharField(_("Korean name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    district = models.OneToOneField(
        District,
        verbose_name=_("district"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="office",
        help_text=_("Only for district offices."),
    )

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["kind", "name_ko"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind="district_office", district__isnull=False)
                    | models.Q(kind="city_hall", district__isnull=True)
                ),
                name="department_district_matches_kind",
            )
        ]

    def __str__(self) -> str:
        from django.utils.translation import get_language

        return self.name_en if (get_language() or "ko").startswith("en") else self.name_ko


phone_validator = RegexValidator(
    r"^\+?[0-9][0-9\- ]{6,18}$", _("Enter a phone number such as 010-1234-5678.")
)


class CitizenProfile(models.Model):
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="citizen_profile")
    name = models.CharField(_("name"), max_length=100)
    district = models.ForeignKey(
        District, verbose_name=_("home district"), null=True, blank=True, on_delete=models.SET_NULL
    )
    neighbourhood = models.ForeignKey(
        Neighbourhood,
        verbose_name=_("home neighbourhood"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    birth_year = models.PositiveSmallIntegerField(
        _("birth year"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1900), MaxValueValidator(2100)],
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[phone_validator])
    verified = models.BooleanField(
        _("identity verified"),
        default=False,
        help_text=_("Set when the citizen's identity was checked (e.g. mobile carrier check)."),
    )

    class Meta:
        verbose_name = _("citizen profile")
        verbose_name_plural = _("citizen profiles")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if (
            self.neighbourhood_id
            and self.district_id
            and not self.neighbourhood_id.startswith(str(self.district_id))
        ):
            raise ValidationError(
                {"neighbourhood": _("This neighbourhood is not in that district.")}
            )


class OfficialProfile(models.Model):
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="official_profile")
    name = models.CharField(_("name"), max_length=100)
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="officials"
    )
    position = models.CharField(_("position"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("official profile")
        verbose_name_plural = _("official profiles")

    def __str__(self) -> str:
        return f"{self.name} ({self.department})"


class ApiKey(models.Model):
    """A key a developer sends as ``X-API-Key``; only its SHA-256 is stored.

    The key is 32 random bytes, so a fast hash is safe here (unlike passwords): nobody can
    brute-force 256 bits.  The short public prefix finds the row without scanning.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=16, unique=True)
    key_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.user.is_active
