"""``smartseoul manage opendata_harvest DUMP --department CODE``: import a CKAN catalogue."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from smartseoul.accounts.models import Department
from smartseoul.opendata.harvest import harvest_ckan_dump


class Command(BaseCommand):
    help = "Import datasets from a CKAN API dump (ckanapi dump datasets, or package_search JSON)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("dump", type=Path)
        parser.add_argument(
            "--department",
            required=True,
            help="Code of the department that publishes datasets whose organization is unknown.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        department = Department.objects.filter(code=options["department"]).first()
        if department is None:
            raise CommandError(f"No department has the code {options['department']!r}.")
        if not options["dump"].is_file():
            raise CommandError(f"{options['dump']} is not a file.")
        report = harvest_ckan_dump(actor=None, path=options["dump"], department=department)
        self.stdout.write(
            f"created {len(report.created)}, updated {len(report.updated)}, "
            f"skipped {len(report.skipped)}"
        )
        for name, reason in report.skipped:
            self.stdout.write(f"  skipped {name}: {reason}")
