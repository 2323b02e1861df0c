"""The planning pages of a product, under w/<ws>/products/<key>/: backlog, board and the
value/effort matrix, with the writes they post to."""

from django.urls import path

from .views import planning

urlpatterns = [
    path("backlog/", planning.backlog, name="backlog"),
    path("backlog/move/", planning.feature_rank_move, name="feature_rank_move"),
    path("backlog/bulk/", planning.backlog_bulk, name="backlog_bulk"),
    path("board/", planning.board, name="board"),
    path("board/move/", planning.board_move, name="board_move"),
    path("value-effort/", planning.value_effort, name="value_effort"),
]
