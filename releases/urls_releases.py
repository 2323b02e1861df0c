"""Releases, milestones and the workflow, under /w/<ws>/."""

from django.urls import path

from .views import releases as views

RELEASES = "products/<str:key>/releases/"

urlpatterns = [
    path("workflow/", views.workflow, name="workflow"),
    path("workflow/statuses/new/", views.workflow_status_create, name="workflow_status_create"),
    path("workflow/statuses/<int:pk>/edit/", views.workflow_status_edit, name="workflow_status_edit"),
    path("workflow/statuses/<int:pk>/move/", views.workflow_status_move, name="workflow_status_move"),
    path("workflow/statuses/<int:pk>/retire/", views.workflow_status_retire, name="workflow_status_retire"),
    path(RELEASES, views.release_list, name="release_list"),
    path(RELEASES + "new/", views.release_create, name="release_create"),
    path(RELEASES + "<int:pk>/", views.release_detail, name="release_detail"),
    path(RELEASES + "<int:pk>/edit/", views.release_edit, name="release_edit"),
    path(RELEASES + "<int:pk>/delete/", views.release_delete, name="release_delete"),
    path(RELEASES + "<int:release_pk>/milestones/new/", views.milestone_create, name="milestone_create"),
    path(RELEASES + "<int:release_pk>/milestones/<int:pk>/edit/", views.milestone_edit, name="milestone_edit"),
    path(RELEASES + "<int:release_pk>/milestones/<int:pk>/delete/", views.milestone_delete,
         name="milestone_delete"),
]
