from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from smartseoul.complaints.mapcells import cells_rebuild


class Command(BaseCommand):
    help = "Recount the public map's summary grids from the reports (after a bulk import)."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            cells = cells_rebuild()
        self.stdout.write(f"{cells} map cells written")
