from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from smartseoul.urbandata import operator_views, views

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
    path(
        "city/operators/sensors/<str:serial>/keys/",
        operator_views.sensor_keys,
        name="operator_sensor_keys",
    ),
    path(
        "city/operators/sensors/<str:serial>/keys/change",
        operator_views.sensor_key_change,
        name="operator_sensor_key_change",
    ),
    path("city/operators/models/", operator_views.models_list, name="operator_models"),
    path("city/operators/models/new/", operator_views.model_edit, name="operator_model_new"),
    path("city/operators/models/<slug:code>/", operator_views.model_edit, name="operator_model"),
    path("city/operators/rules/", operator_views.rules_list, name="operator_rules"),
    path("city/operators/rules/new/", operator_views.rule_edit, name="operator_rule_new"),
    path("city/operators/rules/<int:pk>/", operator_views.rule_edit, name="operator_rule"),
]
