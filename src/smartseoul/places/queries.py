"""Reads of the district and neighbourhood tables; all of it is public."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from smartseoul.places.models import District, Neighbourhood


def districts() -> QuerySet[District]:
    """All 25 districts by Korean name, each annotated with ``neighbourhood_count``."""
    return District.objects.annotate(neighbourhood_count=Count("neighbourhoods")).order_by(
        "name_ko"
    )


def district_get(code: str) -> District | None:
    return District.objects.filter(code=code).first()


def neighbourhoods_of(district: District | str) -> QuerySet[Neighbourhood]:
    """The neighbourhoods of a district (or of a district code), by Korean name."""
    code = district.code if isinstance(district, District) else district
    return Neighbourhood.objects.filter(district_id=code).order_by("name_ko")
