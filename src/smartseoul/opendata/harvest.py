"""Import another CKAN portal's catalogue from a dump file, so a city can migrate.

Accepted: ``ckanapi dump datasets`` output (one package dict per line), a JSON list of
packages, or a saved ``package_search`` answer.  Datasets are created or updated by name.
A resource in a format the datastore loads (CSV, XLSX, JSON, GeoJSON, by its ``format`` or
its URL's ending) becomes a tabular resource whose file the worker downloads and loads like
an upload (``resource_version_fetch``); any other resource becomes a link.  Organizations map
to departments with the same code, else to the default department; groups map to our
categories by code, else to "administration".
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction

from smartseoul.accounts.models import Department
from smartseoul.audit.actions import audit_record
from smartseoul.opendata.actions import (
    dataset_create,
    dataset_update,
    resource_create,
    resource_version_add,
)
from smartseoul.opendata.models import LICENCES, Category, Dataset, Frequency, Resource

_LICENCE_ALIASES = {"cc-by": "CC-BY-4.0", "cc-zero": "CC0-1.0", "cc0": "CC0-1.0"}
# CKAN's free-text resource formats (and URL endings) that the datastore loads.
_TABULAR = {
    "csv": "csv",
    "text/csv": "csv",
    "xlsx": "xlsx",
    "json": "json",
    "application/json": "json",
    "geojson": "geojson",
    "application/geo+json": "geojson",
}
FETCH_TIMEOUT_SECONDS = 60
FETCH_MAX_BYTES = 1 << 30  # a harvested file larger than 1 GiB is refused, not half-loaded


@dataclass
class HarvestReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (name, reason)


def read_packages(path: Path) -> Iterator[dict[str, Any]]:
    text = path.read_text(encoding="utf-8-sig").strip()
    if not text:
        return
    if text[0] == "[" or (text[0] == "{" and "\n{" not in text):
        data = json.loads(text)
        if isinstance(data, dict):
            data = data.get("result", data)
            data = data.get("results", [data]) if isinstance(data, dict) else data
        yield from (item for item in data if isinstance(item, dict))
        return
    for line in text.splitlines():
        if line.strip():
            yield json.loads(line)


def _values(package: dict[str, Any]) -> dict[str, Any]:
    extras = {e.get("key"): e.get("value") for e in package.get("extras") or []}
    groups = [g.get("name") for g in package.get("groups") or []]
    category = next((g for g in groups if g in Category.values), Category.ADMINISTRATION)
    licence = str(package.get("license_id") or "")
    licence = licence if licence in LICENCES else _LICENCE_ALIASES.get(licence.lower(), "KOGL-1")
    frequency = extras.get("frequency")
    return {
        "title_ko": str(package.get("title") or package.get("name"))[:200],
        "title_en": str(extras.get("title_en") or "")[:200],
        "description_ko": str(package.get("notes") or ""),
        "description_en": str(extras.get("notes_en") or ""),
        "category": category,
        "tags": [t["name"] for t in package.get("tags") or [] if t.get("name")][:20],
        "licence": licence,
        "frequency": frequency if frequency in Frequency.values else Frequency.IRREGULAR,
        "spatial": str(extras.get("spatial") or "")[:200],
        "contact_name": str(package.get("maintainer") or "")[:100],
        "contact_email": str(package.get("maintainer_email") or ""),
    }


def _tabular_format(resource: dict[str, Any], url: str) -> str | None:
    declared = str(resource.get("format") or resource.get("mimetype") or "").strip().lower()
    if declared in _TABULAR:
        return _TABULAR[declared]
    ending = url.split("?", 1)[0].rsplit(".", 1)[-1].lower()
    return _TABULAR.get(ending) if not declared else None


def _harvest_resource(actor: Any, dataset: Dataset, resource: dict[str, Any], url: str) -> None:
    file_format = _tabular_format(resource, url)
    created = resource_create(
        actor=actor,
        dataset=dataset,
        name=str(resource.get("name") or url)[:200],
        format=file_format or Resource.Format.LINK,
        url=url[:200],
        description=str(resource.get("description") or ""),
    )
    if file_format is not None:
        from smartseoul.opendata.tasks import resource_version_fetch_task

        transaction.on_commit(lambda: resource_version_fetch_task.enqueue(str(created.pk)))


def harvest_ckan_dump(*, actor: Any, path: Path, department: Department) -> HarvestReport:
    report = HarvestReport()
    departments = {d.code: d for d in Department.objects.all()}
    for package in read_packages(path):
        name = re.sub(r"[^a-z0-9_-]", "-", str(package.get("name") or "").lower())[:100]
        try:
            with transaction.atomic():
                org = (package.get("organization") or {}).get("name")
                owner = departments.get(org or "", department)
                values = _values(package)
                existing = Dataset.objects.filter(name=name).first()
                if existing is not None:
                    dataset_update(actor=actor, dataset=existing, **values)
                    report.updated.append(name)
                    continue
                title = values.pop("title_ko")
                category = values.pop("category")
                dataset = dataset_create(
                    actor=actor,
                    name=name,
                    department=owner,
                    title_ko=title,
                    category=category,
                    **values,
                )
                for resource in package.get("resources") or []:
                    url = str(resource.get("url") or "")
                    if url.startswith(("http://", "https://")):
                        _harvest_resource(actor, dataset, resource, url)
                report.created.append(name)
        except (ValidationError, PermissionDenied) as exc:
            reason = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            report.skipped.append((name or "?", reason))
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="opendata.harvest",
            details={
                "file": path.name,
                "created": len(report.created),
                "updated": len(report.updated),
                "skipped": len(report.skipped),
            },
        )
    return report


def _download(url: str, target: Any) -> None:
    """``url`` into the open file ``target``; ``LoadError`` with the reason when it fails."""
    import httpx

    from smartseoul.opendata.datastore import LoadError

    try:
        with httpx.stream(
            "GET", url, timeout=FETCH_TIMEOUT_SECONDS, follow_redirects=True
        ) as response:
            if response.status_code != 200:
                raise LoadError(f"{url} answered HTTP {response.status_code}.")
            size = 0
            for chunk in response.iter_bytes(1 << 20):
                size += len(chunk)
                if size > FETCH_MAX_BYTES:
                    raise LoadError(f"{url} is larger than {FETCH_MAX_BYTES >> 20} MB.")
                target.write(chunk)
    except httpx.HTTPError as exc:
        raise LoadError(f"{url} could not be downloaded: {exc}") from None


def resource_version_fetch(*, resource_id: str) -> Any:
    """Download a harvested resource's file and add it as a new version, which the worker
    then loads like any upload.  A download that fails leaves a failed version saying why."""
    from smartseoul.opendata.datastore import LoadError
    from smartseoul.opendata.models import ResourceVersion

    resource = Resource.objects.select_related("dataset__department").get(pk=resource_id)
    filename = resource.url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    with tempfile.TemporaryFile() as download:
        try:
            _download(resource.url, download)
        except LoadError as exc:
            with transaction.atomic():
                last = resource.versions.select_for_update().order_by("-number").first()
                version = ResourceVersion.objects.create(
                    resource=resource,
                    number=(last.number + 1) if last else 1,
                    status=ResourceVersion.Status.FAILED,
                    error=str(exc),
                )
                audit_record(
                    actor=None,
                    action="opendata.resource_version_fetch",
                    target=version,
                    details={"url": resource.url, "status": "failed", "error": str(exc)[:500]},
                )
            return version
        download.seek(0)
        with transaction.atomic():
            version = resource_version_add(
                actor=None,
                resource=resource,
                upload=File(download),
                filename=filename or f"data.{resource.format}",
            )
            audit_record(
                actor=None,
                action="opendata.resource_version_fetch",
                target=version,
                details={"url": resource.url, "status": "downloaded"},
            )
    return version
