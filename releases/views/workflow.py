"""Pages for the workspace's workflow statuses: everyone reads the workflow, admins add,
rename, reorder and retire statuses. Thin views: selectors read, services write."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from strategy import access
from strategy.forms import apply_service_errors
from strategy.web import workspace_view

from .. import selectors, services
from ..forms.workflow import WorkflowStatusForm, WorkflowStatusMoveForm, WorkflowStatusRetireForm
from ..models import StatusCategory, WorkflowStatus
from ..render import CATEGORY_CLASS


def _statuses(request, workspace) -> list[WorkflowStatus]:
    """Every status of the workflow, retired ones included, each with its feature count
    (one query)."""
    return list(selectors.status_list(user=request.user, workspace=workspace, include_retired=True)
                .annotate(feature_count=Count("features")))


def _render_workflow(request, workspace, *, add_form=None, status=200, partial=False) -> HttpResponse:
    statuses = _statuses(request, workspace)
    active = [s for s in statuses if s.retired_at is None]
    retired = [s for s in statuses if s.retired_at is not None]
    for s in statuses:
        s.badge = CATEGORY_CLASS.get(s.category, "todo")
    template = "releases/workflow.html#status-table" if partial else "releases/workflow.html"
    return render(request, template, {
        "workspace": workspace, "active": active, "retired": retired,
        "add_form": add_form or WorkflowStatusForm(),
        "categories": StatusCategory.choices,
        "category_counts": [(value, label, sum(1 for s in active if s.category == value), CATEGORY_CLASS[value])
                            for value, label in StatusCategory.choices],
        "can_manage": access.can(request.user, "workspace.manage", workspace),
    }, status=status)


@workspace_view
@require_GET
def workflow(request: HttpRequest, workspace) -> HttpResponse:
    """The workspace's statuses in order; admins change them here, everyone else reads."""
    return _render_workflow(request, workspace)


@workspace_view(requires="workspace.manage")
@require_POST
def workflow_status_create(request: HttpRequest, workspace) -> HttpResponse:
    form = WorkflowStatusForm(request.POST)
    if form.is_valid():
        try:
            status = services.workflow_status_create(actor=request.user, workspace=workspace, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Status “%(name)s” added at the end of the workflow.") % {"name": status.name})
            return redirect("releases:workflow", ws=workspace.slug)
    return _render_workflow(request, workspace, add_form=form, status=400)


@workspace_view(requires="workspace.manage")
@require_http_methods(["GET", "POST"])
def workflow_status_edit(request: HttpRequest, workspace, pk: int) -> HttpResponse:
    """Rename a status or change its category (inline on the workflow page, or on its own page)."""
    status = selectors.status_get(user=request.user, workspace=workspace, pk=pk)
    form = WorkflowStatusForm(request.POST or None, initial={"name": status.name, "category": status.category})
    if request.method == "POST":
        if form.is_valid():
            try:
                services.workflow_status_update(actor=request.user, status=status, **form.cleaned_data)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("Status “%(name)s” saved.") % {"name": status.name})
                return redirect("releases:workflow", ws=workspace.slug)
        status.refresh_from_db()
    return render(request, "releases/workflow_status_form.html", {
        "workspace": workspace, "status": status, "form": form,
    }, status=400 if request.method == "POST" else 200)


@workspace_view(requires="workspace.manage")
@require_POST
def workflow_status_move(request: HttpRequest, workspace, pk: int) -> HttpResponse:
    """Move a status up or down past its active neighbour, or to `position` (1-based)."""
    status = selectors.status_get(user=request.user, workspace=workspace, pk=pk)
    form = WorkflowStatusMoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.non_field_errors()) or _("Choose up, down or a position."))
        return redirect("releases:workflow", ws=workspace.slug)
    position = form.cleaned_data.get("position")
    direction = form.cleaned_data.get("direction")
    if direction:
        everything = list(selectors.status_list(user=request.user, workspace=workspace, include_retired=True))
        ids = [s.pk for s in everything]
        active = [s.pk for s in everything if s.retired_at is None]
        here = active.index(status.pk) if status.pk in active else None
        neighbour = None
        if here is not None:
            at = here - 1 if direction == "up" else here + 1
            neighbour = active[at] if 0 <= at < len(active) else None
        # The service numbers every status, retired ones too: step over the neighbour in that list.
        position = ids.index(neighbour) + 1 if neighbour is not None else None
    if position is not None:
        services.workflow_status_move(actor=request.user, status=status, position=position)
    if request.htmx:
        return _render_workflow(request, workspace, partial=True)
    return redirect("releases:workflow", ws=workspace.slug)


@workspace_view(requires="workspace.manage")
@require_http_methods(["GET", "POST"])
def workflow_status_retire(request: HttpRequest, workspace, pk: int) -> HttpResponse:
    """GET asks for confirmation and where its features should go; POST retires the status,
    keeping its features or moving them to another active status."""
    status = selectors.status_get(user=request.user, workspace=workspace, pk=pk)
    if status.retired_at is not None:
        messages.info(request, _("“%(name)s” is already retired.") % {"name": status.name})
        return redirect("releases:workflow", ws=workspace.slug)
    others = selectors.status_list(user=request.user, workspace=workspace).exclude(pk=status.pk)
    form = WorkflowStatusRetireForm(request.POST or None, statuses=others)
    if request.method == "POST" and form.is_valid():
        try:
            moved = services.workflow_status_retire(actor=request.user, status=status,
                                                    move_to=form.cleaned_data["move_to"])
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            target = form.cleaned_data["move_to"]
            if target is not None:
                text = _("“%(name)s” retired; %(n)d feature(s) moved to “%(target)s”.") % {
                    "name": status.name, "n": moved, "target": target.name}
            else:
                text = _("“%(name)s” retired. Its features keep it until you move them.") % {"name": status.name}
            messages.success(request, text)
            return redirect("releases:workflow", ws=workspace.slug)
    return render(request, "releases/workflow_status_retire.html", {
        "workspace": workspace, "status": status, "form": form,
        "feature_count": status.features.count(),
    }, status=400 if request.method == "POST" else 200)
