from __future__ import annotations

from django.urls import path

from smartseoul.ledger import views

app_name = "ledger"

urlpatterns = [
    path("", views.index, name="index"),
    path("verify", views.verify, name="verify"),
    path("record", views.record, name="record"),
    path("<slug:log>/", views.log_page, name="log"),
    path("<slug:log>/checkpoint", views.checkpoint, name="checkpoint"),
    path("<slug:log>/entries", views.entries, name="entries"),
    path("<slug:log>/proof/inclusion", views.inclusion_proof, name="inclusion"),
    path("<slug:log>/proof/consistency", views.consistency_proof, name="consistency"),
]
