"""Background work of the Open Data Plaza: thin wrappers over ``actions``."""

from __future__ import annotations

from django_tasks import task


@task()
def resource_version_load_task(version_id: int) -> str:
    from smartseoul.opendata.actions import resource_version_load

    return resource_version_load(version_id=version_id).status


@task()
def resource_version_fetch_task(resource_id: str) -> str:
    from smartseoul.opendata.harvest import resource_version_fetch

    return resource_version_fetch(resource_id=resource_id).status
