"""Write operations for a product's strategy: vision, personas, competitors and their
comparison, goals with key results and check-ins, and initiatives.

Invariants protected here:
- every record belongs to the workspace of its product (or goal), and links stay inside it:
  a key result's goal, an initiative's goals, a rating's competitor;
- a record edited from a stale copy is refused, naming who changed what since (optimistic
  locking on `version`), and every saved vision is kept as a version that can be restored;
- a key result's target differs from its start value and agrees with its direction;
  its current value changes only through a check-in, which is recorded;
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
from ..history import record_author, stale_edit_error, version_ahead_error
from ..limits import KEY_RESULTS_MAX_COUNT, too_many_message
from ..models import (
    CheckIn,
    ComparisonCriterion,
    Competitor,
    CompetitorRating,
    Goal,
    Initiative,
    KeyResult,
    Membership,
    Persona,
    Product,
    User,
    Vision,
    Workspace,
)
from .records import assign

PERSONA_FIELDS = ("name", "role", "description", "goals", "pains", "quote", "colour", "importance")
COMPETITOR_FIELDS = ("name", "website", "positioning", "strengths", "weaknesses", "pricing_notes", "threat")
GOAL_FIELDS = ("product", "name", "description", "owner", "start_date", "end_date")
KEY_RESULT_FIELDS = ("name", "unit", "direction", "start_value", "target_value")
INITIATIVE_FIELDS = ("name", "description", "status", "start_date", "end_date", "colour")


def _save(instance: models.Model, *, actor: User, errors: dict | None = None) -> None:
    """Validate one row (field rules and `clean()`), merge in cross-row `errors`, and save
    it with `actor` named in its history. Raises ValidationError with every problem at once."""
    errors = dict(errors or {})
    try:
        instance.full_clean(exclude=["workspace", "created_by"], validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, messages)
    if errors:
        raise ValidationError(errors)
    record_author(instance, actor)
    instance.save()


def _current(instance: models.Model, version: int | None) -> models.Model:
    """The row as it is now, locked for this transaction. Raises ValidationError (code "stale",
    naming who changed what) when `version` is given and someone saved a newer one."""
    current = type(instance).objects.select_for_update(of=("self",)).get(pk=instance.pk)
    if version is not None and current.version != version:
        raise stale_edit_error(current, version)
    current.version += 1
    return current


def _delete(instance: models.Model, *, actor: User) -> None:
    record_author(instance, actor)
    instance.delete()


def _owner_error(workspace_id: int, owner: User | None) -> dict:
    if owner is not None and not Membership.objects.filter(workspace_id=workspace_id, user=owner).exists():
        return {"owner": _("The owner must be a member of this workspace.")}
    return {}


# --- vision -----------------------------------------------------------------


@transaction.atomic
def vision_save(*, actor: User, product: Product, version: int | None = None, **content) -> Vision:
    """Write the product's vision, keeping the previous text as a version. `version` is the
    version the editor started from; a save over someone else's newer one is refused.
    Raises PermissionDenied or ValidationError."""
    access.ensure_can(actor, "strategy.edit", product)
    vision = Vision.objects.select_for_update().filter(product=product).first()
    if vision is None:
        vision = Vision(product=product, workspace_id=product.workspace_id, created_by=actor, version=0)
    if version is not None and version > vision.version:
        raise version_ahead_error(vision.version, version)
    if version is not None and vision.version != version:
        last = vision.history.select_related("history_user").first()
        raise ValidationError(
            _("%(who)s saved a newer version of this vision at %(when)s. Your text is kept below: "
              "compare it with theirs in the history, then save again.")
            % {
                "who": last.history_user.display_name if last and last.history_user else _("Someone"),
                "when": timezone.localtime(vision.updated_at).strftime("%H:%M on %d %b"),
            },
            code="stale",
        )
    before = {name: getattr(vision, name) for name in Vision.CONTENT_FIELDS}
    assign(vision, content, Vision.CONTENT_FIELDS)
    if {name: getattr(vision, name) for name in Vision.CONTENT_FIELDS} == before:
        return vision  # nothing changed: no new version (and no empty vision is created)
    vision.version += 1
    _save(vision, actor=actor)
    return vision


@transaction.atomic
def vision_restore(*, actor: User, product: Product, history_id: int) -> Vision:
    """Make an earlier version the current vision again (as a new version, so nothing is lost).
    Raises PermissionDenied, or ValidationError for a version of another product."""
    access.ensure_can(actor, "strategy.edit", product)
    vision = Vision.objects.select_for_update().filter(product=product).first()
    earlier = vision.history.filter(history_id=history_id).first() if vision is not None else None
    if earlier is None:
        raise ValidationError({"history_id": _("That version does not belong to this product's vision.")})
    for name in Vision.CONTENT_FIELDS:
        setattr(vision, name, getattr(earlier, name))
    vision.version += 1
    _save(vision, actor=actor)
    return vision


# --- personas ---------------------------------------------------------------


@transaction.atomic
def persona_create(*, actor: User, product: Product, **fields) -> Persona:
    """Raises PermissionDenied or ValidationError."""
    access.ensure_can(actor, "strategy.edit", product)
    persona = Persona(product=product, workspace_id=product.workspace_id, created_by=actor)
    assign(persona, fields, PERSONA_FIELDS)
    _save(persona, actor=actor)
    return persona


@transaction.atomic
def persona_update(*, actor: User, persona: Persona, version: int | None = None, **changes) -> Persona:
    access.ensure_can(actor, "strategy.edit", persona)
    persona = _current(persona, version)
    assign(persona, changes, PERSONA_FIELDS)
    _save(persona, actor=actor)
    return persona


@transaction.atomic
def persona_delete(*, actor: User, persona: Persona) -> None:
    access.ensure_can(actor, "strategy.edit", persona)
    _delete(persona, actor=actor)


# --- competitors and the comparison -----------------------------------------


def _competitor_name_error(competitor: Competitor) -> dict:
    clash = Competitor.objects.filter(product_id=competitor.product_id, name__iexact=competitor.name)
    if competitor.pk:
        clash = clash.exclude(pk=competitor.pk)
    if competitor.name and clash.exists():
        return {"name": _("%(name)s is already listed as a competitor.") % {"name": competitor.name}}
    return {}


@transaction.atomic
def competitor_create(*, actor: User, product: Product, **fields) -> Competitor:
    """Raises PermissionDenied or ValidationError."""
    access.ensure_can(actor, "strategy.edit", product)
    competitor = Competitor(product=product, workspace_id=product.workspace_id, created_by=actor)
    assign(competitor, fields, COMPETITOR_FIELDS)
    _save(competitor, actor=actor, errors=_competitor_name_error(competitor))
    return competitor


@transaction.atomic
def competitor_update(*, actor: User, competitor: Competitor, version: int | None = None, **changes) -> Competitor:
    access.ensure_can(actor, "strategy.edit", competitor)
    competitor = _current(competitor, version)
    assign(competitor, changes, COMPETITOR_FIELDS)
    _save(competitor, actor=actor, errors=_competitor_name_error(competitor))
    return competitor


@transaction.atomic
def competitor_delete(*, actor: User, competitor: Competitor) -> None:
    access.ensure_can(actor, "strategy.edit", competitor)
    _delete(competitor, actor=actor)


@transaction.atomic
def criterion_create(*, actor: User, product: Product, name: str) -> ComparisonCriterion:
    """Add a row to the product's competitor comparison. Raises PermissionDenied or ValidationError."""
    access.ensure_can(actor, "strategy.edit", product)
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Name the criterion, for example “Ease of setup”.")})
    if ComparisonCriterion.objects.filter(product=product, name__iexact=name).exists():
        raise ValidationError({"name": _("This criterion is already in the comparison.")})
    last = ComparisonCriterion.objects.filter(product=product).aggregate(models.Max("position"))["position__max"]
    return ComparisonCriterion.objects.create(
        product=product, workspace_id=product.workspace_id, created_by=actor, name=name,
        position=(last or 0) + 1,
    )


