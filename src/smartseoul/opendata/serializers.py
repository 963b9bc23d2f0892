"""Datasets as CKAN package dicts: the CKAN API, our JSON API and the harvester share these."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from smartseoul.accounts.models import Department
from smartseoul.opendata.models import LICENCES, Category, Dataset, Resource, ResourceVersion

# DuckDB type → the PostgreSQL type name CKAN's datastore reports.
_CKAN_TYPES = {
    "BIGINT": "int8",
    "INTEGER": "int4",
    "SMALLINT": "int2",
    "TINYINT": "int2",
    "DOUBLE": "float8",
    "FLOAT": "float4",
    "BOOLEAN": "bool",
    "DATE": "date",
    "TIME": "time",
    "TIMESTAMP": "timestamp",
    "TIMESTAMP WITH TIME ZONE": "timestamptz",
}


def ckan_type(duckdb_type: str) -> str:
    if duckdb_type.startswith("DECIMAL"):
        return "numeric"
    return _CKAN_TYPES.get(duckdb_type, "text")


def absolute(base: str, path: str) -> str:
    return base.rstrip("/") + path


def organization_dict(department: Department, package_count: int | None = None) -> dict[str, Any]:
    result: dict[str, Any] = {
        "id": department.code,
        "name": department.code,
        "title": department.name_ko,
        "display_name": department.name_ko,
        "description": department.name_en,
        "type": "organization",
        "state": "active",
        "is_organization": True,
        "approval_status": "approved",
        "image_url": "",
    }
    if package_count is not None:
        result["package_count"] = package_count
    return result


def group_dict(category: str, package_count: int | None = None) -> dict[str, Any]:
    label = Category(category).label
    result: dict[str, Any] = {
        "id": category,
        "name": category,
        "title": str(label),
        "display_name": str(label),
        "type": "group",
        "state": "active",
        "is_organization": False,
    }
    if package_count is not None:
        result["package_count"] = package_count
    return result


def resource_dict(resource: Resource, base: str) -> dict[str, Any]:
    version: ResourceVersion | None = resource.current_version() if resource.is_tabular else None
    if resource.format == Resource.Format.LINK:
        url = resource.url
    elif version is not None:
        url = absolute(
            base,
            reverse(
                "opendata:version_source",
                kwargs={"resource_id": resource.pk, "number": version.number},
            ),
        )
    else:
        url = ""
    return {
        "id": str(resource.pk),
        "package_id": str(resource.dataset_id),
        "name": resource.name,
        "description": resource.description,
        "format": resource.get_format_display() if resource.is_tabular else "HTML",
        "url": url,
        "url_type": "upload" if resource.is_tabular else None,
        "datastore_active": version is not None,
        "position": resource.position,
        "state": "active",
        "created": resource.created_at.replace(tzinfo=None).isoformat(),
        "last_modified": (
            version.loaded_at.replace(tzinfo=None).isoformat()
            if version is not None and version.loaded_at
            else None
        ),
        "size": version.source.size if version is not None and version.source else None,
        "seoul_service_name": resource.service_name,
        "version": version.number if version is not None else None,
    }


def package_dict(dataset: Dataset, base: str) -> dict[str, Any]:
    licence_title, licence_url = LICENCES.get(dataset.licence, ("", ""))
    resources = [resource_dict(resource, base) for resource in dataset.resources.all()]
    extras = {
        "title_en": dataset.title_en,
        "notes_en": dataset.description_en,
        "frequency": dataset.frequency,
        "temporal_start": dataset.temporal_start.isoformat() if dataset.temporal_start else "",
        "temporal_end": dataset.temporal_end.isoformat() if dataset.temporal_end else "",
        "spatial": dataset.spatial,
        "contact_phone": dataset.contact_phone,
    }
    return {
        "id": str(dataset.pk),
        "name": dataset.name,
        "title": dataset.title_ko,
        "notes": dataset.description_ko,
        "type": "dataset",
        "state": "active",
        "private": False,
        "license_id": dataset.licence,
        "license_title": licence_title,
        "license_url": licence_url,
        "maintainer": dataset.contact_name,
        "maintainer_email": dataset.contact_email,
        "author": dataset.department.name_ko,
        "author_email": None,
        "url": absolute(base, reverse("opendata:dataset", kwargs={"name": dataset.name})),
        "version": None,
        "metadata_created": dataset.created_at.replace(tzinfo=None).isoformat(),
        "metadata_modified": dataset.updated_at.replace(tzinfo=None).isoformat(),
        "owner_org": dataset.department.code,
        "organization": organization_dict(dataset.department),
        "groups": [group_dict(dataset.category)],
        "tags": [{"name": tag, "display_name": tag, "state": "active"} for tag in dataset.tags],
        "num_tags": len(dataset.tags),
        "resources": resources,
        "num_resources": len(resources),
        "extras": [{"key": key, "value": value} for key, value in extras.items() if value],
    }
