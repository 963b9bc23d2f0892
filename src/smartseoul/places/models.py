from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class District(models.Model):
    """One of Seoul's 25 autonomous districts (자치구), keyed by its 5-digit SIG code."""

    code = models.CharField(_("code"), max_length=5, primary_key=True)
    name_ko = models.CharField(_("Korean name"), max_length=50)
    name_en = models.CharField(_("English name"), max_length=50)
    boundary = models.JSONField(_("boundary (GeoJSON geometry)"))
    centroid_lat = models.FloatField()
    centroid_lon = models.FloatField()

    class Meta:
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        ordering = ["name_ko"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "ko").startswith("en") else self.name_ko


class Neighbourhood(models.Model):
    """One of the 467 legal neighbourhoods (법정동); the code's first 5 digits are its district."""

    code = models.CharField(_("code"), max_length=8, primary_key=True)
    district = models.ForeignKey(
        District,
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        related_name="neighbourhoods",
    )
    name_ko = models.CharField(_("Korean name"), max_length=50)
    name_en = models.CharField(_("English name"), max_length=50)
    boundary = models.JSONField(_("boundary (GeoJSON geometry)"))
    centroid_lat = models.FloatField()
    centroid_lon = models.FloatField()

    class Meta:
        verbose_name = _("neighbourhood")
        verbose_name_plural = _("neighbourhoods")
        ordering = ["district_id", "name_ko"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "ko").startswith("en") else self.name_ko
