from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VotingConfig(AppConfig):
    name = "smartseoul.voting"
    label = "voting"
    verbose_name = _("mVoting")

    def ready(self) -> None:
        from smartseoul.ledger.publisher import register_feeder
        from smartseoul.voting.demo import voting_demo_load
        from smartseoul.voting.sequencer import ballots_sequence_quietly
        from smartseoul.web import services
        from smartseoul.web.demo import register_demo_loader

        services.register(
            services.Service(
                slug="voting",
                title=_("mVoting"),
                summary=_("Vote on city policy and your neighbours' polls; check your ballot."),
                url_name="voting:list",
                icon="🗳",
                order=10,
            )
        )
        register_demo_loader(voting_demo_load)
        register_feeder(ballots_sequence_quietly)
