"""Every write to the Open Data Plaza: atomic and audited; pages, API, CLI and tasks call these."""

from __future__ import annotations

import datetime
import hashlib
import re
import secrets
import threading
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import File
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from smartseoul.accounts.models import Department
from smartseoul.audit.actions import audit_record
from smartseoul.opendata.datastore import LoadError, load_file
from smartseoul.opendata.models import (
    LICENCES,
    Category,
    Dataset,
    DatasetUsage,
    Frequency,
    GalleryApp,
    KeyUsage,
    OpenApiKey,
    Resource,
    ResourceVersion,
    SearchTerm,
)
from smartseoul.opendata.search import dataset_terms

PUBLISH = "accounts.publish_data"
MAX_TAGS = 20
_SERVICE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{2,63}$")
DATASET_FIELDS = (
    "title_ko",
    "title_en",
    "description_ko",
    "description_en",
    "category",
    "tags",
    "licence",
    "frequency",
    "temporal_start",
    "temporal_end",
    "spatial",
    "contact_name",
    "contact_email",
    "contact_phone",
)


def may_publish(actor: Any, department: Department | None = None) -> bool:
    """System (None) always; a publisher for their own department, or any when city hall's."""
    if actor is None:
        return True
    if not getattr(actor, "is_authenticated", False) or not actor.has_perm(PUBLISH):
        return False
    if department is None or actor.is_superuser:
        return True
    profile = getattr(actor, "official_profile", None)
    own = getattr(profile, "department", None)
    return own is not None and (own.pk == department.pk or own.kind == Department.Kind.CITY_HALL)


def _require_publisher(actor: Any, department: Department | None) -> None:
    if not may_publish(actor, department):
        raise PermissionDenied("Only data publishers of this department may change its datasets.")


def _clean_tags(tags: Sequence[str]) -> list[str]:
    cleaned: list[str] = []
    for tag in tags:
        tag = " ".join(str(tag).split())[:50]
        if tag and tag not in cleaned:
            cleaned.append(tag)
    if len(cleaned) > MAX_TAGS:
        raise ValidationError({"tags": f"A dataset has at most {MAX_TAGS} tags."})
    return cleaned


def _validate(values: dict[str, Any]) -> None:
    errors: dict[str, str] = {}
    if not str(values.get("title_ko", "")).strip():
        errors["title_ko"] = "Give the dataset a Korean title."
    if values.get("category") not in Category.values:
        errors["category"] = "Choose one of the ten categories."
    if values.get("licence", "KOGL-1") not in LICENCES:
        errors["licence"] = "Choose a licence: " + ", ".join(LICENCES) + "."
    if values.get("frequency", Frequency.IRREGULAR) not in Frequency.values:
        errors["frequency"] = "Choose an update frequency: " + ", ".join(Frequency.values) + "."
    start, end = values.get("temporal_start"), values.get("temporal_end")
    if start and end and end < start:
        errors["temporal_end"] = "The coverage must end after it starts."
    if errors:
        raise ValidationError(errors)


def _refresh_terms(dataset: Dataset) -> None:
    columns: list[str] = []
    for resource in dataset.resources.all():
        version = resource.current_version()
        if version is not None:
            columns.extend(version.column_names)
    dataset.search_terms = dataset_terms(dataset, columns)


@transaction.atomic
def dataset_create(
    *,
    actor: Any,
    name: str,
    department: Department,
    title_ko: str,
    category: str,
    **values: Any,
) -> Dataset:
    _require_publisher(actor, department)
    unknown = set(values) - set(DATASET_FIELDS)
    if unknown:
        raise ValidationError({field: "Unknown field." for field in unknown})
    name = name.strip().lower()
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{1,99}", name):
        raise ValidationError(
            {"name": "Use 2–100 lowercase letters, digits, - and _ for the identifier."}
        )
    if Dataset.objects.filter(name=name).exists():
        raise ValidationError({"name": "Another dataset already has this identifier."})
    values["tags"] = _clean_tags(values.get("tags", []))
    _validate({"title_ko": title_ko, "category": category, **values})
    dataset = Dataset(
        name=name,
        department=department,
        title_ko=title_ko.strip(),
        category=category,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        **values,
    )
    dataset.search_terms = dataset_terms(dataset)
    dataset.save()
    audit_record(
        actor=actor,
        action="opendata.dataset_create",
        target=dataset,
        details={"name": name, "department": department.code},
    )
    return dataset


