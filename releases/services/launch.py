"""Write operations for going to market: the workspace's phase types and launch settings,
a release's phases, its launch to-dos and the launch templates that create them.

Invariants protected here:
- phase types are edited by admins; a phase type in use cannot be deleted;
- a phase and a to-do belong to a release of the same workspace, with dates in the accepted
  range; a to-do's team is one of the workspace's teams and its assignee a member;
- a to-do due relative to its release (`offset_days`) is due on release date + offset, and
  follows the release when its date moves; a move that would put one outside the accepted
  date range is refused;
- a template applied twice to a release adds each of its to-dos once;
- the to-dos of a cancelled release are closed with it (and reopened if it is planned again);
- editors tick any to-do; a viewer ticks only a to-do assigned to them, and only where the
  workspace's launch settings allow it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from strategy import access
from strategy.limits import (
    DATE_MAX,
    DATE_MIN,
    LAUNCH_TEAM_MAX_LENGTH,
    LAUNCH_TEAMS_MAX_COUNT,
    LAUNCH_TODOS_MAX_COUNT,
    OFFSET_DAYS_LIMIT,
    PHASE_TYPES_MAX_COUNT,
    PHASES_MAX_COUNT,
    TEMPLATE_ITEMS_MAX_COUNT,
    date_range_message,
    too_many_message,
)
from strategy.models import Membership, Role, User, Workspace
from strategy.services.records import assign

from ..models import (
    DEFAULT_PHASE_TYPES,
    LaunchSettings,
    LaunchTemplate,
    LaunchTemplateItem,
    LaunchTodo,
    PhaseType,
    Release,
    ReleasePhase,
)
from .records import full_clean

PHASE_TYPE_FIELDS = ("name", "colour")
PHASE_FIELDS = ("phase_type", "start_date", "end_date")
TODO_FIELDS = ("title", "team", "assignee", "due_date", "offset_days")
TEMPLATE_FIELDS = ("name", "description")
TEMPLATE_ITEM_FIELDS = ("title", "team", "offset_days")


# --- phase types and settings (admins) ---------------------------------------------------


def phase_types_defaults_create(*, workspace: Workspace) -> list[PhaseType]:
    """Plan, Build, Beta and Launch, for a new workspace."""
    return PhaseType.objects.bulk_create([
        PhaseType(workspace=workspace, name=name, colour=colour, position=i)
        for i, (name, colour) in enumerate(DEFAULT_PHASE_TYPES, start=1)
    ])


def _phase_type_errors(phase_type: PhaseType) -> dict:
    clash = PhaseType.objects.filter(workspace_id=phase_type.workspace_id, name__iexact=phase_type.name)
    if phase_type.name and clash.exclude(pk=phase_type.pk).exists():
        return {"name": _("There is already a phase called %(name)s.") % {"name": phase_type.name}}
    return {}


@transaction.atomic
def phase_type_create(*, actor: User, workspace: Workspace, **fields) -> PhaseType:
    """Raises PermissionDenied (admins only) or ValidationError."""
    access.ensure_can(actor, "workspace.manage", workspace)
    if PhaseType.objects.filter(workspace=workspace).count() >= PHASE_TYPES_MAX_COUNT:
        raise ValidationError(too_many_message(PHASE_TYPES_MAX_COUNT, _("phase types")))
    last = PhaseType.objects.filter(workspace=workspace).aggregate(m=Max("position"))["m"] or 0
    phase_type = PhaseType(workspace=workspace, position=last + 1)
    assign(phase_type, fields, PHASE_TYPE_FIELDS)
    full_clean(phase_type, _phase_type_errors(phase_type), exclude=["workspace"])
    phase_type.save()
    return phase_type


@transaction.atomic
def phase_type_update(*, actor: User, phase_type: PhaseType, **changes) -> PhaseType:
    access.ensure_can(actor, "workspace.manage", phase_type)
    assign(phase_type, changes, PHASE_TYPE_FIELDS)
    full_clean(phase_type, _phase_type_errors(phase_type), exclude=["workspace"])
    phase_type.save()
    return phase_type


@transaction.atomic
def phase_type_move(*, actor: User, phase_type: PhaseType, position: int) -> PhaseType:
    """Put the phase type at `position` (1-based) in the workspace's order; the others close up."""
    access.ensure_can(actor, "workspace.manage", phase_type)
    types = list(PhaseType.objects.select_for_update().filter(workspace_id=phase_type.workspace_id))
    types = [t for t in types if t.pk != phase_type.pk]
    types.insert(max(0, min(position - 1, len(types))), phase_type)
    for i, item in enumerate(types, start=1):
        item.position = i
    PhaseType.objects.bulk_update(types, ["position"])
    return phase_type


