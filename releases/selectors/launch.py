"""Reads of going to market: phase types, launch templates, a release's phases, to-dos,
readiness, messaging and notes, and a member's own work across products."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery, prefetch_related_objects
from django.db.models.functions import JSONObject
from django.shortcuts import get_object_or_404

from strategy.models import User, Workspace

from .. import metrics
from ..models import (
    CLOSED_CATEGORIES,
    Feature,
    LaunchSettings,
    LaunchTemplate,
    LaunchTemplateItem,
    LaunchTodo,
    PhaseType,
    Release,
    ReleaseMessaging,
    ReleaseNote,
    ReleasePhase,
)


def phase_type_list(*, workspace: Workspace) -> list[PhaseType]:
    """The workspace's phase types in its order; one query."""
    return list(PhaseType.objects.filter(workspace=workspace).order_by("position", "id"))


def phase_type_get(*, user: User, pk: int) -> PhaseType:
    return get_object_or_404(PhaseType.objects.visible_to(user), pk=pk)


def phase_list(*, user: User) -> QuerySet[ReleasePhase]:
    """Phases of the releases `user` may see, with their type."""
    return (ReleasePhase.objects.filter(release__workspace__in=Workspace.objects.visible_to(user))
            .select_related("phase_type", "phase_type__workspace", "release")
            .order_by("release_id", "start_date", "id"))


def template_list(*, user: User, workspace: Workspace | None = None) -> QuerySet[LaunchTemplate]:
    """Launch templates with their to-dos, by name; two queries."""
    templates = LaunchTemplate.objects.visible_to(user)
    if workspace is not None:
        templates = templates.filter(workspace=workspace)
    return templates.prefetch_related(Prefetch("items", queryset=LaunchTemplateItem.objects.order_by(
        "offset_days", "position", "id"))).order_by("name", "id")


def template_get(*, user: User, pk: int, workspace: Workspace | None = None) -> LaunchTemplate:
    return get_object_or_404(template_list(user=user, workspace=workspace), pk=pk)


def todo_list(*, user: User) -> QuerySet[LaunchTodo]:
    """Launch to-dos of the releases `user` may see, with release, product and assignee."""
    return (LaunchTodo.objects.visible_to(user)
            .select_related("release", "release__product", "assignee").order_by(
                "release_id", "due_date", "id"))


def todo_get(*, user: User, pk: int) -> LaunchTodo:
    return get_object_or_404(todo_list(user=user), pk=pk)


def todo_counts(release_ids: list[int], *, today: date) -> dict[int, tuple[int, int, int]]:
    """{release id: (to-dos, done, overdue)} of the releases' launch to-dos, closed ones left
    out; one query."""
    if not release_ids:
        return {}
    rows = (LaunchTodo.objects.filter(release_id__in=release_ids).exclude(state=LaunchTodo.State.CLOSED)
            .order_by().values("release_id")
            .annotate(total=Count("id"), done=Count("id", filter=Q(state=LaunchTodo.State.DONE)),
                      overdue=Count("id", filter=Q(state=LaunchTodo.State.OPEN, due_date__lt=today))))
    return {r["release_id"]: (r["total"], r["done"], r["overdue"]) for r in rows}


def todo_count_annotations(today: date) -> dict:
    """Annotations of a release queryset: `todo_total`, `todo_done` and `todo_overdue` of its
    launch to-dos, closed ones left out."""
    counted = ~Q(todos__state=LaunchTodo.State.CLOSED)
    return {
        "todo_total": Count("todos", filter=counted),
        "todo_done": Count("todos", filter=Q(todos__state=LaunchTodo.State.DONE)),
        "todo_overdue": Count("todos", filter=Q(todos__state=LaunchTodo.State.OPEN, todos__due_date__lt=today)),
    }


def readiness_of(releases: list[Release], *, today: date) -> dict[int, metrics.Readiness]:
    """Launch readiness of each release; one query."""
    counts = todo_counts([r.pk for r in releases], today=today)
    found = {}
    for r in releases:
        total, done, overdue = counts.get(r.pk, (0, 0, 0))
        found[r.pk] = metrics.readiness(total=total, done=done, overdue=overdue, start=r.start_date,
                                        release_date=r.release_date, today=today, status=r.status)
    return found


