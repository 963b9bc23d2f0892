from __future__ import annotations

import datetime
import functools

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _platform_refresh(every: datetime.timedelta) -> None:
    """The platform's own datasets republished: air quality hourly, complaint statistics daily."""
    from smartseoul.opendata.platform import platform_datasets_refresh

    platform_datasets_refresh(every=every)


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
        from smartseoul.opendata.platform import INTERVALS

        for every in INTERVALS:
            periodic.register(
                periodic.Job(
                    f"opendata.platform_refresh.{int(every.total_seconds())}s",
                    every,
                    functools.partial(_platform_refresh, every),
                )
            )