@transaction.atomic
def phase_type_delete(*, actor: User, phase_type: PhaseType) -> None:
    """Raises ValidationError while releases have phases of this type."""
    access.ensure_can(actor, "workspace.manage", phase_type)
    used = ReleasePhase.objects.filter(phase_type=phase_type).count()
    if used:
        raise ValidationError(_("%(name)s is used by %(n)d release phase(s); remove those first.") % {
            "name": phase_type.name, "n": used})
    phase_type.delete()


def _clean_teams(teams: list[str]) -> list[str]:
    cleaned: list[str] = []
    for team in teams:
        team = " ".join(str(team).split())
        if team and team.lower() not in {t.lower() for t in cleaned}:
            cleaned.append(team)
    errors = []
    if not cleaned:
        errors.append(_("Name at least one team."))
    if len(cleaned) > LAUNCH_TEAMS_MAX_COUNT:
        errors.append(too_many_message(LAUNCH_TEAMS_MAX_COUNT, _("teams")))
    if any(len(team) > LAUNCH_TEAM_MAX_LENGTH for team in cleaned):
        errors.append(_("A team name has at most %(n)d characters.") % {"n": LAUNCH_TEAM_MAX_LENGTH})
    if errors:
        raise ValidationError({"teams": errors})
    return cleaned


@transaction.atomic
def launch_settings_update(*, actor: User, workspace: Workspace, teams: list[str] | None = None,
                           viewers_tick_own: bool | None = None) -> LaunchSettings:
    """The workspace's teams and whether viewers tick their own to-dos. Raises PermissionDenied
    (admins only) or ValidationError."""
    access.ensure_can(actor, "workspace.manage", workspace)
    settings_, _created = LaunchSettings.objects.select_for_update().get_or_create(workspace=workspace)
    if teams is not None:
        settings_.teams = _clean_teams(teams)
    if viewers_tick_own is not None:
        settings_.viewers_tick_own = viewers_tick_own
    settings_.save()
    return settings_


def launch_settings_of(workspace_id: int) -> LaunchSettings:
    """The workspace's launch settings, or the defaults (unsaved) when it has none; one query."""
    found = LaunchSettings.objects.filter(workspace_id=workspace_id).first()
    return found or LaunchSettings(workspace_id=workspace_id)


# --- phases of a release -------------------------------------------------------------------


def _phase_errors(phase: ReleasePhase, release: Release) -> dict:
    if phase.phase_type_id and phase.phase_type.workspace_id != release.workspace_id:
        return {"phase_type": _("Choose a phase of this workspace.")}
    return {}


@transaction.atomic
def release_phase_create(*, actor: User, release: Release, **fields) -> ReleasePhase:
    """Raises PermissionDenied or ValidationError (dates out of order or out of range). A
    phase ending after the release date is allowed, and shown as a conflict."""
    access.ensure_can(actor, "releases.edit", release)
    if ReleasePhase.objects.filter(release=release).count() >= PHASES_MAX_COUNT:
        raise ValidationError(too_many_message(PHASES_MAX_COUNT, _("phases per release")))
    phase = ReleasePhase(release=release)
    assign(phase, fields, PHASE_FIELDS)
    full_clean(phase, _phase_errors(phase, release), exclude=["release"])
    phase.save()
    return phase


