"""Reads of a workspace's workflow statuses."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from strategy.models import User, Workspace

from ..models import WorkflowStatus


def status_list(*, user: User, workspace: Workspace, include_retired: bool = False) -> QuerySet[WorkflowStatus]:
    statuses = WorkflowStatus.objects.visible_to(user).filter(workspace=workspace).order_by("position", "id")
    return statuses if include_retired else statuses.filter(retired_at__isnull=True)


def status_get(*, user: User, workspace: Workspace, pk: int) -> WorkflowStatus:
    return get_object_or_404(status_list(user=user, workspace=workspace, include_retired=True), pk=pk)
