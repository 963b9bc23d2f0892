from __future__ import annotations

from typing import Any

from django.db.models.signals import post_migrate
from django.dispatch import receiver


@receiver(post_migrate)
def sync_boundaries_after_migrate(sender: Any, **kwargs: Any) -> None:
    if sender.label == "places":
        from smartseoul.places.actions import boundaries_sync

        boundaries_sync(using=kwargs.get("using", "default"))
