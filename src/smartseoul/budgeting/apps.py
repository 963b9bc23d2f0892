from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BudgetingConfig(AppConfig):
    name = "smartseoul.budgeting"
    label = "budgeting"
    verbose_name = _("Participatory budgeting")

    def ready(self) -> None:
        from smartseoul.budgeting.demo import budgeting_demo_load
        from smartseoul.web import services
        from smartseoul.web.demo import register_demo_loader

        services.register(
            services.Service(
                slug="budgeting",
                title=_("Participatory budgeting"),
                summary=_(
                    "Propose projects for your district and the city, support them, and vote "
                    "on how the budget is spent."
                ),
                url_name="budgeting:rounds",
                icon="💰",
                order=15,
            )
        )
        register_demo_loader(budgeting_demo_load)
