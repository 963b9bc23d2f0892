from __future__ import annotations

import datetime

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _roll_up() -> None:
    """Sensor hours that have closed (ingesters do this too; whoever comes first)."""
    from smartseoul.urbandata.rollups import HOUSEKEEPING_BUDGET_S, sensor_hours_roll_up

    # A slice of the work per run: the worker has other tasks to run.
    sensor_hours_roll_up(budget_s=HOUSEKEEPING_BUDGET_S)


def _daily() -> None:
    """Yesterday's raw reports to Parquet first, then drop what is past the retention."""
    from smartseoul.urbandata.maintenance import reports_archive, reports_prune

    reports_archive()
    reports_prune()


class UrbandataConfig(AppConfig):
    name = "smartseoul.urbandata"
    label = "urbandata"
    verbose_name = _("City sensors")

    def ready(self) -> None:
        from smartseoul.urbandata.demo import urbandata_demo_load
        from smartseoul.web import periodic, services
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
        periodic.register(
            periodic.Job("urbandata.archive_and_prune", datetime.timedelta(days=1), _daily)
        )
        periodic.register(
            periodic.Job("urbandata.sensor_hours", datetime.timedelta(minutes=5), _roll_up)
        )
