"""Publishing through our JSON API (/api/opendata/…): create and update datasets, add resources,
upload versions and follow their load.  Reading is CKAN's API (ckan.py) and the Seoul Open API."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile

from smartseoul.accounts.models import Department
from smartseoul.api import csrf_check, identified_if_possible, presented_api_key, signed_in
from smartseoul.opendata import queries
from smartseoul.opendata.actions import (
    dataset_create,
    dataset_update,
    resource_create,
    resource_version_add,
)
from smartseoul.opendata.models import Dataset, Resource, ResourceVersion

router = Router(tags=["opendata"], auth=identified_if_possible)


class DatasetIn(Schema):
    name: str
    title_ko: str
    category: str
    title_en: str = ""
    description_ko: str = ""
    description_en: str = ""
    tags: list[str] = []
    licence: str = "KOGL-1"
    frequency: str = "irregular"
    temporal_start: datetime.date | None = None
    temporal_end: datetime.date | None = None
    spatial: str = "서울특별시"
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    department: str | None = None  # a department code; defaults to the publisher's own


class DatasetPatch(Schema):
    title_ko: str | None = None
    title_en: str | None = None
    description_ko: str | None = None
    description_en: str | None = None
    category: str | None = None
    tags: list[str] | None = None
    licence: str | None = None
    frequency: str | None = None
    temporal_start: datetime.date | None = None
    temporal_end: datetime.date | None = None
    spatial: str | None = None
    contact_name: str | None = None
    contact_email: str | None = None
    contact_phone: str | None = None


class DatasetOut(Schema):
    id: str
    name: str
    title_ko: str
    title_en: str
    category: str
    tags: list[str]
    department: str
    url: str


class ResourceIn(Schema):
    name: str
    format: str
    url: str = ""
    description: str = ""
    service_name: str | None = None
    service_filters: list[str] = []
    text_columns: list[str] = []


class ResourceOut(Schema):
    id: str
    dataset: str
    name: str
    format: str
    service_name: str | None


class VersionOut(Schema):
    resource: str
    number: int
    status: str
    progress: int
    row_count: int
    encoding: str
    columns: list[dict[str, str]]
    bad_row_count: int
    bad_rows: list[dict[str, Any]]
    error: str


def _dataset_out(dataset: Dataset) -> DatasetOut:
    return DatasetOut(
        id=str(dataset.pk),
        name=dataset.name,
        title_ko=dataset.title_ko,
        title_en=dataset.title_en,
        category=dataset.category,
        tags=dataset.tags,
        department=dataset.department.code,
        url=f"/data/dataset/{dataset.name}/",
    )


def _resource_out(resource: Resource) -> ResourceOut:
    return ResourceOut(
        id=str(resource.pk),
        dataset=resource.dataset.name,
        name=resource.name,
        format=resource.format,
        service_name=resource.service_name,
    )


def _version_out(version: ResourceVersion) -> VersionOut:
    return VersionOut(
        resource=str(version.resource_id),
        number=version.number,
        status=version.status,
        progress=version.progress,
        row_count=version.row_count,
        encoding=version.encoding,
        columns=version.schema,
        bad_row_count=version.bad_row_count,
        bad_rows=version.bad_rows,
        error=version.error,
    )


def _write_guard(request: HttpRequest) -> None:
    if presented_api_key(request) is None:
        csrf_check(request)


def _department(request: HttpRequest, code: str | None) -> Department:
    if code:
        found = Department.objects.filter(code=code).first()
        if found is None:
            from django.core.exceptions import ValidationError

            raise ValidationError({"department": "No department has this code."})
        return found
    profile = getattr(request.user, "official_profile", None)
    if profile is None:
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("Only data publishers may publish datasets.")
    return profile.department  # type: ignore[no-any-return]


@router.post("/datasets", response={201: DatasetOut}, auth=signed_in)
def create_dataset(request: HttpRequest, payload: DatasetIn) -> Status[DatasetOut]:
    _write_guard(request)
    values = payload.dict()
    department = _department(request, values.pop("department"))
    dataset = dataset_create(
        actor=request.user,
        name=values.pop("name"),
        department=department,
        title_ko=values.pop("title_ko"),
        category=values.pop("category"),
        **values,
    )
    return Status(201, _dataset_out(dataset))


@router.patch("/datasets/{name}", response=DatasetOut, auth=signed_in)
def update_dataset(request: HttpRequest, name: str, payload: DatasetPatch) -> DatasetOut:
    _write_guard(request)
    dataset = queries.dataset_find(name)
    changes = payload.dict(exclude_unset=True)
    return _dataset_out(dataset_update(actor=request.user, dataset=dataset, **changes))


@router.post("/datasets/{name}/resources", response={201: ResourceOut}, auth=signed_in)
def create_resource(request: HttpRequest, name: str, payload: ResourceIn) -> Status[ResourceOut]:
    _write_guard(request)
    dataset = queries.dataset_find(name)
    resource = resource_create(actor=request.user, dataset=dataset, **payload.dict())
    return Status(201, _resource_out(resource))


@router.post("/resources/{resource_id}/versions", response={202: VersionOut}, auth=signed_in)
def upload_version(
    request: HttpRequest, resource_id: str, file: File[UploadedFile]
) -> Status[VersionOut]:
    """Upload a new version of the file; it loads in the background (poll its status)."""
    _write_guard(request)
    resource = queries.resource_find(resource_id)
    version = resource_version_add(
        actor=request.user, resource=resource, upload=file, filename=file.name or "data"
    )
    version.refresh_from_db()
    return Status(202, _version_out(version))


@router.get("/resources/{resource_id}/versions/{number}", response=VersionOut)
def version_status(request: HttpRequest, resource_id: str, number: int) -> VersionOut:
    resource = queries.resource_find(resource_id)
    return _version_out(queries.version_find(resource, number))
