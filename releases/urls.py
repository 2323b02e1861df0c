"""Pages of the releases app: the workspace's workflow, a product's releases, features,
backlog and board, with the writes they post to."""

from django.urls import path

from .views import features, launch, metrics, planning, releases, workflow

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
    path(WORKSPACE + "my-work/", launch.my_work, name="my_work"),
    path(WORKSPACE + "launch/", launch.launch_settings, name="launch_settings"),
    path(WORKSPACE + "launch/settings/", launch.launch_settings_save, name="launch_settings_save"),
    path(WORKSPACE + "launch/phases/new/", launch.phase_type_create, name="phase_type_create"),
    path(WORKSPACE + "launch/phases/<int:pk>/edit/", launch.phase_type_edit, name="phase_type_edit"),
    path(WORKSPACE + "launch/phases/<int:pk>/delete/", launch.phase_type_delete, name="phase_type_delete"),
    path(WORKSPACE + "launch/templates/new/", launch.template_create, name="launch_template_create"),
    path(WORKSPACE + "launch/templates/<int:pk>/", launch.launch_template, name="launch_template"),
    path(WORKSPACE + "launch/templates/<int:pk>/delete/", launch.launch_template_delete,
         name="launch_template_delete"),
    path(WORKSPACE + "launch/templates/<int:pk>/items/<int:item_pk>/delete/", launch.launch_template_item_delete,
         name="launch_template_item_delete"),
    path(RELEASES, releases.release_list, name="release_list"),
    path(RELEASES + "new/", releases.release_create, name="release_create"),
    path(RELEASES + "<int:pk>/", releases.release_detail, name="release_detail"),
    path(RELEASES + "<int:pk>/edit/", releases.release_edit, name="release_edit"),
    path(RELEASES + "<int:pk>/delete/", releases.release_delete, name="release_delete"),
    path(RELEASES + "<int:release_pk>/milestones/new/", releases.milestone_create, name="milestone_create"),
    path(RELEASES + "<int:release_pk>/milestones/<int:pk>/edit/", releases.milestone_edit, name="milestone_edit"),
    path(RELEASES + "<int:release_pk>/milestones/<int:pk>/delete/", releases.milestone_delete,
         name="milestone_delete"),
    path(RELEASES + "<int:pk>/phases/", launch.release_phase_create, name="release_phase_create"),
    path(RELEASES + "<int:pk>/phases/<int:phase_pk>/delete/", launch.release_phase_delete,
         name="release_phase_delete"),
    path(RELEASES + "<int:pk>/todos/", launch.todo_create, name="todo_create"),
    path(RELEASES + "<int:pk>/todos/<int:todo_pk>/toggle/", launch.todo_toggle, name="todo_toggle"),
    path(RELEASES + "<int:pk>/todos/<int:todo_pk>/delete/", launch.todo_delete, name="todo_delete"),
    path(RELEASES + "<int:pk>/apply-template/", launch.template_apply, name="template_apply"),
    path(RELEASES + "<int:pk>/messaging/", launch.messaging_edit, name="messaging_edit"),
    path(RELEASES + "<int:pk>/notes/", launch.release_notes, name="release_notes"),
    path(RELEASES + "<int:pk>/notes/publish/", launch.release_notes_publish, name="release_notes_publish"),
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
    path(PRODUCT + "backlog/rows/", planning.backlog_rows, name="backlog_rows"),
    path(PRODUCT + "backlog/move/", planning.feature_rank_move, name="feature_rank_move"),
    path(PRODUCT + "backlog/bulk/", planning.backlog_bulk, name="backlog_bulk"),
    path(PRODUCT + "board/", planning.board, name="board"),
    path(PRODUCT + "board/column/", planning.board_column, name="board_column"),
    path(PRODUCT + "board/move/", planning.board_move, name="board_move"),
    path(PRODUCT + "value-effort/", planning.value_effort, name="value_effort"),
    path(PRODUCT + "delivery/", metrics.product_delivery, name="product_delivery"),
]
