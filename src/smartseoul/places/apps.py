from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlacesConfig(AppConfig):
    name = "smartseoul.places"
    label = "places"
    verbose_name = _("Places")

    def ready(self) -> None:
        from smartseoul.places import signals  # noqa: F401  (loads the boundaries after migrate)