@transaction.atomic
def release_phase_update(*, actor: User, phase: ReleasePhase, **changes) -> ReleasePhase:
    access.ensure_can(actor, "releases.edit", phase.release)
    assign(phase, changes, PHASE_FIELDS)
    full_clean(phase, _phase_errors(phase, phase.release), exclude=["release"])
    phase.save()
    return phase


@transaction.atomic
def release_phase_delete(*, actor: User, phase: ReleasePhase) -> None:
    access.ensure_can(actor, "releases.edit", phase.release)
    phase.delete()


# --- launch to-dos ---------------------------------------------------------------------------


def due_from_offset(release_date: date, offset_days: int) -> date | None:
    """The day `offset_days` from `release_date`, or None when that is outside the accepted range."""
    try:
        day = release_date + timedelta(days=offset_days)
    except OverflowError:
        return None
    return day if DATE_MIN <= day <= DATE_MAX else None


def _todo_errors(todo: LaunchTodo, release: Release, previous_assignee_id: int | None = None) -> dict:
    errors: dict = {}
    teams = launch_settings_of(release.workspace_id).teams
    if todo.team and todo.team.lower() not in {t.lower() for t in teams}:
        errors["team"] = _("Choose one of the workspace's teams: %(teams)s.") % {"teams": ", ".join(teams)}
    if todo.assignee_id and todo.assignee_id != previous_assignee_id and not Membership.objects.filter(
            workspace_id=release.workspace_id, user_id=todo.assignee_id).exists():
        errors["assignee"] = _("The assignee must be a member of this workspace.")
    if todo.offset_days is not None:
        if todo.due_date is not None and todo.due_date != due_from_offset(release.release_date, todo.offset_days):
            errors["due_date"] = _("Give either a due date or a number of days from launch, not both.")
        elif abs(todo.offset_days) <= OFFSET_DAYS_LIMIT:
            due = due_from_offset(release.release_date, todo.offset_days)
            if due is None:
                errors["offset_days"] = date_range_message()
            todo.due_date = due
    return errors


@transaction.atomic
def todo_create(*, actor: User, release: Release, title: str, **fields) -> LaunchTodo:
    """A to-do on the release, due on `due_date`, or `offset_days` from the release date
    (negative: before it), or undated. Raises PermissionDenied or ValidationError."""
    access.ensure_can(actor, "releases.edit", release)
    if LaunchTodo.objects.filter(release=release).count() >= LAUNCH_TODOS_MAX_COUNT:
        raise ValidationError(too_many_message(LAUNCH_TODOS_MAX_COUNT, _("launch to-dos per release")))
    todo = LaunchTodo(release=release, workspace_id=release.workspace_id)
    if release.status == Release.Status.CANCELLED:
        todo.state = LaunchTodo.State.CLOSED
    assign(todo, {"title": title, **fields}, TODO_FIELDS)
    full_clean(todo, _todo_errors(todo, release), exclude=["release", "workspace", "template_item", "done_by"])
    todo.save()
    return todo


@transaction.atomic
def todo_update(*, actor: User, todo: LaunchTodo, **changes) -> LaunchTodo:
    """Change a to-do's title, team, assignee or due date. Setting `due_date` alone makes it a
    fixed date; setting `offset_days` makes it follow the release."""
    access.ensure_can(actor, "releases.edit", todo)
    previous_assignee_id = todo.assignee_id
    if "due_date" in changes and "offset_days" not in changes:
        changes["offset_days"] = None
    if "offset_days" in changes and changes["offset_days"] is not None and "due_date" not in changes:
        changes["due_date"] = None
    assign(todo, changes, TODO_FIELDS)
    full_clean(todo, _todo_errors(todo, todo.release, previous_assignee_id),
               exclude=["release", "workspace", "template_item", "done_by"])
    todo.save()
    return todo


