"""Reads of a workspace's workflow statuses."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from strategy.models import User, Workspace

from ..models import WorkflowStatus


def status_list(*, user: User, workspace: Workspace | None = None,
                include_retired: bool = False) -> QuerySet[WorkflowStatus]:
    """Workflow statuses `user` may see (of one workspace, if given) in their order; retired
    ones only when asked for."""
    statuses = (WorkflowStatus.objects.visible_to(user).select_related("workspace")
                .order_by("workspace__name", "workspace_id", "position", "id"))
    if workspace is not None:
        statuses = statuses.filter(workspace=workspace)
    return statuses if include_retired else statuses.filter(retired_at__isnull=True)


def status_get(*, user: User, workspace: Workspace, pk: int) -> WorkflowStatus:
    return get_object_or_404(status_list(user=user, workspace=workspace, include_retired=True), pk=pk)
