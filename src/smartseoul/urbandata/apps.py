from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UrbandataConfig(AppConfig):
    name = "smartseoul.urbandata"
    label = "urbandata"
    verbose_name = _("City sensors")

    def ready(self) -> None:
        from smartseoul.urbandata.demo import urbandata_demo_load
        from smartseoul.web import services
        from smartseoul.web.demo import register_demo_loader

        services.register(
            services.Service(
                slug="city",
                title=_("City dashboard"),
                summary=_("Fine dust, temperature and noise across Seoul, live; active alerts."),
                url_name="urbandata:dashboard",
                icon="📡",
                order=40,
            )
        )
        register_demo_loader(urbandata_demo_load)
