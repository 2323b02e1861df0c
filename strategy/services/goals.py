"""Write operations for a product's goals: goals with key results and check-ins, and
initiatives.

Invariants protected here:
- every record belongs to the workspace of its product (or goal), and links stay inside it:
  a key result's goal, an initiative's goals;
- a record edited from a stale copy is refused, naming who changed what since (optimistic
  locking on `version`);
- a key result's target differs from its start value and agrees with its direction;
  its current value changes only through a check-in, which is recorded (a value measured
  by a metric the key result is bound to, too: `key_result_record_measurement`);
- a goal or initiative never ends before it starts;
- every change names its author in the record's history.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import access
from ..history import record_author
from ..limits import KEY_RESULTS_MAX_COUNT, too_many_message
from ..models import (
    CheckIn,
    Goal,
    Initiative,
    KeyResult,
    Membership,
    Product,
    User,
    Workspace,
)
from .records import assign, current_record, delete_record, save_record

GOAL_FIELDS = ("product", "name", "description", "owner", "start_date", "end_date", "external_id", "external_url")
KEY_RESULT_FIELDS = ("name", "unit", "direction", "start_value", "target_value")
INITIATIVE_FIELDS = ("name", "description", "status", "start_date", "end_date", "colour", "external_id", "external_url")


def _owner_error(workspace_id: int, owner: User | None) -> dict:
    if owner is not None and not Membership.objects.filter(workspace_id=workspace_id, user=owner).exists():
        return {"owner": _("The owner must be a member of this workspace.")}
    return {}


# --- goals, key results and check-ins ---------------------------------------


def _goal_errors(goal: Goal) -> dict:
    errors = _owner_error(goal.workspace_id, goal.owner)
    if goal.product is not None and goal.product.workspace_id != goal.workspace_id:
        errors["product"] = _("Choose a product of this workspace.")
    return errors


@transaction.atomic
def goal_create(
    *, actor: User, workspace: Workspace, name: str, start_date: date, end_date: date,
    product: Product | None = None, description: str = "", owner: User | None = None,
    external_id: str = "", external_url: str = "",
) -> Goal:
    """A company-wide goal (no product) or a product goal. Raises PermissionDenied or ValidationError."""
    access.ensure_can(actor, "strategy.edit", workspace)
    goal = Goal(workspace=workspace, created_by=actor)
    assign(goal, {"product": product, "name": name, "description": description, "owner": owner,
                   "start_date": start_date, "end_date": end_date, "external_id": external_id,
                   "external_url": external_url}, GOAL_FIELDS)
    save_record(goal, actor=actor, errors=_goal_errors(goal))
    return goal


@transaction.atomic
def goal_update(*, actor: User, goal: Goal, version: int | None = None, **changes) -> Goal:
    access.ensure_can(actor, "strategy.edit", goal)
    goal = current_record(goal, version)
    assign(goal, changes, GOAL_FIELDS)
    save_record(goal, actor=actor, errors=_goal_errors(goal))
    return goal


@transaction.atomic
def goal_delete(*, actor: User, goal: Goal) -> None:
    """Delete a goal with its key results and check-ins; initiatives stop serving it."""
    access.ensure_can(actor, "strategy.edit", goal)
    # One by one rather than by cascade, so each deletion and unlinking names its author.
    for key_result in goal.key_results.all():
        delete_record(key_result, actor=actor)
    for initiative in goal.initiatives.all():
        record_author(initiative, actor)
        initiative.goals.remove(goal)
    delete_record(goal, actor=actor)


@transaction.atomic
def key_result_create(
    *, actor: User, goal: Goal, name: str, start_value: Decimal, target_value: Decimal,
    current_value: Decimal | None = None, unit: str = "", direction: str | None = None,
) -> KeyResult:
    """Add a key result to a goal; its current value (the start value if not given) is the
    first check-in. The direction follows from start and target when not given.
    Raises PermissionDenied or ValidationError."""
    access.ensure_can(actor, "strategy.edit", goal)
    if goal.key_results.count() >= KEY_RESULTS_MAX_COUNT:
        raise ValidationError(too_many_message(KEY_RESULTS_MAX_COUNT, _("key results per goal")))
    if direction is None and start_value is not None and target_value is not None:
        direction = KeyResult.Direction.DOWN if target_value < start_value else KeyResult.Direction.UP
    key_result = KeyResult(
        goal=goal, workspace_id=goal.workspace_id, created_by=actor,
        current_value=start_value if current_value is None else current_value,
        position=(goal.key_results.aggregate(models.Max("position"))["position__max"] or 0) + 1,
    )
    assign(key_result, {"name": name, "unit": unit, "direction": direction, "start_value": start_value,
                         "target_value": target_value}, KEY_RESULT_FIELDS)
    save_record(key_result, actor=actor)
    CheckIn.objects.create(key_result=key_result, value=key_result.current_value, author=actor,
                           note=_("Starting value"))
    return key_result


@transaction.atomic
def key_result_update(*, actor: User, key_result: KeyResult, version: int | None = None, **changes) -> KeyResult:
    """Change a key result's definition. Its current value changes through check-ins only."""
    access.ensure_can(actor, "strategy.edit", key_result)
    key_result = current_record(key_result, version)
    assign(key_result, changes, KEY_RESULT_FIELDS)
    save_record(key_result, actor=actor)
    return key_result


