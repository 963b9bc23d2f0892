"""Atom feeds of new and updated reports: all of Seoul, one district, or one category."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from smartseoul.complaints import queries
from smartseoul.complaints.models import Category, Report
from smartseoul.places.models import District

FEED_SIZE = 50


class ReportsFeed(Feed):  # type: ignore[type-arg]
    feed_type = Atom1Feed

    def get_object(self, request: HttpRequest, kind: str = "", code: str = "") -> Any:
        if kind == "district":
            district = District.objects.filter(code=code).defer("boundary").first()
            if district is None:
                raise Http404("No such district.")
            return ("district", district)
        if kind == "category":
            category = Category.objects.filter(code=code).first()
            if category is None:
                raise Http404("No such category.")
            return ("category", category)
        return ("all", None)

    def title(self, obj: Any) -> str:
        _kind, item = obj
        if item is None:
            return _("Smart Complaint Report: Seoul")
        return _("Smart Complaint Report: %(name)s") % {"name": item.name}

    def link(self, obj: Any) -> str:
        kind, item = obj
        url = reverse("complaints:list")
        return f"{url}?{kind}={item.code}" if item is not None else url

    def items(self, obj: Any) -> list[Report]:
        kind, item = obj
        reports = queries.public_reports(
            district=item.code if kind == "district" else "",
            category=item.code if kind == "category" else "",
        )
        return list(reports.order_by("-updated_at", "-pk")[:FEED_SIZE])

    def item_title(self, item: Report) -> str:
        place = item.neighbourhood.name if item.neighbourhood else item.district.name
        return f"[{item.get_status_display()}] {item.category.name} · {place}"

    def item_description(self, item: Report) -> str:
        return item.public_details

    def item_link(self, item: Report) -> str:
        return reverse("complaints:detail", kwargs={"public_id": item.public_id})

    def item_pubdate(self, item: Report) -> datetime.datetime:
        return item.received_at

    def item_updateddate(self, item: Report) -> datetime.datetime:
        return item.updated_at

    def item_guid(self, item: Report) -> str:
        return f"urn:smartseoul:complaint:{item.public_id}"

    item_guid_is_permalink = False
