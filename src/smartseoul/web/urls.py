from __future__ import annotations

from django.urls import path

from smartseoul.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("metrics", views.metrics_view, name="metrics"),
    path("about", views.about, name="about"),
]
