from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "smartseoul.ledger"
    label = "ledger"
    verbose_name = _("Public ledger")

    def ready(self) -> None:
        from smartseoul.ledger.demo import ledger_demo_load
        from smartseoul.web import services
        from smartseoul.web.demo import register_demo_loader

        services.register(
            services.Service(
                slug="ledger",
                title=_("Public ledger"),
                summary=_(
                    "Check that a record of the city — a document or a used-car inspection — "
                    "was registered and never changed."
                ),
                url_name="ledger:verify",
                icon="⛓",
                order=90,
            )
        )
        register_demo_loader(ledger_demo_load)
