"""Write operations for a product's positioning: vision, personas, competitors and their
comparison.

Invariants protected here:
- every record belongs to the workspace of its product, and links stay inside it: a rating's
  competitor;
- a record edited from a stale copy is refused, naming who changed what since (optimistic
  locking on `version`), and every saved vision is kept as a version that can be restored;
- every change names its author in the record's history.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import access
from ..history import version_ahead_error
from ..models import (
    ComparisonCriterion,
    Competitor,
    CompetitorRating,
    Persona,
    Product,
    User,
    Vision,
)
from .records import assign, current_record, delete_record, save_record

PERSONA_FIELDS = ("name", "role", "description", "goals", "pains", "quote", "colour", "importance", "external_id",
                  "external_url")
COMPETITOR_FIELDS = ("name", "website", "positioning", "strengths", "weaknesses", "pricing_notes", "threat",
                     "external_id", "external_url")


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
    save_record(vision, actor=actor)
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
    save_record(vision, actor=actor)
    return vision


# --- personas ---------------------------------------------------------------


@transaction.atomic
def persona_create(*, actor: User, product: Product, **fields) -> Persona:
    """Raises PermissionDenied or ValidationError."""
    access.ensure_can(actor, "strategy.edit", product)
    persona = Persona(product=product, workspace_id=product.workspace_id, created_by=actor)
    assign(persona, fields, PERSONA_FIELDS)
    save_record(persona, actor=actor)
    return persona


@transaction.atomic
def persona_update(*, actor: User, persona: Persona, version: int | None = None, **changes) -> Persona:
    access.ensure_can(actor, "strategy.edit", persona)
    persona = current_record(persona, version)
    assign(persona, changes, PERSONA_FIELDS)
    save_record(persona, actor=actor)
    return persona


@transaction.atomic
def persona_delete(*, actor: User, persona: Persona) -> None:
    access.ensure_can(actor, "strategy.edit", persona)
    delete_record(persona, actor=actor)


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
    save_record(competitor, actor=actor, errors=_competitor_name_error(competitor))
    return competitor


@transaction.atomic
def competitor_update(*, actor: User, competitor: Competitor, version: int | None = None, **changes) -> Competitor:
    access.ensure_can(actor, "strategy.edit", competitor)
    competitor = current_record(competitor, version)
    assign(competitor, changes, COMPETITOR_FIELDS)
    save_record(competitor, actor=actor, errors=_competitor_name_error(competitor))
    return competitor


@transaction.atomic
def competitor_delete(*, actor: User, competitor: Competitor) -> None:
    access.ensure_can(actor, "strategy.edit", competitor)
    delete_record(competitor, actor=actor)


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