@transaction.atomic
def dataset_update(*, actor: Any, dataset: Dataset, **changes: Any) -> Dataset:
    _require_publisher(actor, dataset.department)
    unknown = set(changes) - set(DATASET_FIELDS)
    if unknown:
        raise ValidationError({field: "Unknown field." for field in unknown})
    if "tags" in changes:
        changes["tags"] = _clean_tags(changes["tags"])
    current = {field: getattr(dataset, field) for field in DATASET_FIELDS}
    _validate({**current, **changes})
    changed = {f: v for f, v in changes.items() if current[f] != v}
    for field, value in changed.items():
        setattr(dataset, field, value)
    _refresh_terms(dataset)
    dataset.save()
    audit_record(
        actor=actor,
        action="opendata.dataset_update",
        target=dataset,
        details={"changed": sorted(changed)},
    )
    return dataset


@transaction.atomic
def resource_create(
    *,
    actor: Any,
    dataset: Dataset,
    name: str,
    format: str,
    url: str = "",
    description: str = "",
    service_name: str | None = None,
    service_filters: Sequence[str] = (),
    text_columns: Sequence[str] = (),
) -> Resource:
    _require_publisher(actor, dataset.department)
    errors: dict[str, str] = {}
    if any(not isinstance(c, str) or not c.strip() or len(c) > 200 for c in text_columns):
        errors["text_columns"] = "Name each column to keep as text (at most 200 characters)."
    if not name.strip():
        errors["name"] = "Give the resource a name."
    if format not in Resource.Format.values:
        errors["format"] = "Use csv, xlsx, json, geojson or link."
    if format == Resource.Format.LINK and not url:
        errors["url"] = "A link resource needs its URL."
    if service_name:
        if not _SERVICE_NAME.fullmatch(service_name):
            errors["service_name"] = "Use 3–64 letters, digits and _, starting with a letter."
        elif Resource.objects.filter(service_name=service_name).exists():
            errors["service_name"] = "Another resource already has this Open API service name."
    if errors:
        raise ValidationError(errors)
    resource = Resource.objects.create(
        dataset=dataset,
        name=name.strip(),
        format=format,
        url=url,
        description=description,
        service_name=service_name or None,
        service_filters=list(service_filters),
        text_columns=[c.strip() for c in text_columns],
        position=dataset.resources.count(),
    )
    Dataset.objects.filter(pk=dataset.pk).update(updated_at=timezone.now())
    audit_record(
        actor=actor,
        action="opendata.resource_create",
        target=resource,
        details={"dataset": dataset.name, "format": format, "service_name": service_name},
    )
    return resource


