from __future__ import annotations

from django.urls import path

from smartseoul.accounts import views

app_name = "accounts"

urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("api-keys/", views.api_keys, name="api_keys"),
    path("api-keys/<str:prefix>/revoke", views.api_key_revoke_view, name="api_key_revoke"),
]
