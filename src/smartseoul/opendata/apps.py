from __future__ import annotations

import datetime

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _platform_refresh() -> None:
    """The platform's own datasets (complaint statistics, air quality), republished daily."""
    from smartseoul.opendata.platform import platform_datasets_refresh

    platform_datasets_refresh()


class OpendataConfig(AppConfig):
    name = "smartseoul.opendata"
    label = "opendata"
    verbose_name = _("Open Data Plaza")

    def ready(self) -> None:
        from smartseoul.opendata.demo import opendata_demo_load
        from smartseoul.web import periodic, services
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
        periodic.register(
            periodic.Job("opendata.platform_refresh", datetime.timedelta(days=1), _platform_refresh)
        )
