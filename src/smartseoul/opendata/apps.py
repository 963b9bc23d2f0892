from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpendataConfig(AppConfig):
    name = "smartseoul.opendata"
    label = "opendata"
    verbose_name = _("Open Data Plaza")

    def ready(self) -> None:
        from smartseoul.opendata.demo import opendata_demo_load
        from smartseoul.web import services
        from smartseoul.web.demo import register_demo_loader

        services.register(
            services.Service(
                slug="opendata",
                title=_("Open Data Plaza"),
                summary=_("Seoul's public data as sheets, charts, maps, files and Open API."),
                url_name="opendata:catalogue",
                icon="📊",
                order=30,
            )
        )
        register_demo_loader(opendata_demo_load)
