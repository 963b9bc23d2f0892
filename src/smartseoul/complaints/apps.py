from __future__ import annotations

import datetime
from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_categories(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """The standard categories, back after a flush (tests, ``manage flush``) empties the
    table the migration filled; categories an operator edited are left as they are."""
    from smartseoul.complaints.categories import categories_load
    from smartseoul.complaints.models import Category

    if not Category.objects.using(using).exists():
        categories_load()


def _escalate() -> None:
    from smartseoul.complaints.escalation import reports_escalate_overdue

    reports_escalate_overdue()


class ComplaintsConfig(AppConfig):
    name = "smartseoul.complaints"
    label = "complaints"
    verbose_name = _("Smart Complaint Report")

    def ready(self) -> None:
        from smartseoul.complaints.demo import complaints_demo_load
        from smartseoul.web import periodic, services
        from smartseoul.web.demo import register_demo_loader

        services.register(
            services.Service(
                slug="complaints",
                title=_("Smart Complaint Report"),
                summary=_(
                    "Report a pothole, illegal parking or a broken street light with a photo; "
                    "follow the answer."
                ),
                url_name="complaints:list",
                icon="📣",
                order=20,
            )
        )
        register_demo_loader(complaints_demo_load)
        periodic.register(
            periodic.Job("complaints.escalate", datetime.timedelta(hours=1), _escalate)
        )
        post_migrate.connect(_ensure_categories, sender=self)