def overdue_todo_counts(release_ids: list[int], *, today: date) -> dict[int, int]:
    """{release id: open to-dos past their due date}, only releases that have some; one query."""
    return {pk: overdue for pk, (_total, _done, overdue) in todo_counts(release_ids, today=today).items() if overdue}


def overdue_launch_releases(product_ids: list[int], *, today: date) -> list[dict]:
    """The products' releases with open launch to-dos past their due date, as rows of id,
    name, product__key and overdue (how many), by release date; one query."""
    return list(LaunchTodo.objects.filter(release__product_id__in=product_ids, state=LaunchTodo.State.OPEN,
                                          due_date__lt=today)
                .values("release_id", "release__name", "release__product__key", "release__release_date")
                .annotate(overdue=Count("id")).order_by("release__release_date", "release_id"))


@dataclass
class TimelineLaunch:
    """What the release timeline shows of one release's launch."""

    phases: list[ReleasePhase] = field(default_factory=list)
    overdue: int = 0
    messaging: ReleaseMessaging | None = None


def timeline_launch(releases: list[Release], *, today: date, overdue: bool = True,
                    messaging: bool = True) -> dict[int, TimelineLaunch]:
    """{release id: its phases, overdue to-dos and messaging} for the release timeline: one
    query for the phases, one for the overdue to-dos (when `overdue`), and three for the
    messaging with its personas and competitors (when `messaging`)."""
    found = {r.pk: TimelineLaunch() for r in releases}
    if not found:
        return found
    for phase in ReleasePhase.objects.filter(release_id__in=found).select_related("phase_type"):
        found[phase.release_id].phases.append(phase)
    if overdue:
        for release_id, count in overdue_todo_counts(list(found), today=today).items():
            found[release_id].overdue = count
    if messaging:
        for row in ReleaseMessaging.objects.filter(release_id__in=found).prefetch_related("personas", "competitors"):
            found[row.release_id].messaging = row
    return found


@dataclass
class Launch:
    """The go-to-market part of the release page."""

    phases: list[ReleasePhase]
    todos: list[LaunchTodo]
    readiness: metrics.Readiness
    settings: LaunchSettings
    phase_types: list[PhaseType]
    templates: list[LaunchTemplate]
    messaging: ReleaseMessaging | None
    note: ReleaseNote | None
    by_team: dict[str, list[LaunchTodo]] = field(default_factory=dict)


def _launch_setup(workspace_id: int, *, editing: bool) -> tuple[LaunchSettings, list[PhaseType], list[LaunchTemplate]]:
    """The workspace's launch settings (the defaults without a row) and, when `editing`, the
    phase types and launch templates to offer (what their choices show): one query, through
    the workspace, rather than one each."""
    columns = {"settings_json": Subquery(LaunchSettings.objects.filter(workspace_id=OuterRef("pk")).values(
        json=JSONObject(id="id", teams="teams", viewers_tick_own="viewers_tick_own"))[:1])}
    if editing:
        columns["phase_types_json"] = ArraySubquery(
            PhaseType.objects.filter(workspace_id=OuterRef("pk")).order_by("position", "id")
            .values(json=JSONObject(id="id", name="name", colour="colour", position="position")))
        columns["templates_json"] = ArraySubquery(
            LaunchTemplate.objects.filter(workspace_id=OuterRef("pk")).order_by("name", "id")
            .values(json=JSONObject(id="id", name="name", description="description")))
    row = Workspace.objects.filter(pk=workspace_id).values(**columns).first() or {}
    settings_ = LaunchSettings(workspace_id=workspace_id, **(row.get("settings_json") or {}))
    return (settings_, [PhaseType(workspace_id=workspace_id, **found) for found in row.get("phase_types_json") or ()],
            [LaunchTemplate(workspace_id=workspace_id, **found) for found in row.get("templates_json") or ()])


