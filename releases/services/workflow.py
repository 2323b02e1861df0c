"""Write operations for a workspace's workflow statuses.

Invariants protected here:
- every workspace has a workflow (the default one, from its creation) and keeps at least one
  active status; status names are unique among the active ones;
- retiring a status keeps its features in it, or moves them all to another active status;
  none is lost."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from strategy import access
from strategy.models import User, Workspace
from strategy.services.records import assign

from ..models import Feature, StatusCategory, WorkflowStatus
from ..signals import send_features_changed
from .launch import phase_types_defaults_create
from .records import full_clean, save_feature_change

DEFAULT_WORKFLOW = [
    ("Idea", StatusCategory.NOT_STARTED),
    ("Backlog", StatusCategory.NOT_STARTED),
    ("Planned", StatusCategory.NOT_STARTED),
    ("In design", StatusCategory.IN_PROGRESS),
    ("In development", StatusCategory.IN_PROGRESS),
    ("In review", StatusCategory.IN_PROGRESS),
    ("Shipped", StatusCategory.DONE),
    ("Won't do", StatusCategory.WONT_DO),
]


def workflow_defaults_create(*, workspace: Workspace) -> list[WorkflowStatus]:
    """Give a workspace the default workflow if it has no statuses yet. Idempotent."""
    existing = list(WorkflowStatus.objects.filter(workspace=workspace))
    if existing:
        return existing
    return WorkflowStatus.objects.bulk_create([
        WorkflowStatus(workspace=workspace, name=name, category=category, position=i)
        for i, (name, category) in enumerate(DEFAULT_WORKFLOW, start=1)
    ])


def on_workspace_created(sender, *, workspace: Workspace, **kwargs) -> None:
    workflow_defaults_create(workspace=workspace)
    # Phases come with the workflow: Plan, Build, Beta, Launch.
    phase_types_defaults_create(workspace=workspace)


def _status_name_error(status: WorkflowStatus) -> dict:
    clash = WorkflowStatus.objects.filter(workspace_id=status.workspace_id, name__iexact=status.name,
                                          retired_at__isnull=True).exclude(pk=status.pk)
    if status.name and clash.exists():
        return {"name": _("The workflow already has a status called %(name)s.") % {"name": status.name}}
    return {}


@transaction.atomic
def workflow_status_create(*, actor: User, workspace: Workspace, name: str, category: str) -> WorkflowStatus:
    """Add a status at the end of the workflow. Admins only. Raises PermissionDenied or ValidationError."""
    access.ensure_can(actor, "workspace.manage", workspace)
    last = WorkflowStatus.objects.filter(workspace=workspace).aggregate(Max("position"))["position__max"] or 0
    status = WorkflowStatus(workspace=workspace, position=last + 1)
    assign(status, {"name": name, "category": category}, ("name", "category"))
    full_clean(status, _status_name_error(status), exclude=["workspace"])
    status.save()
    return status


@transaction.atomic
def workflow_status_update(*, actor: User, status: WorkflowStatus, **changes) -> WorkflowStatus:
    """Rename a status or change its category; its features follow. Admins only."""
    access.ensure_can(actor, "workspace.manage", status)
    assign(status, changes, ("name", "category"))
    full_clean(status, _status_name_error(status), exclude=["workspace"])
    status.save()
    return status


@transaction.atomic
def workflow_status_move(*, actor: User, status: WorkflowStatus, position: int) -> list[WorkflowStatus]:
    """Put a status at `position` (1-based) in the workflow; the others close up. Admins only."""
    access.ensure_can(actor, "workspace.manage", status)
    statuses = list(WorkflowStatus.objects.select_for_update().filter(workspace_id=status.workspace_id))
    statuses = [s for s in statuses if s.pk != status.pk]
    position = max(1, min(position, len(statuses) + 1))
    statuses.insert(position - 1, status)
    for i, item in enumerate(statuses, start=1):
        item.position = i
    WorkflowStatus.objects.bulk_update(statuses, ["position"])
    return statuses


@transaction.atomic
def workflow_status_retire(*, actor: User, status: WorkflowStatus, move_to: WorkflowStatus | None = None) -> int:
    """Stop offering a status. Its features keep it, or move to `move_to`; none is lost.
    Returns how many features moved. Admins only. Raises ValidationError for the last open status."""
    access.ensure_can(actor, "workspace.manage", status)
    if status.retired_at is not None:
        raise ValidationError(_("%(name)s is already retired.") % {"name": status.name})
    active = WorkflowStatus.objects.filter(workspace_id=status.workspace_id, retired_at__isnull=True)
    if not active.exclude(pk=status.pk).exists():
        raise ValidationError(_("A workflow needs at least one status."))
    moved = 0
    if move_to is not None:
        if move_to.workspace_id != status.workspace_id or move_to.retired_at or move_to.pk == status.pk:
            raise ValidationError({"move_to": _("Choose another active status of this workflow.")})
        features = list(Feature.objects.select_for_update(of=("self",)).select_related("product").filter(status=status))
        for feature in features:
            save_feature_change(feature, actor, {"status": move_to})
        moved = len(features)
        send_features_changed(features)
    status.retired_at = timezone.now()
    status.save(update_fields=["retired_at", "updated_at"])
    return moved
