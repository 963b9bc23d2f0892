from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from smartseoul.complaints.escalation import reports_escalate_overdue


class Command(BaseCommand):
    help = "Escalate open reports past their deadline to their department managers."

    def handle(self, *args: Any, **options: Any) -> None:
        count = reports_escalate_overdue()
        self.stdout.write(f"{count} overdue report(s) escalated")
