"""``smartseoul manage opendata_platform_refresh``: publish the platform's own statistics."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from smartseoul.opendata.platform import platform_datasets_refresh


class Command(BaseCommand):
    help = "Publish a new version of the complaint statistics and sensor air-quality datasets."

    def handle(self, *args: Any, **options: Any) -> None:
        for version in platform_datasets_refresh():
            self.stdout.write(
                f"{version.resource.dataset.name} v{version.number}: {version.status}"
            )
