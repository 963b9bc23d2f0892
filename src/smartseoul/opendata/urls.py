from __future__ import annotations

from django.urls import URLPattern, URLResolver, path, re_path

from smartseoul.opendata import ckan, seoul, views, views_linked, views_publish, views_visual

app_name = "opendata"

urlpatterns: list[URLPattern | URLResolver] = [
    # Standard interfaces at the places existing clients expect them.
    path("api/3/action/<str:name>", ckan.action_view, name="ckan_action"),
    path("api/action/<str:name>", ckan.action_view, name="ckan_action_unversioned"),
    re_path(r"^openapi/(?P<path>.*)$", seoul.openapi_view, name="seoul_openapi"),
    path("catalog.jsonld", views_linked.catalog, {"extension": "jsonld"}, name="catalog_jsonld"),
    path("catalog.ttl", views_linked.catalog, {"extension": "ttl"}, name="catalog_ttl"),
    path("catalog", views_linked.catalog, name="catalog"),
    path(
        "dataset/<str:dataset_id>.jsonld",
        views_linked.dataset,
        {"extension": "jsonld"},
        name="dataset_jsonld",
    ),
    path(
        "dataset/<str:dataset_id>.ttl",
        views_linked.dataset,
        {"extension": "ttl"},
        name="dataset_ttl",
    ),
    path("dataset/<str:dataset_id>", views_linked.dataset, name="dataset_linked"),
    # Pages.
    path("data/", views.catalogue, name="catalogue"),
    path("data/dataset/<slug:name>/", views.dataset_page, name="dataset"),
    path("data/resource/<uuid:resource_id>/sheet/", views.sheet, name="sheet"),
    path(
        "data/resource/<uuid:resource_id>/download.<str:file_format>",
        views.table_download,
        name="download",
    ),
    path(
        "data/resource/<uuid:resource_id>/v<int:number>/source",
        views.version_source,
        name="version_source",
    ),
    path(
        "data/resource/<uuid:resource_id>/v<int:number>/status/",
        views.version_status,
        name="version_status",
    ),
    path("data/resource/<uuid:resource_id>/chart/", views_visual.chart, name="chart"),
    path("data/resource/<uuid:resource_id>/chart.svg", views_visual.chart_svg, name="chart_svg"),
    path(
        "data/resource/<uuid:resource_id>/chart/embed/",
        views_visual.chart_embed,
        name="chart_embed",
    ),
    path("data/resource/<uuid:resource_id>/map/", views_visual.map_page, name="map"),
    path(
        "data/resource/<uuid:resource_id>/map.geojson", views_visual.map_geojson, name="map_geojson"
    ),
    path("data/publish/", views_publish.dataset_new, name="dataset_new"),
    path("data/dataset/<slug:name>/edit/", views_publish.dataset_edit, name="dataset_edit"),
    path(
        "data/dataset/<slug:name>/resources/new/", views_publish.resource_new, name="resource_new"
    ),
    path(
        "data/resource/<uuid:resource_id>/upload/",
        views_publish.version_upload,
        name="version_upload",
    ),
    path("data/keys/", views_publish.keys, name="keys"),
    path("data/apps/", views_publish.gallery, name="gallery"),
    path("data/apps/submit/", views_publish.gallery_submit, name="gallery_submit"),
    path("data/apps/review/", views_publish.gallery_review, name="gallery_review"),
]
