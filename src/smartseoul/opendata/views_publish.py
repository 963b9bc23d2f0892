"""Publishers' pages (datasets, resources, new versions), citizens' API keys, the app gallery."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from smartseoul.accounts.models import Department
from smartseoul.opendata import queries
from smartseoul.opendata.actions import (
    dataset_create,
    dataset_update,
    gallery_app_moderate,
    gallery_app_submit,
    may_publish,
    openapi_key_issue,
    openapi_key_revoke,
    resource_create,
    resource_version_add,
)
from smartseoul.opendata.forms import (
    DatasetForm,
    GalleryAppForm,
    KeyForm,
    ResourceForm,
    UploadForm,
)
from smartseoul.opendata.models import GalleryApp, OpenApiKey


def _names(text: str | None) -> list[str]:
    """Column names typed comma separated."""
    return [name.strip() for name in (text or "").split(",") if name.strip()]


def _apply_errors(form: Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = field if field in form.fields else None
            for error in errors:
                form.add_error(target, " ".join(error.messages))
    else:
        form.add_error(None, " ".join(exc.messages))


def _own_department(request: HttpRequest) -> Department:
    profile = getattr(request.user, "official_profile", None)
    if profile is None or not may_publish(request.user, profile.department):
        raise PermissionDenied(_("Only data publishers may do this."))
    return profile.department  # type: ignore[no-any-return]


@login_required
@require_http_methods(["GET", "POST"])
def dataset_new(request: HttpRequest) -> HttpResponse:
    department = _own_department(request)
    form = DatasetForm(request.POST or None, initial={"spatial": "서울특별시"})
    if request.method == "POST" and form.is_valid():
        try:
            dataset = dataset_create(
                actor=request.user,
                name=form.cleaned_data["name"],
                department=department,
                **form.values(),
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The dataset was created. Add its files next."))
            return redirect("opendata:resource_new", name=dataset.name)
    return render(request, "opendata/publish_form.html", {"form": form, "title": _("New dataset")})


@login_required
@require_http_methods(["GET", "POST"])
def dataset_edit(request: HttpRequest, name: str) -> HttpResponse:
    dataset = queries.dataset_find(name)
    if not may_publish(request.user, dataset.department):
        raise PermissionDenied(_("Only this dataset's publishers may change it."))
    form = DatasetForm.for_dataset(dataset, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            dataset_update(actor=request.user, dataset=dataset, **form.values())
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The dataset was saved."))
            return redirect("opendata:dataset", name=dataset.name)
    return render(
        request,
        "opendata/publish_form.html",
        {"form": form, "title": _("Edit dataset"), "dataset": dataset},
    )


@login_required
@require_http_methods(["GET", "POST"])
def resource_new(request: HttpRequest, name: str) -> HttpResponse:
    dataset = queries.dataset_find(name)
    if not may_publish(request.user, dataset.department):
        raise PermissionDenied(_("Only this dataset's publishers may change it."))
    form = ResourceForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data.get("file")
        if data["format"] != "link" and upload is None:
            form.add_error("file", _("Choose the file to publish."))
        else:
            try:
                resource = resource_create(
                    actor=request.user,
                    dataset=dataset,
                    name=data["name"],
                    format=data["format"],
                    url=data.get("url") or "",
                    description=data.get("description") or "",
                    service_name=data.get("service_name") or None,
                    service_filters=_names(data.get("service_filters")),
                    text_columns=_names(data.get("text_columns")),
                )
                if upload is not None:
                    resource_version_add(
                        actor=request.user, resource=resource, upload=upload, filename=upload.name
                    )
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("The resource was added; its table is loading."))
                return redirect("opendata:dataset", name=dataset.name)
    return render(
        request,
        "opendata/publish_form.html",
        {"form": form, "title": _("Add a resource"), "dataset": dataset, "multipart": True},
    )


@login_required
@require_http_methods(["GET", "POST"])
def version_upload(request: HttpRequest, resource_id: str) -> HttpResponse:
    resource = queries.resource_find(resource_id)
    if not may_publish(request.user, resource.dataset.department):
        raise PermissionDenied(_("Only this dataset's publishers may change it."))
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            resource_version_add(
                actor=request.user, resource=resource, upload=upload, filename=upload.name
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The new version is loading."))
            return redirect("opendata:dataset", name=resource.dataset.name)
    return render(
        request,
        "opendata/publish_form.html",
        {
            "form": form,
            "title": _("Upload a new version"),
            "dataset": resource.dataset,
            "multipart": True,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def keys(request: HttpRequest) -> HttpResponse:
    form = KeyForm(request.POST or None) if "purpose" in request.POST else KeyForm()
    new_secret = None
    if request.method == "POST" and "revoke" in request.POST:
        key = get_object_or_404(OpenApiKey, pk=request.POST["revoke"], user=request.user)
        openapi_key_revoke(actor=request.user, key=key)
        messages.success(request, _("The key was revoked."))
        return redirect("opendata:keys")
    if request.method == "POST" and form.is_valid():
        try:
            _key, new_secret = openapi_key_issue(
                user=request.user, purpose=form.cleaned_data["purpose"]
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            form = KeyForm()
    return render(
        request,
        "opendata/keys.html",
        {"form": form, "keys": queries.keys_of(request.user), "new_secret": new_secret},
    )


def gallery(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "opendata/gallery.html",
        {
            "apps": queries.gallery_apps_published(),
            "may_review": request.user.is_authenticated and may_publish(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def gallery_submit(request: HttpRequest) -> HttpResponse:
    form = GalleryAppForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            gallery_app_submit(
                actor=request.user,
                name=data["name"],
                url=data["url"],
                description=data["description"],
                datasets=list(data["datasets"]),
                screenshot=data.get("screenshot"),
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Thank you! Your app will appear once it is reviewed."))
            return redirect("opendata:gallery")
    return render(
        request,
        "opendata/publish_form.html",
        {"form": form, "title": _("Submit an app"), "multipart": True},
    )


@login_required
@require_http_methods(["GET", "POST"])
def gallery_review(request: HttpRequest) -> HttpResponse:
    if not may_publish(request.user):
        raise PermissionDenied(_("Only data publishers review the app gallery."))
    if request.method == "POST":
        app = get_object_or_404(GalleryApp, pk=request.POST.get("app"))
        gallery_app_moderate(
            actor=request.user, app=app, approve=request.POST.get("decision") == "approve"
        )
        messages.success(request, _("The decision was saved."))
        return redirect("opendata:gallery_review")
    return render(request, "opendata/gallery_review.html", {"apps": queries.gallery_apps_pending()})
