from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "smartseoul.web"
    label = "web"
    verbose_name = _("Web")

    def ready(self) -> None:
        from smartseoul.web import signals  # noqa: F401  (connects the post_migrate handler)
