from __future__ import annotations

from django.urls import path

from smartseoul.budgeting import office, views, views_ballot, views_results

app_name = "budgeting"

urlpatterns = [
    path("", views.round_list, name="rounds"),
    path("new/", office.round_new, name="round_new"),
    path("review/", office.review_queue, name="review_queue"),
    path("simulate/", views_results.simulate_page, name="simulate"),
    path("photos/<int:pk>.jpg", views.photo, name="photo"),
    path("votes/<uuid:public_id>/", views_ballot.vote_ballot, name="vote"),
    path("<int:pk>/", views.round_detail, name="round"),
    path("<int:pk>/edit/", office.round_edit, name="round_edit"),
    path("<int:pk>/scopes/", office.scopes, name="scopes"),
    path("<int:pk>/scopes/<int:scope>/edit/", office.scope_edit, name="scope_edit"),
    path("<int:pk>/scopes/<int:scope>/remove/", office.scope_remove, name="scope_remove"),
    path("<int:pk>/phase/", office.phase, name="phase"),
    path("<int:pk>/schedule/", office.schedule, name="schedule"),
    path("<int:pk>/projects/", views.project_list, name="projects"),
    path("<int:pk>/propose/", views.propose, name="propose"),
    path("<int:pk>/ballot/", views_ballot.ballot, name="ballot"),
    path("<int:pk>/results/", views_results.results, name="results"),
    path("<int:pk>/scopes/<int:scope>/export.pb", views_results.export, name="export"),
    path("<int:pk>/projects/<int:project>/", views.project_detail, name="project"),
    path("<int:pk>/projects/<int:project>/support/", views.support, name="support"),
    path("<int:pk>/projects/<int:project>/review/", office.review, name="review"),
    path("<int:pk>/projects/<int:project>/update/", office.update, name="update"),
]