def can_tick(user: User, todo: LaunchTodo, *, viewers_tick_own: bool | None = None) -> bool:
    """Whether `user` may mark `todo` done or not done: editors always; viewers only their own
    to-dos, where the workspace allows it. Pass the setting when it is already known."""
    if access.can(user, "releases.edit", todo):
        return True
    if todo.assignee_id != user.pk or access.role_in(user, todo) != Role.VIEWER:
        return False
    if viewers_tick_own is None:
        viewers_tick_own = launch_settings_of(todo.workspace_id).viewers_tick_own
    return viewers_tick_own


@transaction.atomic
def todo_set_done(*, actor: User, todo: LaunchTodo, done: bool) -> LaunchTodo:
    """Tick a to-do off (or back on). Raises PermissionDenied (see `can_tick`), or
    ValidationError when the to-do was closed with its cancelled release."""
    if not can_tick(actor, todo):
        access.ensure_can(actor, "releases.edit", todo)  # raises, naming the action
    current = LaunchTodo.objects.select_for_update().get(pk=todo.pk)
    if current.state == LaunchTodo.State.CLOSED:
        raise ValidationError(_("This to-do was closed with its cancelled release."))
    current.state = LaunchTodo.State.DONE if done else LaunchTodo.State.OPEN
    current.done_at = timezone.now() if done else None
    current.done_by = actor if done else None
    current.save(update_fields=["state", "done_at", "done_by", "updated_at"])
    return current


@transaction.atomic
def todo_delete(*, actor: User, todo: LaunchTodo) -> None:
    access.ensure_can(actor, "releases.edit", todo)
    todo.delete()


def todos_follow_release(*, release: Release, previous_status: str | None = None) -> None:
    """Called by `release_update` inside its transaction: to-dos due relative to the release
    move with its date (raises ValidationError naming `release_date` when one would fall
    outside the accepted range), and the release's to-dos close when it is cancelled and
    reopen when it is planned again."""
    relative = list(LaunchTodo.objects.select_for_update().filter(release=release, offset_days__isnull=False))
    moved = []
    for todo in relative:
        due = due_from_offset(release.release_date, todo.offset_days)
        if due is None:
            raise ValidationError({"release_date": _(
                "The launch to-do “%(title)s” would fall due outside the accepted dates. %(range)s") % {
                "title": todo.title, "range": date_range_message()}})
        if due != todo.due_date:
            todo.due_date = due
            moved.append(todo)
    LaunchTodo.objects.bulk_update(moved, ["due_date"])
    cancelled = Release.Status.CANCELLED
    if release.status == cancelled and previous_status != cancelled:
        LaunchTodo.objects.filter(release=release, state=LaunchTodo.State.OPEN).update(
            state=LaunchTodo.State.CLOSED, updated_at=timezone.now())
    elif previous_status == cancelled and release.status != cancelled:
        LaunchTodo.objects.filter(release=release, state=LaunchTodo.State.CLOSED).update(
            state=LaunchTodo.State.OPEN, updated_at=timezone.now())


# --- launch templates --------------------------------------------------------------------------


def _template_errors(template: LaunchTemplate) -> dict:
    clash = LaunchTemplate.objects.filter(workspace_id=template.workspace_id, name__iexact=template.name)
    if template.name and clash.exclude(pk=template.pk).exists():
        return {"name": _("There is already a template called %(name)s.") % {"name": template.name}}
    return {}


@transaction.atomic
def template_create(*, actor: User, workspace: Workspace, items: list[dict] = (), **fields) -> LaunchTemplate:
    """A launch template with its to-dos (`items`: dicts of title, team, offset_days). Raises
    PermissionDenied or ValidationError."""
    access.ensure_can(actor, "releases.edit", workspace)
    template = LaunchTemplate(workspace=workspace)
    assign(template, fields, TEMPLATE_FIELDS)
    full_clean(template, _template_errors(template), exclude=["workspace"])
    template.save()
    for item in items:
        template_item_create(actor=actor, template=template, **item)
    return template