def release_launch(*, release: Release, today: date, editing: bool = False) -> Launch:
    """Phases, to-dos (each marked `overdue`), readiness, messaging and notes of one release:
    a query for its phases and one for its to-dos (none when the release, read by
    `release_overview`, says it has none), one for the launch settings (with, when `editing`,
    the phase types and templates to offer). Messaging and notes come with a release read with
    `select_related("messaging", "note")`; messaging's personas and competitors cost two more."""
    # A release read by `release_overview` says whether it has any (an EXISTS each): none, no query.
    phases = list(ReleasePhase.objects.filter(release=release).select_related("phase_type")
                  ) if getattr(release, "has_phases", True) else []
    todos = list(LaunchTodo.objects.filter(release=release).select_related("assignee")
                 ) if getattr(release, "has_todos", True) else []
    for todo in todos:
        todo.overdue = todo.state == LaunchTodo.State.OPEN and todo.due_date is not None and todo.due_date < today
    counted = [t for t in todos if t.state != LaunchTodo.State.CLOSED]
    ready = metrics.readiness(total=len(counted), done=sum(1 for t in counted if t.is_done),
                              overdue=sum(1 for t in todos if t.overdue), start=release.start_date,
                              release_date=release.release_date, today=today, status=release.status)
    settings_, phase_types, templates = _launch_setup(release.workspace_id, editing=editing)
    # Loaded with the release (`select_related("messaging", "note")`), or a query each.
    messaging = getattr(release, "messaging", None)
    note = getattr(release, "note", None)
    if messaging is not None:
        prefetch_related_objects([messaging], "personas", "competitors")
    by_team: dict[str, list[LaunchTodo]] = defaultdict(list)
    for todo in todos:
        by_team[todo.team or ""].append(todo)
    return Launch(
        phases=phases, todos=todos, readiness=ready, settings=settings_,
        phase_types=phase_types, templates=templates,
        messaging=messaging, note=note, by_team=dict(by_team),
    )


def messaging_list(*, user: User) -> QuerySet[ReleaseMessaging]:
    return (ReleaseMessaging.objects.filter(release__workspace__in=Workspace.objects.visible_to(user))
            .select_related("release").prefetch_related("personas", "competitors").order_by("release_id"))


def note_list(*, user: User) -> QuerySet[ReleaseNote]:
    return (ReleaseNote.objects.filter(release__workspace__in=Workspace.objects.visible_to(user))
            .select_related("release", "release__product").order_by("release_id"))


@dataclass
class WorkItem:
    """One line of My work: a launch to-do or a feature, with the day it is due."""

    kind: str  # "todo" or "feature"
    title: str
    due: date | None
    overdue: bool
    product: str
    product_key: str
    release: str
    release_id: int | None
    todo: LaunchTodo | None = None
    feature_number: int | None = None
    feature_key: str = ""
    status: str = ""
    status_category: str = ""
    team: str = ""


def my_work(*, user: User, workspace: Workspace, today: date) -> list[WorkItem]:
    """The member's open launch to-dos and open features across the workspace's products:
    overdue first, then due soonest, undated last; two queries."""
    todos = (LaunchTodo.objects.filter(workspace=workspace, assignee=user, state=LaunchTodo.State.OPEN)
             .select_related("release", "release__product"))
    features = (Feature.objects.filter(workspace=workspace, assignee=user)
                .exclude(status__category__in=CLOSED_CATEGORIES)
                .values("id", "number", "title", "end_date", "release_id", "release__name", "release__release_date",
                        "product__name", "product__key", "status__name", "status__category"))
    items = [WorkItem(kind="todo", title=t.title, due=t.due_date, overdue=bool(t.due_date and t.due_date < today),
                      product=t.release.product.name, product_key=t.release.product.key, release=t.release.name,
                      release_id=t.release_id, todo=t, team=t.team) for t in todos]
    for f in features:
        due = f["end_date"] or f["release__release_date"]
        items.append(WorkItem(kind="feature", title=f["title"], due=due, overdue=bool(due and due < today),
                              product=f["product__name"], product_key=f["product__key"],
                              release=f["release__name"] or "", release_id=f["release_id"],
                              feature_number=f["number"], feature_key=f"{f['product__key']}-{f['number']}",
                              status=f["status__name"], status_category=f["status__category"]))
    items.sort(key=lambda i: (not i.overdue, i.due is None, i.due or today, i.kind, i.title))
    return items
