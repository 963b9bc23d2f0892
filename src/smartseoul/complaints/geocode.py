"""Typed addresses to a point, through a pluggable geocoder.

``COMPLAINTS_GEOCODER`` (env ``SMARTSEOUL_COMPLAINTS_GEOCODER``) names the class that turns
a street address into a point.  Two ship:

- ``VWorldGeocoder``: the national spatial-information platform's Geocoder API 2.0
  (VWorld, 국토교통부 공간정보 오픈플랫폼; free key at vworld.kr), which knows road-name
  addresses (도로명주소, e.g. ``서울 중구 세종대로 110``) and lot-number addresses (지번주소,
  e.g. ``마포구 서교동 395-166``) down to the building;
- ``PlaceNameGeocoder``: the platform's own place data, no key — a neighbourhood (동) or
  district (구) name places the pin at that area's centre; the citizen then moves it.

Whatever is configured, the place names are the fallback: when the street geocoder does not
know the address or cannot be reached, a report can still be routed.  Whether a point is in
Seoul is decided afterwards by the caller, as for a tapped or GPS point.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import cache
from typing import Any, Protocol

import httpx
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.utils.module_loading import import_string

from smartseoul.places.models import District, Neighbourhood

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Geocoded:
    lat: float
    lon: float
    label: str
    # "address" (a building or lot), "neighbourhood" or "district" (an area's centre).
    precision: str = "address"


class GeocoderUnavailableError(RuntimeError):
    """The geocoding service failed (network, quota, key): try the next one."""


class Geocoder(Protocol):
    def geocode(self, address: str) -> Geocoded | None: ...


class PlaceNameGeocoder:
    """District (구) and neighbourhood (동) names, placed at the area's centre."""

    def geocode(self, address: str) -> Geocoded | None:
        words = [word for word in re.split(r"[\s,()]+", address.strip()) if word]
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
        area = candidates.select_related("district").defer("district__boundary").first()
        if area is not None:
            label = f"{area.district.name_ko} {area.name_ko}"
            return Geocoded(area.centroid_lat, area.centroid_lon, label, "neighbourhood")
        if district is not None:
            return Geocoded(
                district.centroid_lat, district.centroid_lon, district.name_ko, "district"
            )
        return None


class VWorldGeocoder:
    """VWorld Geocoder API 2.0 (``/req/address?service=address&request=getcoord``).

    Asks for a road-name address first, then a lot-number address (the API wants the type
    named).  Answers in WGS84 (``crs=epsg:4326``): ``response.result.point.{x,y}`` is
    longitude and latitude as strings, ``response.refined.text`` the address as the
    registry writes it; ``status`` is ``OK``, ``NOT_FOUND`` or ``ERROR`` (with
    ``error.code``/``error.text``, e.g. an invalid key or an exhausted daily quota)."""

    def __init__(self) -> None:
        self.key = settings.VWORLD_API_KEY
        if not self.key:
            raise ImproperlyConfigured(
                "VWorldGeocoder needs SMARTSEOUL_VWORLD_KEY (a key from vworld.kr)."
            )
        self.url = settings.VWORLD_ADDRESS_URL
        self.timeout = settings.COMPLAINTS_GEOCODER_TIMEOUT

    def geocode(self, address: str) -> Geocoded | None:
        address = address.strip()
        if not address:
            return None
        for kind in ("road", "parcel"):
            found = self._ask(address, kind)
            if found is not None:
                return found
        return None

    def _ask(self, address: str, kind: str) -> Geocoded | None:
        params = {
            "service": "address",
            "request": "getcoord",
            "version": "2.0",
            "crs": "epsg:4326",
            "address": address,
            "type": kind,
            "refine": "true",
            "simple": "false",
            "format": "json",
            "key": self.key,
        }
        try:
            answer = httpx.get(self.url, params=params, timeout=self.timeout)
            answer.raise_for_status()
            body: dict[str, Any] = answer.json()["response"]
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
            raise GeocoderUnavailableError(f"VWorld: {exc.__class__.__name__}: {exc}") from exc
        status = body.get("status")
        if status == "NOT_FOUND":
            return None
        if status != "OK":
            error = body.get("error") or {}
            raise GeocoderUnavailableError(
                f"VWorld {status}: {error.get('code', '?')} {error.get('text', '')}".strip()
            )
        try:
            point = body["result"]["point"]
            lon, lat = float(point["x"]), float(point["y"])
        except (KeyError, TypeError, ValueError) as exc:
            raise GeocoderUnavailableError(f"VWorld answered without a point: {exc}") from exc
        label = (body.get("refined") or {}).get("text") or address
        return Geocoded(lat, lon, str(label), "address")


@cache
def _configured() -> Geocoder:
    geocoder: Geocoder = import_string(settings.COMPLAINTS_GEOCODER)()
    return geocoder


def geocode(address: str) -> Geocoded | None:
    """The point of a typed address: the configured geocoder, then the place names."""
    configured = _configured()
    if not isinstance(configured, PlaceNameGeocoder):
        try:
            found = configured.geocode(address)
        except GeocoderUnavailableError as exc:
            # Routing a report matters more than the exact spot: fall back, and say so.
            log.warning("Street geocoder unavailable, using place names: %s", exc)
        else:
            if found is not None:
                return found
    return PlaceNameGeocoder().geocode(address)


def _forget_on_change(*, setting: str, **kwargs: Any) -> None:
    """Tests (and ``override_settings``) switch geocoders: build the next one afresh."""
    if setting in ("COMPLAINTS_GEOCODER", "VWORLD_API_KEY", "VWORLD_ADDRESS_URL"):
        _configured.cache_clear()


setting_changed.connect(_forget_on_change)
