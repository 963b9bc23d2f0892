"""The home page's list of services.  Each app registers its own in ``AppConfig.ready`` so
the home page shows exactly the services that are installed and built."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise


@dataclass(frozen=True)
class Service:
    slug: str
    title: str | Promise
    summary: str | Promise
    url_name: str
    icon: str  # a short emoji or glyph shown on the card; decorative, hidden from screen readers
    order: int = 100


_registry: dict[str, Service] = {}


def register(service: Service) -> None:
    _registry[service.slug] = service


def registered() -> list[Service]:
    return sorted(_registry.values(), key=lambda service: (service.order, service.slug))
