"""Public and citizen pages: the map and list, the report form, a report's timeline."""

from __future__ import annotations

import mimetypes
from typing import cast

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from smartseoul.accounts.models import User
from smartseoul.complaints import actions, notifications, queries
from smartseoul.complaints.forms import RatingForm, ReportForm
from smartseoul.complaints.models import Media, Report
from smartseoul.complaints.presenters import media_urls


@require_GET
def report_list(request: HttpRequest) -> HttpResponse:
    category = request.GET.get("category", "")
    district = request.GET.get("district", "")
    status = request.GET.get("status", "")
    reports = queries.public_reports(category=category, district=district, status=status)
    page = Paginator(reports.order_by("-received_at", "-pk"), 30).get_page(request.GET.get("page"))
    return render(
        request,
        "complaints/list.html",
        {
            "page": page,
            "categories": queries.categories_active(),
            "districts": queries.district_choices(),
            "selected": {"category": category, "district": district, "status": status},
            "tile_url": settings.MAP_TILE_URL,
        },
    )


@require_http_methods(["GET", "POST"])
def report_new(request: HttpRequest) -> HttpResponse:
    form = ReportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        user = request.user if request.user.is_authenticated else None
        try:
            report = actions.report_submit(
                reporter=user,
                category=form.cleaned_data["category"],
                lat=form.cleaned_data["lat"],
                lon=form.cleaned_data["lon"],
                details=form.cleaned_data["details"],
                address=form.cleaned_data["address"],
                anonymous=form.cleaned_data["anonymous"],
                uploads=request.FILES.getlist("media"),
            )
        except PermissionDenied:
            messages.warning(request, _("Sign in to report in this category."))
            return redirect(f"{reverse('account_login')}?next={request.path}")
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                target = field if field in form.fields else None
                for error in errors:
                    form.add_error(target, error)
        else:
            messages.success(
                request,
                _("Report %(id)s was received. The %(office)s will answer by %(date)s.")
                % {
                    "id": report.public_id,
                    "office": report.office.name_ko if report.office else report.district.name,
                    "date": report.due_date.isoformat(),
                },
            )
            url = reverse("complaints:detail", kwargs={"public_id": report.public_id})
            return redirect(f"{url}?sent=1")  # the page then clears the kept draft
    return render(
        request,
        "complaints/new.html",
        {
            "form": form,
            "categories": queries.categories_active(),
            "tile_url": settings.MAP_TILE_URL,
        },
    )


@require_GET
def report_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    report = queries.report_get_public(public_id)
    following = (
        request.user.is_authenticated and report.followers.filter(user=request.user).exists()
    )
    may_rate = (
        request.user.is_authenticated
        and report.reporter_id == request.user.pk
        and report.status
        in (Report.Status.ANSWERED, Report.Status.RESOLVED, Report.Status.REJECTED)
        and not hasattr(report, "rating")
    )
    return render(
        request,
        "complaints/detail.html",
        {
            "report": report,
            "timeline": queries.public_timeline(report),
            "media": media_urls(report),
            "pending_media": report.media.filter(state=Media.State.PENDING).count(),
            "following": following,
            "rating_form": RatingForm() if may_rate else None,
            "may_handle": queries.may_handle(request.user, report),
            "tile_url": settings.MAP_TILE_URL,
        },
    )


@require_POST
def report_follow(request: HttpRequest, public_id: str) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect(f"{reverse('account_login')}?next={request.path}")
    report = queries.report_get_public(public_id)
    if request.POST.get("follow") == "0":
        actions.report_unfollow(user=request.user, report=report)
        messages.info(request, _("You no longer follow this report."))
    else:
        actions.report_follow(user=request.user, report=report)
        messages.success(request, _("You follow this report and will hear when it changes."))
    return redirect("complaints:detail", public_id=public_id)


@require_POST
def report_rate(request: HttpRequest, public_id: str) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect(f"{reverse('account_login')}?next={request.path}")
    report = queries.report_get_public(public_id)
    form = RatingForm(request.POST)
    if form.is_valid():
        try:
            actions.report_rate(
                user=request.user,
                report=report,
                stars=form.cleaned_data["stars"],
                comment=form.cleaned_data["comment"],
            )
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, _("Thank you for rating the answer."))
    return redirect("complaints:detail", public_id=public_id)


@require_GET
def media_file(request: HttpRequest, pk: int, variant: str) -> HttpResponseBase:
    """A processed photo, video or thumbnail; uploads still being processed are never served."""
    media = get_object_or_404(Media, pk=pk, state=Media.State.READY)
    field = media.thumbnail if variant == "thumb" else media.file
    if variant not in ("thumb", "full") or not field:
        raise Http404("No such file.")
    content_type = mimetypes.guess_type(field.name or "")[0] or "application/octet-stream"
    response = FileResponse(field.open("rb"), content_type=content_type)
    response["Cache-Control"] = "public, max-age=300"
    return response


@require_http_methods(["GET", "POST"])
def notifications_view(request: HttpRequest) -> HttpResponse:
    """How a citizen hears about the reports they follow: e-mail, text message or KakaoTalk."""
    if not request.user.is_authenticated:
        return redirect(f"{reverse('account_login')}?next={request.path}")
    user = cast(User, request.user)
    error = ""
    if request.method == "POST":
        try:
            actions.notification_preference_set(user=user, channel=request.POST.get("channel", ""))
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("Saved."))
            return redirect("complaints:notifications")
    current = notifications.channel_for(user, queries.notification_channel_of(user))
    return render(
        request,
        "complaints/notifications.html",
        {
            "choices": [
                {
                    "name": channel.name,
                    "label": getattr(channel, "label", channel.name),
                    "reaches": notifications.reaches(channel, user),
                    "current": current is channel,
                }
                for channel in notifications.channels()
            ],
            "has_mobile": bool(notifications.mobile_of(user)),
            "error": error,
        },
    )
