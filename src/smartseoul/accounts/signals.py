from __future__ import annotations

from typing import Any

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db.models.signals import post_migrate
from django.dispatch import receiver


@receiver(post_migrate)
def sync_roles_after_migrate(sender: Any, **kwargs: Any) -> None:
    """Keep the role groups and their permissions in step with accounts/roles.py."""
    if sender.label != "accounts":
        return
    using = kwargs.get("using", "default")
    # Permissions of apps migrated after accounts do not exist yet; create them all first.
    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
    from smartseoul.accounts.actions import roles_sync

    roles_sync(using=using)
