"""Write operations for releases and their milestones.

Invariants protected here:
- a release's dates are in order; a release has a bounded number of milestones;
- a release saved from a stale copy is refused, naming who changed what since;
- deleting a release keeps its features, unscheduled;
- a release's launch to-dos follow its date and close when it is cancelled (services.launch)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from strategy import access
from strategy.history import record_author, stale_edit_error
from strategy.limits import MILESTONES_MAX_COUNT, too_many_message
from strategy.models import Product, User
from strategy.services.records import assign

from ..models import Feature, Milestone, Release
from ..signals import send_features_changed
from . import launch
from .records import full_clean, save_feature_change

RELEASE_FIELDS = ("name", "version_label", "theme", "start_date", "release_date", "status", "capacity",
                  "external_id", "external_url")
MILESTONE_FIELDS = ("name", "date", "description")


@transaction.atomic
def release_create(*, actor: User, product: Product, **fields) -> Release:
    """Raises PermissionDenied or ValidationError (e.g. a release date before the start date)."""
    access.ensure_can(actor, "releases.edit", product)
    release = Release(product=product, workspace_id=product.workspace_id, created_by=actor)
    assign(release, fields, RELEASE_FIELDS)
    full_clean(release, {}, exclude=["workspace", "product", "created_by"])
    record_author(release, actor)
    release.save()
    return release


@transaction.atomic
def release_update(*, actor: User, release: Release, version: int | None = None, **changes) -> Release:
    """Raises PermissionDenied, or ValidationError (code "stale" when someone saved since `version`)."""
    access.ensure_can(actor, "releases.edit", release)
    current = Release.objects.select_for_update().get(pk=release.pk)
    if version is not None and current.version != version:
        raise stale_edit_error(current, version)
    previous_status = current.status
    assign(current, changes, RELEASE_FIELDS)
    full_clean(current, {}, exclude=["workspace", "product", "created_by"])
    # Launch to-dos due relative to the release move with it, and close if it is cancelled.
    launch.todos_follow_release(release=current, previous_status=previous_status)
    current.version += 1
    record_author(current, actor)
    current.save()
    return current


@transaction.atomic
def release_delete(*, actor: User, release: Release) -> None:
    """Delete a release; its features stay, unscheduled."""
    access.ensure_can(actor, "releases.edit", release)
    features = list(Feature.objects.select_for_update(of=("self",)).select_related("product").filter(release=release))
    for feature in features:
        save_feature_change(feature, actor, {"release": None})
    send_features_changed(features)
    record_author(release, actor)
    release.delete()


@transaction.atomic
def milestone_create(*, actor: User, release: Release, **fields) -> Milestone:
    access.ensure_can(actor, "releases.edit", release)
    if release.milestones.count() >= MILESTONES_MAX_COUNT:
        raise ValidationError(too_many_message(MILESTONES_MAX_COUNT, _("milestones per release")))
    milestone = Milestone(release=release)
    assign(milestone, fields, MILESTONE_FIELDS)
    full_clean(milestone, {}, exclude=["release"])
    milestone.save()
    return milestone


@transaction.atomic
def milestone_update(*, actor: User, milestone: Milestone, **changes) -> Milestone:
    access.ensure_can(actor, "releases.edit", milestone.release)
    assign(milestone, changes, MILESTONE_FIELDS)
    full_clean(milestone, {}, exclude=["release"])
    milestone.save()
    return milestone


@transaction.atomic
def milestone_delete(*, actor: User, milestone: Milestone) -> None:
    access.ensure_can(actor, "releases.edit", milestone.release)
    milestone.delete()