@transaction.atomic
def resource_version_add(
    *, actor: Any, resource: Resource, upload: File[Any], filename: str
) -> ResourceVersion:
    """Keep a new version of the file and queue its load into the datastore."""
    from smartseoul.opendata.tasks import resource_version_load_task

    _require_publisher(actor, resource.dataset.department)
    if resource.format == Resource.Format.LINK:
        raise ValidationError({"file": "A link resource has no files."})
    last = resource.versions.select_for_update().order_by("-number").first()
    version = ResourceVersion(
        resource=resource,
        number=(last.number + 1) if last else 1,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    version.source.save(Path(filename).name or f"data.{resource.format}", upload, save=False)
    version.save()
    audit_record(
        actor=actor,
        action="opendata.resource_version_add",
        target=version,
        details={"resource": str(resource.pk), "number": version.number, "file": filename},
    )
    transaction.on_commit(lambda: resource_version_load_task.enqueue(version.pk))
    return version


def _set_progress(version_id: int, percent: int) -> None:
    from django.db import connection

    ResourceVersion.objects.filter(pk=version_id).update(progress=percent)
    connection.close()  # this runs in DuckDB's watcher thread: do not leak its connection


def resource_version_load(*, version_id: int) -> ResourceVersion:
    """Load one version into the datastore (run by the background worker)."""
    with transaction.atomic():
        version = ResourceVersion.objects.select_for_update().get(pk=version_id)
        if version.status == ResourceVersion.Status.READY:
            return version
        version.status = ResourceVersion.Status.LOADING
        version.progress = 0
        version.save(update_fields=["status", "progress"])
    destination = f"{version.resource_id}/v{version.number}-{secrets.token_hex(4)}.parquet"
    try:
        result = load_file(
            Path(version.source.path),
            file_format=version.resource.format,
            destination=destination,
            on_progress=lambda percent: _set_progress(version_id, percent),
            text_columns=version.resource.text_columns,
        )
    except LoadError as exc:
        with transaction.atomic():
            version.status = ResourceVersion.Status.FAILED
            version.error = str(exc)
            version.save(update_fields=["status", "error"])
            audit_record(
                actor=None,
                action="opendata.resource_version_load",
                target=version,
                details={"status": "failed", "error": str(exc)[:500]},
            )
        return version
    with transaction.atomic():
        version.status = ResourceVersion.Status.READY
        version.progress = 100
        version.parquet = result.parquet
        version.encoding = result.encoding
        version.row_count = result.row_count
        version.schema = result.schema
        version.bad_row_count = result.bad_row_count
        version.bad_rows = result.bad_rows
        version.loaded_at = timezone.now()
        version.error = ""
        version.save()
        dataset = version.resource.dataset
        _refresh_terms(dataset)
        dataset.save(update_fields=["search_terms", "updated_at"])
        audit_record(
            actor=None,
            action="opendata.resource_version_load",
            target=version,
            details={
                "status": "ready",
                "rows": result.row_count,
                "bad_rows": result.bad_row_count,
                "encoding": result.encoding,
            },
        )
    return version


def _key_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def openapi_key_issue(*, user: Any, purpose: str) -> tuple[OpenApiKey, str]:
    """Issue a Seoul Open API key; the plaintext is returned once and never stored."""
    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied("Sign in to request an API key.")
    purpose = " ".join(purpose.split())
    if not purpose:
        raise ValidationError({"purpose": "Say what you will use the key for."})
    if len(purpose) > 200:
        raise ValidationError({"purpose": "Describe the purpose in at most 200 characters."})
    if user.opendata_keys.filter(revoked_at__isnull=True).count() >= 10:
        raise ValidationError({"purpose": "You already have 10 keys; revoke one first."})
    # Seoul's keys are hex and travel in the URL path: hex needs no escaping anywhere.
    secret = secrets.token_hex(20)
    key = OpenApiKey.objects.create(
        user=user,
        purpose=purpose,
        key_hash=_key_hash(secret),
        hint=secret[:6],
        daily_quota=settings.OPENDATA_KEY_DAILY_QUOTA,
    )
    audit_record(actor=user, action="opendata.openapi_key_issue", target=key, details={})
    return key, secret


@transaction.atomic
def openapi_key_revoke(*, actor: Any, key: OpenApiKey) -> OpenApiKey:
    if key.user_id != getattr(actor, "pk", None):
        raise PermissionDenied("You can only revoke your own keys.")
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="opendata.openapi_key_revoke", target=key, details={})
    return key


def openapi_key_find(secret: str) -> OpenApiKey | None:
    if not re.fullmatch(r"[0-9a-f]{40}", secret):
        return None
    return OpenApiKey.objects.filter(
        key_hash=_key_hash(secret), revoked_at__isnull=True, user__is_active=True
    ).first()


def openapi_key_count_call(*, key: OpenApiKey) -> int:
    """Count one call against today's quota; returns today's calls including this one.

    Counters, not changes to anyone's data, so they are not audited.
    """
    today = timezone.localdate()
    with transaction.atomic():
        usage, _created = KeyUsage.objects.get_or_create(key=key, day=today)
        KeyUsage.objects.filter(pk=usage.pk).update(calls=F("calls") + 1)
        return KeyUsage.objects.values_list("calls", flat=True).get(pk=usage.pk)


