"""Helpers the topic modules of `releases.services` share: a record's model validation
folded into the service's own errors, and a change to one feature checked and saved as a new
version (a workflow status retired, a release deleted and a bulk change all save features
this way)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from strategy.history import record_author
from strategy.limits import TAG_MAX_LENGTH, TAGS_MAX_COUNT, too_many_message
from strategy.models import Membership, User
from strategy.selectors import product_lineage_ids
from strategy.services.records import assign

from .. import metrics
from ..models import Feature

FEATURE_FIELDS = (
    "title", "description", "status", "release", "initiative", "estimate", "start_date", "end_date",
    "assignee", "tags", "reach", "impact", "confidence", "effort", "usage_key", "customer_description",
    "in_release_notes", "external_id", "external_url",
)


def full_clean(instance: models.Model, errors: dict, exclude: list[str]) -> None:
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, messages)
    if errors:
        raise ValidationError(errors)


def _feature_errors(feature: Feature, goals, previous_status_id: int | None,
                    previous_assignee_id: int | None, member_ids: set[int] | None = None) -> dict:
    errors: dict = {}
    if feature.release is not None and feature.release.product_id != feature.product_id:
        errors["release"] = _("Choose a release of %(product)s.") % {"product": feature.product.name}
    if feature.status is not None and feature.status.workspace_id != feature.workspace_id:
        errors["status"] = _("Choose a status of this workspace's workflow.")
    elif feature.status is not None and feature.status.retired_at and previous_status_id != feature.status_id:
        errors["status"] = _("%(name)s is retired; choose an active status.") % {"name": feature.status.name}
    lineage = product_lineage_ids(feature.product)
    if feature.initiative is not None and feature.initiative.product_id not in lineage:
        errors["initiative"] = _("Choose an initiative of %(product)s or its product line.") % {
            "product": feature.product.name}
    if goals is not None and any(goal.workspace_id != feature.workspace_id
                                 or (goal.product_id is not None and goal.product_id not in lineage)
                                 for goal in goals):
        errors["goals"] = _("A feature can serve company-wide goals and goals of its product or product line.")
    # Someone who left may stay assigned until the assignee changes; that blocks no other edit.
    if feature.assignee_id and feature.assignee_id != previous_assignee_id and not (
            feature.assignee_id in member_ids if member_ids is not None else Membership.objects.filter(
                workspace_id=feature.workspace_id, user_id=feature.assignee_id).exists()):
        errors["assignee"] = _("The assignee must be a member of this workspace.")
    release, start, end = feature.release, feature.start_date, feature.end_date
    # With one date inherited from the release, the two must still be in order.
    if release is not None and start and not end and start > release.release_date:
        errors["start_date"] = _("This start is after the release date the feature ends on; set an end date.")
    if release is not None and end and not start and end < release.start_date:
        errors["end_date"] = _("This end is before the release starts, when the feature begins; set a start date.")
    feature.usage_key = (feature.usage_key or "").strip().lower()
    if feature.usage_key and Feature.objects.filter(product_id=feature.product_id, usage_key=feature.usage_key).exclude(
            pk=feature.pk).exists():
        errors["usage_key"] = _("Another feature of %(product)s already has the usage key %(key)s.") % {
            "product": feature.product.name, "key": feature.usage_key}
    feature.tags = sorted({tag.strip().lower() for tag in (feature.tags or []) if tag and tag.strip()})
    if any(len(tag) > TAG_MAX_LENGTH for tag in feature.tags):
        errors["tags"] = _("Keep each tag to %(limit)d characters.") % {"limit": TAG_MAX_LENGTH}
    elif len(feature.tags) > TAGS_MAX_COUNT:
        errors["tags"] = too_many_message(TAGS_MAX_COUNT, _("tags"))
    return errors


def prepare_feature(feature: Feature, goals, previous_status_id: int | None = None,
                    previous_assignee_id: int | None = None, member_ids: set[int] | None = None) -> None:
    """Check `feature` before a save and compute its RICE score. `member_ids` (the members of its
    workspace, read once by a caller that prepares many features) saves a query per assignee."""
    errors = _feature_errors(feature, goals, previous_status_id, previous_assignee_id, member_ids)
    full_clean(feature, errors, exclude=["workspace", "product", "number", "rank", "created_by", "updated_by",
                                         "rice_score", "status", "release", "initiative", "assignee"])
    feature.rice_score = metrics.rice_score(reach=feature.reach, impact=feature.impact,
                                            confidence=feature.confidence, effort=feature.effort)


def save_feature_change(feature: Feature, actor: User, changes: dict) -> Feature:
    """Apply already-permitted changes to one feature as a new version, naming `actor`."""
    previous_status_id, previous_assignee_id = feature.status_id, feature.assignee_id
    assign(feature, changes, FEATURE_FIELDS)
    prepare_feature(feature, None, previous_status_id, previous_assignee_id)
    feature.version += 1
    feature.updated_by = actor
    record_author(feature, actor)
    feature.save()
    return feature
