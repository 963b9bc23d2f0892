from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "smartseoul.complaints"
    label = "complaints"
    verbose_name = _("Smart Complaint Report")

    def ready(self) -> None:
        from smartseoul.complaints.demo import complaints_demo_load
        from smartseoul.web import services
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
