"""Free-text addresses to a point, as far as the platform's own place data goes.

Without a street-address geocoder (Seoul's road-name address service needs a key), an address
is matched to the neighbourhood (동) or district (구) names it mentions and placed at that
area's centre.  Good enough to route a report; the citizen can move the pin on the map.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from smartseoul.places.models import District, Neighbourhood


@dataclass(frozen=True)
class Geocoded:
    lat: float
    lon: float
    label: str


def _words(address: str) -> list[str]:
    return [word for word in re.split(r"[\s,()]+", address.strip()) if word]


def geocode(address: str) -> Geocoded | None:
    words = _words(address)
    if not words:
        return None
    lowered = [word.lower() for word in words]
    districts = list(
        District.objects.only("code", "name_ko", "name_en", "centroid_lat", "centroid_lon")
    )
    district = next(
        (
            d
            for d in districts
            if d.name_ko in words
            or d.name_en.lower().replace(" ", "-") in lowered
            or d.name_en.lower() in lowered
        ),
        None,
    )
    candidates = Neighbourhood.objects.filter(name_ko__in=words).defer("boundary")
    if district is not None:
        candidates = candidates.filter(district=district)
    neighbourhood = candidates.first()
    if neighbourhood is not None:
        label = f"{neighbourhood.district.name_ko} {neighbourhood.name_ko}"
        return Geocoded(neighbourhood.centroid_lat, neighbourhood.centroid_lon, label)
    if district is not None:
        return Geocoded(district.centroid_lat, district.centroid_lon, district.name_ko)
    return None
