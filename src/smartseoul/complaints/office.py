"""The officials' workspace: queue by deadline, one report's handling, statistics."""

from __future__ import annotations

import csv
from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from smartseoul.accounts.models import User
from smartseoul.complaints import actions, media_actions, queries
from smartseoul.complaints.forms import (
    AssignForm,
    ExtendForm,
    PhotoRedactForm,
    RedactForm,
    StatusForm,
    TransferForm,
)
from smartseoul.complaints.models import Media, Report, ResponseTemplate
from smartseoul.complaints.presenters import media_urls
from smartseoul.complaints.redaction import box_from_percent


def official_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not queries.is_official(request.user):
            raise PermissionDenied(_("The complaints workspace is for officials."))
        return view(request, *args, **kwargs)

    return wrapper


def _official(request: HttpRequest) -> User:
    """The signed-in official (``official_required`` has checked it)."""
    return cast(User, request.user)


def _filters(request: HttpRequest) -> queries.QueueFilters:
    get = request.GET
    return queries.QueueFilters(
        status=get.get("status", "open"),
        category=get.get("category", ""),
        district=get.get("district", ""),
        assignee=get.get("assignee", ""),
        due=get.get("due", ""),
        search=get.get("q", "").strip(),
    )


@require_GET
@official_required
def queue_view(request: HttpRequest) -> HttpResponse:
    filters = _filters(request)
    reports = queries.queue(request.user, filters)
    page = Paginator(reports, 50).get_page(request.GET.get("page"))
    handled = queries.reports_handled_by(request.user)
    return render(
        request,
        "complaints/office/queue.html",
        {
            "page": page,
            "filters": filters,
            "overdue_count": queries.overdue(handled).count(),
            "due_soon_count": queries.due_soon(handled).count(),
            "categories": queries.categories_active(),
            "districts": queries.district_choices(),
            "statuses": Report.Status.choices,
            "department": queries.department_of(request.user),
            "view_mode": "map" if request.GET.get("view") == "map" else "list",
            "tile_url": settings.MAP_TILE_URL,
            "today": queries.today(),
            "querystring": request.GET.urlencode(),
        },
    )


@require_POST
@official_required
def bulk_view(request: HttpRequest) -> HttpResponse:
    ids = request.POST.getlist("report")
    reports = list(queries.reports_handled_by(request.user).filter(public_id__in=ids))
    if not reports:
        messages.warning(request, _("Select at least one report."))
        return redirect("complaints:queue")
    operation = request.POST.get("operation", "")
    try:
        if operation == "assign_me":
            actions.reports_bulk(
                actor=_official(request),
                reports=reports,
                operation="assign",
                assignee=_official(request),
            )
        elif operation in ("in_progress", "resolved", "rejected"):
            note = request.POST.get("public_note", "").strip()
            actions.reports_bulk(
                actor=_official(request), reports=reports, operation="status",
                status=operation, public_note=note,
            )  # fmt: skip
        else:
            raise ValidationError({"operation": _("Choose what to do with the selected reports.")})
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, _("%(count)d reports updated.") % {"count": len(reports)})
    return redirect(f"{request.path.rsplit('bulk/', 1)[0]}?{request.POST.get('querystring', '')}")


_FORMS = {
    "status": StatusForm,
    "transfer": TransferForm,
    "extend": ExtendForm,
    "redact": RedactForm,
    "photo": PhotoRedactForm,
}


@require_http_methods(["GET", "POST"])
@official_required
def report_handle(request: HttpRequest, public_id: str) -> HttpResponse:
    report = queries.report_get_handled(request.user, public_id)
    colleagues = queries.colleagues(report)
    bound: dict[str, Any] = {}
    if request.method == "POST":
        operation = request.POST.get("operation", "")
        if operation == "assign":
            form: Any = AssignForm(request.POST, colleagues=colleagues)
        elif operation in _FORMS:
            form = _FORMS[operation](request.POST)
        else:
            raise PermissionDenied(_("Unknown operation."))
        bound[operation] = form
        if form.is_valid():
            try:
                _apply(request, report, operation, form.cleaned_data)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
            else:
                messages.success(request, _("Saved."))
                return redirect("complaints:handle", public_id=report.public_id)
    department_ids = [pk for pk in (report.office_id, report.department_id) if pk]
    templates = ResponseTemplate.objects.filter(
        department__isnull=True
    ) | ResponseTemplate.objects.filter(department_id__in=department_ids)
    status_form = bound.get("status") or StatusForm()
    status_form.fields["template"].queryset = templates  # type: ignore[union-attr]
    return render(
        request,
        "complaints/office/report.html",
        {
            "report": report,
            "events": report.events.select_related("actor", "from_department", "to_department"),
            "media": media_urls(report),
            "photos": report.media.filter(kind=Media.Kind.PHOTO, state=Media.State.READY),
            "reporter": report.reporter,
            "status_form": status_form,
            "assign_form": bound.get("assign") or AssignForm(colleagues=colleagues),
            "transfer_form": bound.get("transfer") or TransferForm(),
            "extend_form": bound.get("extend") or ExtendForm(),
            "redact_form": bound.get("redact")
            or RedactForm(initial={"public_details": report.public_details}),
            "photo_form": bound.get("photo") or PhotoRedactForm(),
            "tile_url": settings.MAP_TILE_URL,
        },
    )


def _apply(request: HttpRequest, report: Report, operation: str, data: dict[str, Any]) -> None:
    actor = _official(request)
    if operation == "assign":
        actions.report_assign(actor=actor, report=report, assignee=data["assignee"])
    elif operation == "status":
        original = None
        if data.get("duplicate_of"):
            original = Report.objects.filter(public_id=data["duplicate_of"].strip()).first()
            if original is None:
                raise ValidationError({"duplicate_of": _("No report with that ID.")})
        actions.report_status_change(
            actor=actor,
            report=report,
            status=data["status"],
            public_note=data["public_note"],
            duplicate_of=original,
        )
    elif operation == "transfer":
        actions.report_transfer(
            actor=actor,
            report=report,
            to_department=data["to_department"],
            reason=data["reason"],
        )
    elif operation == "extend":
        actions.report_extend(
            actor=actor,
            report=report,
            working_days=data["working_days"],
            reason=data["reason"],
        )
    elif operation == "redact":
        actions.report_redact(actor=actor, report=report, public_details=data["public_details"])
    elif operation == "photo":
        media = report.media.filter(pk=data["photo"]).first()
        if media is None:
            raise ValidationError({"photo": _("No such photo on this report.")})
        box = box_from_percent(data["x"], data["y"], data["width"], data["height"])
        media_actions.media_redact(actor=actor, media=media, boxes=[box])


@require_GET
@official_required
def statistics_view(request: HttpRequest) -> HttpResponse:
    stats = queries.statistics(queries.reports_handled_by(request.user))
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="complaint-statistics.csv"'
        response.write("\ufeff")  # so that Excel reads the Korean names as UTF-8
        writer = csv.writer(response)
        writer.writerow(
            [
                "group",
                "code",
                "name_ko",
                "name_en",
                "total",
                "closed",
                "overdue",
                "mean_days_to_answer",
            ]
        )
        for group, rows in stats.items():
            for row in rows:
                mean = row["mean_days_to_answer"]
                writer.writerow(
                    [group, row["code"], row["name_ko"], row["name_en"], row["total"],
                     row["closed"], row["overdue"], "" if mean is None else mean]
                )  # fmt: skip
        return response
    return render(request, "complaints/office/stats.html", {"stats": stats})