@transaction.atomic
def key_result_delete(*, actor: User, key_result: KeyResult) -> None:
    access.ensure_can(actor, "strategy.edit", key_result)
    delete_record(key_result, actor=actor)


@transaction.atomic
def key_result_check_in(*, actor: User, key_result: KeyResult, value: Decimal, note: str = "") -> CheckIn:
    """Record the key result's current value, with a note, so progress has a history.
    Raises PermissionDenied or ValidationError."""
    access.ensure_can(actor, "strategy.edit", key_result)
    check_in = CheckIn(key_result=key_result, value=value, note=note.strip(), author=actor)
    try:
        check_in.full_clean(exclude=["key_result", "author"])
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from exc
    check_in.save()
    KeyResult.objects.filter(pk=key_result.pk).update(current_value=value, updated_at=timezone.now())
    key_result.current_value = value
    return check_in


@transaction.atomic
def key_result_record_measurement(*, key_result: KeyResult, value: Decimal, note: str,
                                  correcting: CheckIn | None = None) -> CheckIn:
    """Record a value measured for the key result by a metric it is bound to (a higher app
    owns the binding and has checked, when it was made, that an editor made it): a check-in
    without an author, so progress, status and history read as for any check-in. When
    `correcting` is the key result's latest check-in (the same measurement, recomputed), it is
    corrected in place rather than repeated. Raises ValidationError for a value out of range."""
    value = Decimal(value).quantize(Decimal("0.01"))
    latest = key_result.check_ins.order_by("-created_at", "-id").first()
    check_in = correcting if correcting is not None and latest is not None and correcting.pk == latest.pk \
        else CheckIn(key_result=key_result)
    check_in.value, check_in.note, check_in.author = value, note.strip(), None
    try:
        check_in.full_clean(exclude=["key_result", "author"])
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from exc
    now = timezone.now()
    if check_in.pk is None:
        check_in.save()
    else:
        CheckIn.objects.filter(pk=check_in.pk).update(value=value, note=check_in.note, created_at=now)
        check_in.created_at = now
    KeyResult.objects.filter(pk=key_result.pk).update(current_value=value, updated_at=now)
    key_result.current_value = value
    return check_in


# --- initiatives ------------------------------------------------------------


def _initiative_goal_errors(initiative: Initiative, goals) -> dict:
    if goals is None:
        return {}
    foreign = [g for g in goals if g.workspace_id != initiative.workspace_id]
    if foreign:
        return {"goals": _("An initiative can only serve goals of its own workspace.")}
    return {}


@transaction.atomic
def initiative_create(*, actor: User, product: Product, goals=(), **fields) -> Initiative:
    """Raises PermissionDenied or ValidationError."""
    access.ensure_can(actor, "strategy.edit", product)
    initiative = Initiative(product=product, workspace_id=product.workspace_id, created_by=actor)
    assign(initiative, fields, INITIATIVE_FIELDS)
    goals = list(goals)
    save_record(initiative, actor=actor, errors=_initiative_goal_errors(initiative, goals))
    if goals:
        initiative.goals.set(goals)
    return initiative


@transaction.atomic
def initiative_update(
    *, actor: User, initiative: Initiative, version: int | None = None, goals=None, **changes
) -> Initiative:
    """Change fields and, when `goals` is given, the goals served. Raises PermissionDenied or ValidationError."""
    access.ensure_can(actor, "strategy.edit", initiative)
    initiative = current_record(initiative, version)
    assign(initiative, changes, INITIATIVE_FIELDS)
    goals = list(goals) if goals is not None else None
    save_record(initiative, actor=actor, errors=_initiative_goal_errors(initiative, goals))
    if goals is not None and set(goals) != set(initiative.goals.all()):
        record_author(initiative, actor)
        initiative.goals.set(goals)
    return initiative


@transaction.atomic
def initiative_delete(*, actor: User, initiative: Initiative) -> None:
    access.ensure_can(actor, "strategy.edit", initiative)
    delete_record(initiative, actor=actor)
