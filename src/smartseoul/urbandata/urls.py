from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from smartseoul.urbandata import views

app_name = "urbandata"

urlpatterns: list[URLPattern | URLResolver] = [
    path("city/", views.dashboard, name="dashboard"),
    path("city/stream", views.stream, name="stream"),
    path("city/districts.geojson", views.district_shapes, name="district_shapes"),
    path("city/series.json", views.series_json, name="series_json"),
    path("city/districts/<str:code>/", views.district_detail, name="district"),
    path("city/sensors/<str:serial>/", views.sensor_detail, name="sensor"),
    path("city/alerts/<int:pk>/", views.alert_detail, name="alert"),
    path("city/alerts/<int:pk>/handle", views.alert_handle, name="alert_handle"),
    path("city/operators/sensors/", views.operator_sensors, name="operator_sensors"),
]
