from __future__ import annotations

from django.urls import URLPattern, URLResolver

app_name = "urbandata"

urlpatterns: list[URLPattern | URLResolver] = []