# Usage counters are buffered per process and written at most every few seconds: a write
# transaction per API call would cost more than the call itself (a SQLite commit is an fsync).
# A process that dies loses at most these seconds of public statistics, never data.
USAGE_FLUSH_SECONDS = 5.0
_usage_pending: Counter[tuple[Any, str]] = Counter()
_usage_lock = threading.Lock()
_usage_flushed_at = time.monotonic()


def usage_count(*, dataset: Dataset, kind: str) -> None:
    """Count a view, download or API call of a dataset (public statistics; not audited)."""
    if kind not in ("views", "downloads", "api_calls"):
        raise ValueError(kind)
    with _usage_lock:
        _usage_pending[(dataset.pk, kind)] += 1
        due = time.monotonic() - _usage_flushed_at >= USAGE_FLUSH_SECONDS
    if due:
        usage_flush()


def usage_flush() -> None:
    """Write the buffered counters (also called before usage statistics are shown)."""
    global _usage_flushed_at
    with _usage_lock:
        pending = dict(_usage_pending)
        _usage_pending.clear()
        _usage_flushed_at = time.monotonic()
    if not pending:
        return
    today = timezone.localdate()
    with transaction.atomic():
        for (dataset_id, kind), count in pending.items():
            if not Dataset.objects.filter(pk=dataset_id).exists():
                continue
            usage, _created = DatasetUsage.objects.get_or_create(dataset_id=dataset_id, day=today)
            DatasetUsage.objects.filter(pk=usage.pk).update(**{kind: F(kind) + count})


def search_term_count(*, term: str) -> None:
    term = " ".join(term.split())[:100]
    if len(term) < 2:
        return
    today = timezone.localdate()
    with transaction.atomic():
        row, _created = SearchTerm.objects.get_or_create(term=term, day=today)
        SearchTerm.objects.filter(pk=row.pk).update(count=F("count") + 1)


@transaction.atomic
def gallery_app_submit(
    *,
    actor: Any,
    name: str,
    url: str,
    description: str,
    datasets: Sequence[Dataset],
    screenshot: File[Any] | None = None,
) -> GalleryApp:
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied("Sign in to submit an app.")
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = "Give the app's name."
    if not url.startswith(("https://", "http://")):
        errors["url"] = "Give the app's web address (https://…)."
    if not datasets:
        errors["datasets"] = "Choose at least one dataset the app uses."
    if errors:
        raise ValidationError(errors)
    app = GalleryApp(name=name.strip(), url=url, description=description, submitted_by=actor)
    if screenshot is not None:
        app.screenshot.save("screenshot.png", _clean_image(screenshot), save=False)
    app.save()
    app.datasets.set(datasets)
    audit_record(
        actor=actor,
        action="opendata.gallery_app_submit",
        target=app,
        details={"datasets": [d.name for d in datasets]},
    )
    return app


def _clean_image(upload: File[Any]) -> File[Any]:
    """Re-encode as PNG, which drops EXIF and anything else hidden in the upload."""
    import io

    from django.core.files.base import ContentFile
    from PIL import UnidentifiedImageError

    from smartseoul.lib.images import upright_rgb

    try:
        image = upright_rgb(upload, max_side=1600)
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
    except (UnidentifiedImageError, OSError):
        raise ValidationError(
            {"screenshot": "The screenshot must be a PNG or JPEG image."}
        ) from None
    return ContentFile(buffer.getvalue())


@transaction.atomic
def gallery_app_moderate(*, actor: Any, app: GalleryApp, approve: bool) -> GalleryApp:
    if not may_publish(actor):
        raise PermissionDenied("Only data publishers moderate the app gallery.")
    app.status = GalleryApp.Status.APPROVED if approve else GalleryApp.Status.REJECTED
    app.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action="opendata.gallery_app_moderate",
        target=app,
        details={"status": app.status},
    )
    return app


def parse_date(value: Any, field: str) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value)[:10])
    except ValueError:
        raise ValidationError({field: "Give a date as YYYY-MM-DD."}) from None