@transaction.atomic
def criterion_update(*, actor: User, criterion: ComparisonCriterion, name: str | None = None,
                     direction: str | None = None) -> ComparisonCriterion:
    """Rename a criterion, and/or move it one row "up" or "down" in the comparison (it swaps
    places with its neighbour). Raises PermissionDenied or ValidationError."""
    access.ensure_can(actor, "strategy.edit", criterion)
    if name is not None:
        name = name.strip()
        if not name:
            raise ValidationError({"name": _("Name the criterion, for example “Ease of setup”.")})
        clash = ComparisonCriterion.objects.filter(product_id=criterion.product_id, name__iexact=name).exclude(
            pk=criterion.pk)
        if clash.exists():
            raise ValidationError({"name": _("This criterion is already in the comparison.")})
        criterion.name = name
        criterion.save(update_fields=["name", "updated_at"])
    if direction is not None:
        if direction not in ("up", "down"):
            raise ValidationError({"direction": _("Move a criterion up or down.")})
        rows = list(ComparisonCriterion.objects.select_for_update().filter(product_id=criterion.product_id))
        index = next(i for i, row in enumerate(rows) if row.pk == criterion.pk)
        other = index - 1 if direction == "up" else index + 1
        if 0 <= other < len(rows):
            rows[index], rows[other] = rows[other], rows[index]
            for position, row in enumerate(rows, start=1):
                row.position = position
            ComparisonCriterion.objects.bulk_update(rows, ["position"])
            criterion.position = next(row.position for row in rows if row.pk == criterion.pk)
    return criterion


