from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.db.models.signals import post_migrate
from django.dispatch import receiver


@receiver(post_migrate)
def create_cache_table(sender: Any, **kwargs: Any) -> None:
    """The database cache (API rate limits) needs its table wherever the schema is migrated.

    post_migrate is sent once per app *with models*; ``auth`` is always installed and
    migrated, so it stands for "the schema was migrated" (this app has no models).
    """
    if sender.label != "auth":
        return
    backend = settings.CACHES["default"]["BACKEND"]
    if backend.endswith("DatabaseCache"):
        call_command("createcachetable", database=kwargs.get("using", "default"), verbosity=0)