@transaction.atomic
def template_update(*, actor: User, template: LaunchTemplate, **changes) -> LaunchTemplate:
    access.ensure_can(actor, "releases.edit", template)
    assign(template, changes, TEMPLATE_FIELDS)
    full_clean(template, _template_errors(template), exclude=["workspace"])
    template.save()
    return template


@transaction.atomic
def template_delete(*, actor: User, template: LaunchTemplate) -> None:
    """To-dos already created from the template stay on their releases."""
    access.ensure_can(actor, "releases.edit", template)
    template.delete()


@transaction.atomic
def template_item_create(*, actor: User, template: LaunchTemplate, title: str, **fields) -> LaunchTemplateItem:
    access.ensure_can(actor, "releases.edit", template)
    if template.items.count() >= TEMPLATE_ITEMS_MAX_COUNT:
        raise ValidationError(too_many_message(TEMPLATE_ITEMS_MAX_COUNT, _("to-dos per template")))
    last = template.items.aggregate(m=Max("position"))["m"] or 0
    item = LaunchTemplateItem(template=template, position=last + 1)
    assign(item, {"title": title, **fields}, TEMPLATE_ITEM_FIELDS)
    errors = {}
    teams = launch_settings_of(template.workspace_id).teams
    if item.team and item.team.lower() not in {t.lower() for t in teams}:
        errors["team"] = _("Choose one of the workspace's teams: %(teams)s.") % {"teams": ", ".join(teams)}
    full_clean(item, errors, exclude=["template"])
    item.save()
    return item


@transaction.atomic
def template_item_delete(*, actor: User, item: LaunchTemplateItem) -> None:
    access.ensure_can(actor, "releases.edit", item.template)
    item.delete()


@dataclass
class Applied:
    """What applying a template did: the to-dos it added, and how many it had added before."""

    created: list[LaunchTodo]
    already_there: int

    @property
    def message(self) -> str:
        if not self.created and self.already_there:
            return _("Every to-do of this template is already on the release; nothing was added.")
        text = _("%(n)d to-do(s) added.") % {"n": len(self.created)}
        if self.already_there:
            text += " " + _("%(n)d were already on the release from an earlier application and were not "
                            "added again.") % {"n": self.already_there}
        return text


@transaction.atomic
def template_apply(*, actor: User, template: LaunchTemplate, release: Release) -> Applied:
    """Add the template's to-dos to the release, each due its offset from the release date
    (and following it). Applying the same template again adds only items added to the
    template since. Raises PermissionDenied, or ValidationError (a released or cancelled
    release, another workspace's template, a due date out of range)."""
    access.ensure_can(actor, "releases.edit", release)
    if template.workspace_id != release.workspace_id:
        raise ValidationError({"template": _("Choose a template of this workspace.")})
    if release.status in (Release.Status.RELEASED, Release.Status.CANCELLED):
        raise ValidationError(_("%(release)s is %(status)s; launch to-dos go on releases still to come.") % {
            "release": str(release), "status": release.get_status_display().lower()})
    Release.objects.select_for_update().filter(pk=release.pk).first()  # one application at a time
    items = list(template.items.all())
    done_before = set(LaunchTodo.objects.filter(release=release, template_item__in=items)
                      .values_list("template_item_id", flat=True))
    new = [item for item in items if item.pk not in done_before]
    if LaunchTodo.objects.filter(release=release).count() + len(new) > LAUNCH_TODOS_MAX_COUNT:
        raise ValidationError(too_many_message(LAUNCH_TODOS_MAX_COUNT, _("launch to-dos per release")))
    todos = []
    for item in new:
        due = due_from_offset(release.release_date, item.offset_days)
        if due is None:
            raise ValidationError({"template": _("“%(title)s” would fall due outside the accepted dates.") % {
                "title": item.title}})
        todos.append(LaunchTodo(workspace_id=release.workspace_id, release=release, title=item.title,
                                team=item.team, offset_days=item.offset_days, due_date=due, template_item=item))
    created = LaunchTodo.objects.bulk_create(todos)
    return Applied(created=created, already_there=len(done_before))