@transaction.atomic
def criterion_delete(*, actor: User, criterion: ComparisonCriterion) -> None:
    access.ensure_can(actor, "strategy.edit", criterion)
    criterion.delete()


@transaction.atomic
def comparison_rate(
    *, actor: User, product: Product, ratings: list[tuple[ComparisonCriterion, Competitor | None, int | None]]
) -> int:
    """Set the comparison's cells in one go: (criterion, competitor or None for the product
    itself, score 0–5 or None to clear). All or nothing. Returns how many cells were written.
    Raises PermissionDenied, or ValidationError naming the first bad cell."""
    access.ensure_can(actor, "strategy.edit", product)
    written = 0
    for criterion, competitor, score in ratings:
        if criterion.product_id != product.pk or (competitor is not None and competitor.product_id != product.pk):
            raise ValidationError(_("Every rating must belong to this product's comparison."))
        cell = {"criterion": criterion, "competitor": competitor}
        if score is None:
            CompetitorRating.objects.filter(**cell).delete()
            continue
        if not 0 <= score <= 5:
            raise ValidationError({"score": _("Ratings go from 0 to 5 (%(criterion)s).") % {"criterion": criterion}})
        CompetitorRating.objects.update_or_create(
            **cell, defaults={"score": score, "workspace_id": product.workspace_id, "created_by": actor},
        )
        written += 1
    return written


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
) -> Goal:
    """A company-wide goal (no product) or a product goal. Raises PermissionDenied or ValidationError."""
    access.ensure_can(actor, "strategy.edit", workspace)
    goal = Goal(workspace=workspace, created_by=actor)
    assign(goal, {"product": product, "name": name, "description": description, "owner": owner,
                   "start_date": start_date, "end_date": end_date}, GOAL_FIELDS)
    _save(goal, actor=actor, errors=_goal_errors(goal))
    return goal


@transaction.atomic
def goal_update(*, actor: User, goal: Goal, version: int | None = None, **changes) -> Goal:
    access.ensure_can(actor, "strategy.edit", goal)
    goal = _current(goal, version)
    assign(goal, changes, GOAL_FIELDS)
    _save(goal, actor=actor, errors=_goal_errors(goal))
    return goal


@transaction.atomic
def goal_delete(*, actor: User, goal: Goal) -> None:
    """Delete a goal with its key results and check-ins; initiatives stop serving it."""
    access.ensure_can(actor, "strategy.edit", goal)
    # One by one rather than by cascade, so each deletion and unlinking names its author.
    for key_result in goal.key_results.all():
        _delete(key_result, actor=actor)
    for initiative in goal.initiatives.all():
        record_author(initiative, actor)
        initiative.goals.remove(goal)
    _delete(goal, actor=actor)


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
    _save(key_result, actor=actor)
    CheckIn.objects.create(key_result=key_result, value=key_result.current_value, author=actor,
                           note=_("Starting value"))
    return key_result


@transaction.atomic
def key_result_update(*, actor: User, key_result: KeyResult, version: int | None = None, **changes) -> KeyResult:
    """Change a key result's definition. Its current value changes through check-ins only."""
    access.ensure_can(actor, "strategy.edit", key_result)
    key_result = _current(key_result, version)
    assign(key_result, changes, KEY_RESULT_FIELDS)
    _save(key_result, actor=actor)
    return key_result


@transaction.atomic
def key_result_delete(*, actor: User, key_result: KeyResult) -> None:
    access.ensure_can(actor, "strategy.edit", key_result)
    _delete(key_result, actor=actor)


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
    _save(initiative, actor=actor, errors=_initiative_goal_errors(initiative, goals))
    if goals:
        initiative.goals.set(goals)
    return initiative


@transaction.atomic
def initiative_update(
    *, actor: User, initiative: Initiative, version: int | None = None, goals=None, **changes
) -> Initiative:
    """Change fields and, when `goals` is given, the goals served. Raises PermissionDenied or ValidationError."""
    access.ensure_can(actor, "strategy.edit", initiative)
    initiative = _current(initiative, version)
    assign(initiative, changes, INITIATIVE_FIELDS)
    goals = list(goals) if goals is not None else None
    _save(initiative, actor=actor, errors=_initiative_goal_errors(initiative, goals))
    if goals is not None and set(goals) != set(initiative.goals.all()):
        record_author(initiative, actor)
        initiative.goals.set(goals)
    return initiative


@transaction.atomic
def initiative_delete(*, actor: User, initiative: Initiative) -> None:
    access.ensure_can(actor, "strategy.edit", initiative)
    _delete(initiative, actor=actor)

