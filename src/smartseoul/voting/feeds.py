"""Announcements: an Atom feed of votes as they open, for news readers, apps and the city's
own channels (KakaoTalk channel bots, district newsletters) to pick up."""

from __future__ import annotations

import datetime

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from smartseoul.voting.models import Vote


class OpenedVotesFeed(Feed):
    feed_type = Atom1Feed
    title = _("mVoting: votes now open")
    subtitle = _("A new entry each time a city policy poll, citizen poll or election opens.")

    def link(self) -> str:
        return reverse("voting:list")

    def items(self) -> list[Vote]:
        from smartseoul.voting.actions import vote_sync_status

        announced = Vote.objects.filter(
            status__in=(
                Vote.Status.SCHEDULED,
                Vote.Status.OPEN,
                Vote.Status.CLOSED,
                Vote.Status.TALLIED,
                Vote.Status.PUBLISHED,
            )
        ).order_by("-opens_at")[:50]
        return [
            vote
            for vote in map(vote_sync_status, announced)
            if vote.status != Vote.Status.SCHEDULED
        ]

    def item_title(self, item: Vote) -> str:
        return item.title

    def item_description(self, item: Vote) -> str:
        return item.description

    def item_link(self, item: Vote) -> str:
        return reverse("voting:detail", args=[item.public_id])

    def item_pubdate(self, item: Vote) -> datetime.datetime:
        return item.opens_at

    def item_updateddate(self, item: Vote) -> datetime.datetime:
        return item.opens_at
