"""Reads of the Open Data Plaza.  The catalogue is public: every dataset is visible to all;
only publishing rights (``actions.may_publish``) and a user's own keys are restricted."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from typing import Any

from django.db import connection
from django.db.models import Prefetch, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from smartseoul.opendata.models import (
    Dataset,
    DatasetUsage,
    GalleryApp,
    OpenApiKey,
    Resource,
    ResourceVersion,
    SearchTerm,
)


def datasets() -> QuerySet[Dataset]:
    ready = ResourceVersion.objects.filter(status=ResourceVersion.Status.READY).order_by("-number")
    return Dataset.objects.select_related("department").prefetch_related(
        Prefetch("resources", queryset=Resource.objects.order_by("position", "created_at")),
        Prefetch("resources__versions", queryset=ready, to_attr="ready_versions"),
    )


def _as_uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(text))
    except ValueError:
        return None


def dataset_find(id_or_name: str) -> Dataset:
    """By UUID or by CKAN name; Http404 otherwise."""
    pk = _as_uuid(id_or_name)
    found = datasets().filter(pk=pk).first() if pk else None
    if found is None:
        found = datasets().filter(name=str(id_or_name).lower()).first()
    if found is None:
        raise Http404("No such dataset.")
    return found


def datasets_in_order(ids: Iterable[str]) -> list[Dataset]:
    ids = list(ids)
    found = {str(d.pk): d for d in datasets().filter(pk__in=ids)}
    return [found[pk] for pk in ids if pk in found]


def resource_find(resource_id: str) -> Resource:
    pk = _as_uuid(resource_id)
    found = (
        Resource.objects.select_related("dataset", "dataset__department").filter(pk=pk).first()
        if pk
        else None
    )
    if found is None:
        raise Http404("No such resource.")
    return found


def table_of(resource: Resource) -> ResourceVersion:
    """The resource's current ready table; Http404 when it has none yet."""
    version = resource.current_version()
    if version is None:
        raise Http404("This resource has no loaded table yet.")
    return version


_ready_versions: dict[str, ResourceVersion] = {}  # by Parquet file (unique: random name)
_READY_CACHE_SIZE = 1024


def table_find(resource_id: str) -> ResourceVersion:
    """A resource's current ready table, with its resource and dataset (the datastore API's
    hot path); Http404 naming what is missing.

    One small query finds the newest ready version's id; the version itself comes from a
    per-process cache, since a ready version's file and schema never change (a new upload is
    a new version).  Compiling the three-table ORM query cost more than the DuckDB count.
    """
    pk = _as_uuid(resource_id)
    row = None
    if pk is not None:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id, parquet FROM {ResourceVersion._meta.db_table} "  # noqa: S608 - our table
                "WHERE resource_id = %s AND status = %s ORDER BY number DESC LIMIT 1",
                [
                    Resource._meta.pk.get_db_prep_value(pk, connection),  # type: ignore[union-attr]
                    ResourceVersion.Status.READY.value,
                ],
            )
            row = cursor.fetchone()
    if row is None:
        table_of(resource_find(resource_id))  # raises the right Http404
        raise Http404("This resource has no loaded table yet.")
    version = _ready_versions.get(row[1])
    if version is None:
        version = ResourceVersion.objects.select_related("resource__dataset__department").get(
            pk=row[0]
        )
        if len(_ready_versions) >= _READY_CACHE_SIZE:
            _ready_versions.clear()
        _ready_versions[row[1]] = version
    return version


def version_find(resource: Resource, number: int) -> ResourceVersion:
    version = resource.versions.filter(number=number).first()
    if version is None:
        raise Http404("No such version.")
    return version


def current_tables(resource_ids: Iterable[str] | None = None) -> list[ResourceVersion]:
    """The current ready version of each resource (all, or those of ``resource_ids``)."""
    newest: dict[Any, ResourceVersion] = {}
    ready = ResourceVersion.objects.filter(status=ResourceVersion.Status.READY)
    if resource_ids is not None:
        ready = ready.filter(resource_id__in=list(resource_ids))
    for version in ready.order_by("resource_id", "-number"):
        newest.setdefault(version.resource_id, version)
    return list(newest.values())


def usage_totals(dataset: Dataset) -> dict[str, int]:
    from smartseoul.opendata.actions import usage_flush

    usage_flush()
    totals = DatasetUsage.objects.filter(dataset=dataset).aggregate(
        views=Sum("views"), downloads=Sum("downloads"), api_calls=Sum("api_calls")
    )
    return {name: int(value or 0) for name, value in totals.items()}


def popular_terms(days: int = 7, limit: int = 10) -> list[str]:
    since = timezone.localdate() - datetime.timedelta(days=days - 1)
    rows = (
        SearchTerm.objects.filter(day__gte=since)
        .values("term")
        .annotate(total=Sum("count"))
        .order_by("-total", "term")[:limit]
    )
    return [row["term"] for row in rows]


def gallery_apps_for(dataset: Dataset) -> QuerySet[GalleryApp]:
    return dataset.apps.filter(status=GalleryApp.Status.APPROVED)


def gallery_apps_published() -> QuerySet[GalleryApp]:
    return GalleryApp.objects.filter(status=GalleryApp.Status.APPROVED).prefetch_related("datasets")


def gallery_apps_pending() -> QuerySet[GalleryApp]:
    return GalleryApp.objects.filter(status=GalleryApp.Status.PENDING).prefetch_related("datasets")


def keys_of(user: Any) -> QuerySet[OpenApiKey]:
    return OpenApiKey.objects.filter(user=user, revoked_at__isnull=True)
