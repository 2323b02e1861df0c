"""Pages of the releases app: the workspace's workflow, a product's releases, features,
backlog and board, with the writes they post to."""

from django.urls import path

from .views import features, metrics, planning, releases, workflow

WORKSPACE = "w/<slug:ws>/"
PRODUCT = WORKSPACE + "products/<str:key>/"
RELEASES = PRODUCT + "releases/"
FEATURE = PRODUCT + "features/<int:number>/"

app_name = "releases"

urlpatterns = [
    path(WORKSPACE + "workflow/", workflow.workflow, name="workflow"),
    path(WORKSPACE + "workflow/statuses/new/", workflow.workflow_status_create, name="workflow_status_create"),
    path(WORKSPACE + "workflow/statuses/<int:pk>/edit/", workflow.workflow_status_edit,
         name="workflow_status_edit"),
    path(WORKSPACE + "workflow/statuses/<int:pk>/move/", workflow.workflow_status_move,
         name="workflow_status_move"),
    path(WORKSPACE + "workflow/statuses/<int:pk>/retire/", workflow.workflow_status_retire,
         name="workflow_status_retire"),
    path(RELEASES, releases.release_list, name="release_list"),
    path(RELEASES + "new/", releases.release_create, name="release_create"),
    path(RELEASES + "<int:pk>/", releases.release_detail, name="release_detail"),
    path(RELEASES + "<int:pk>/edit/", releases.release_edit, name="release_edit"),
    path(RELEASES + "<int:pk>/delete/", releases.release_delete, name="release_delete"),
    path(RELEASES + "<int:release_pk>/milestones/new/", releases.milestone_create, name="milestone_create"),
    path(RELEASES + "<int:release_pk>/milestones/<int:pk>/edit/", releases.milestone_edit, name="milestone_edit"),
    path(RELEASES + "<int:release_pk>/milestones/<int:pk>/delete/", releases.milestone_delete,
         name="milestone_delete"),
    path(PRODUCT + "features/new/", features.feature_create, name="feature_create"),
    path(FEATURE, features.feature_detail, name="feature_detail"),
    path(FEATURE + "edit/", features.feature_edit, name="feature_edit"),
    path(FEATURE + "delete/", features.feature_delete, name="feature_delete"),
    path(FEATURE + "requirements/", features.requirement_create, name="requirement_create"),
    path(FEATURE + "requirements/<int:pk>/toggle/", features.requirement_toggle, name="requirement_toggle"),
    path(FEATURE + "requirements/<int:pk>/delete/", features.requirement_delete, name="requirement_delete"),
    path(FEATURE + "dependencies/", features.dependency_add, name="dependency_add"),
    path(FEATURE + "dependencies/<int:pk>/remove/", features.dependency_remove, name="dependency_remove"),
    path(FEATURE + "comments/", features.comment_create, name="comment_create"),
    path(FEATURE + "cell/<str:cell>/", planning.backlog_cell, name="backlog_cell"),
    path(PRODUCT + "backlog/", planning.backlog, name="backlog"),
    path(PRODUCT + "backlog/move/", planning.feature_rank_move, name="feature_rank_move"),
    path(PRODUCT + "backlog/bulk/", planning.backlog_bulk, name="backlog_bulk"),
    path(PRODUCT + "board/", planning.board, name="board"),
    path(PRODUCT + "board/move/", planning.board_move, name="board_move"),
    path(PRODUCT + "value-effort/", planning.value_effort, name="value_effort"),
    path(PRODUCT + "delivery/", metrics.product_delivery, name="product_delivery"),
]
