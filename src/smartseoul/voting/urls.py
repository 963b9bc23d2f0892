from __future__ import annotations

from django.urls import path

from smartseoul.voting import console, record_views, views
from smartseoul.voting.feeds import OpenedVotesFeed

app_name = "voting"

urlpatterns = [
    path("", views.vote_list, name="list"),
    path("track/", views.track, name="track"),
    path("feed.atom", OpenedVotesFeed(), name="feed"),
    path("console/", console.console, name="console"),
    path("console/new/", console.vote_new, name="vote_new"),
    path("console/<uuid:public_id>/roll/", console.roll, name="roll"),
    path("console/<uuid:public_id>/options/", console.option_images, name="option_images"),
    path("console/<uuid:public_id>/paper/", console.paper, name="paper"),
    path("console/<uuid:public_id>/<slug:action>/", console.vote_action, name="vote_action"),
    path("<uuid:public_id>/", views.vote_detail, name="detail"),
    path("<uuid:public_id>/results/", views.results, name="results"),
    path("<uuid:public_id>/record.json", record_views.record_json, name="record"),
    path("<uuid:public_id>/household/", views.household, name="household"),
    path("<uuid:public_id>/receipt/<str:tracker>/", views.receipt, name="receipt"),
]
