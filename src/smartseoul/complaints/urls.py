from __future__ import annotations

from django.urls import URLPattern, URLResolver, path, re_path

from smartseoul.complaints import office, open311, views
from smartseoul.complaints.feeds import ReportsFeed

app_name = "complaints"

_FMT = r"\.(?P<fmt>json|xml)$"

urlpatterns: list[URLPattern | URLResolver] = [
    path("complaints/", views.report_list, name="list"),
    path("complaints/new/", views.report_new, name="new"),
    path("complaints/feed.atom", ReportsFeed(), name="feed"),
    path("complaints/feed/<str:kind>/<str:code>.atom", ReportsFeed(), name="feed_of"),
    path("complaints/r/<str:public_id>/", views.report_detail, name="detail"),
    path("complaints/r/<str:public_id>/follow/", views.report_follow, name="follow"),
    path("complaints/r/<str:public_id>/rate/", views.report_rate, name="rate"),
    path("complaints/media/<int:pk>/<str:variant>/", views.media_file, name="media"),
    path("complaints/notifications/", views.notifications_view, name="notifications"),
    path("complaints/office/", office.queue_view, name="queue"),
    path("complaints/office/bulk/", office.bulk_view, name="bulk"),
    path("complaints/office/stats/", office.statistics_view, name="stats"),
    path("complaints/office/r/<str:public_id>/", office.report_handle, name="handle"),
    # Open311 GeoReport v2
    path("open311/v2/", open311.discovery, {"fmt": "json"}, name="open311_root"),
    re_path(r"^open311/v2/discovery" + _FMT, open311.discovery, name="open311_discovery"),
    re_path(r"^open311/v2/services" + _FMT, open311.services, name="open311_services"),
    re_path(
        r"^open311/v2/services/(?P<code>[\w-]+)" + _FMT,
        open311.service_definition,
        name="open311_service",
    ),
    re_path(r"^open311/v2/requests" + _FMT, open311.requests_view, name="open311_requests"),
    re_path(
        r"^open311/v2/requests/(?P<request_id>[\w-]+)" + _FMT,
        open311.request_detail,
        name="open311_request",
    ),
    re_path(
        r"^open311/v2/tokens/(?P<token>[\w-]+)" + _FMT, open311.token_detail, name="open311_token"
    ),
]
