"""Write operations for workflow statuses, releases, milestones and features.

Invariants protected here:
- a feature's release belongs to the feature's product; its initiative and goals to its workspace;
  its assignee is a member; its dependencies stay inside its workspace and never form a cycle
  (a refused cycle is named: MOB-1 → MOB-2 → MOB-1);
- a feature's key (product key + number) is never reused within the product, even after a delete;
- features enter only active statuses (those already in a retired one may stay there);
- moving a feature in the backlog rewrites one rank (fractional ranks), except for the
  occasional rebalancing of a product's ranks when one grows too long;
- the RICE score is stored, recomputed on every save from its parts;
- a release or feature saved from a stale copy is refused, naming who changed what since;
- bulk changes are all or nothing; retiring a status keeps (or moves) its features;
- every service that writes features sends `signals.features_changed` once, after commit,
  with all their ids (see releases/signals.py); `feature_demand_set` is the one exception;
- a member mentioned in a comment is emailed once: when the comment commits, or by the
  sweep if the broker was down then.
"""

from __future__ import annotations

import re
from collections import defaultdict, deque
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mass_mail
from django.db import models, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from strategy import access
from strategy.background import queue_after_commit
from strategy.history import record_author, stale_edit_error
from strategy.limits import (
    COMMENT_MAX_LENGTH,
    MILESTONES_MAX_COUNT,
    REQUIREMENTS_MAX_COUNT,
    TAG_MAX_LENGTH,
    TAGS_MAX_COUNT,
    too_many_message,
)
from strategy.models import Membership, Product, User, Workspace
from strategy.selectors import product_lineage_ids
from strategy.services.records import assign

from . import metrics, ranking, tasks
from .models import (
    Comment,
    Dependency,
    Feature,
    Mention,
    Milestone,
    Release,
    Requirement,
    StatusCategory,
    WorkflowStatus,
)
from .signals import send_features_changed

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
RELEASE_FIELDS = ("name", "version_label", "theme", "start_date", "release_date", "status", "capacity")
MILESTONE_FIELDS = ("name", "date", "description")
FEATURE_FIELDS = (
    "title", "description", "status", "release", "initiative", "estimate", "start_date", "end_date",
    "assignee", "tags", "reach", "impact", "confidence", "effort",
)
UNSET = object()


def _full_clean(instance: models.Model, errors: dict, exclude: list[str]) -> None:
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, messages)
    if errors:
        raise ValidationError(errors)


# --- workflow ---------------------------------------------------------------


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
    _full_clean(status, _status_name_error(status), exclude=["workspace"])
    status.save()
    return status


@transaction.atomic
def workflow_status_update(*, actor: User, status: WorkflowStatus, **changes) -> WorkflowStatus:
    """Rename a status or change its category; its features follow. Admins only."""
    access.ensure_can(actor, "workspace.manage", status)
    assign(status, changes, ("name", "category"))
    _full_clean(status, _status_name_error(status), exclude=["workspace"])
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
            _save_feature_change(feature, actor, {"status": move_to})
        moved = len(features)
        send_features_changed(features)
    status.retired_at = timezone.now()
    status.save(update_fields=["retired_at", "updated_at"])
    return moved


def _open_statuses(workspace_id: int) -> list[WorkflowStatus]:
    statuses = list(WorkflowStatus.objects.filter(workspace_id=workspace_id, retired_at__isnull=True))
    if not statuses:
        statuses = [s for s in workflow_defaults_create(workspace=Workspace(pk=workspace_id)) if not s.retired_at]
    return statuses


# --- releases and milestones ------------------------------------------------


@transaction.atomic
def release_create(*, actor: User, product: Product, **fields) -> Release:
    """Raises PermissionDenied or ValidationError (e.g. a release date before the start date)."""
    access.ensure_can(actor, "releases.edit", product)
    release = Release(product=product, workspace_id=product.workspace_id, created_by=actor)
    assign(release, fields, RELEASE_FIELDS)
    _full_clean(release, {}, exclude=["workspace", "product", "created_by"])
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
    assign(current, changes, RELEASE_FIELDS)
    _full_clean(current, {}, exclude=["workspace", "product", "created_by"])
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
        _save_feature_change(feature, actor, {"release": None})
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
    _full_clean(milestone, {}, exclude=["release"])
    milestone.save()
    return milestone


@transaction.atomic
def milestone_update(*, actor: User, milestone: Milestone, **changes) -> Milestone:
    access.ensure_can(actor, "releases.edit", milestone.release)
    assign(milestone, changes, MILESTONE_FIELDS)
    _full_clean(milestone, {}, exclude=["release"])
    milestone.save()
    return milestone


@transaction.atomic
def milestone_delete(*, actor: User, milestone: Milestone) -> None:
    access.ensure_can(actor, "releases.edit", milestone.release)
    milestone.delete()


# --- features ---------------------------------------------------------------


def _feature_errors(feature: Feature, goals, previous_status_id: int | None,
                    previous_assignee_id: int | None) -> dict:
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
    if feature.assignee_id and feature.assignee_id != previous_assignee_id and not Membership.objects.filter(
            workspace_id=feature.workspace_id, user_id=feature.assignee_id).exists():
        errors["assignee"] = _("The assignee must be a member of this workspace.")
    release, start, end = feature.release, feature.start_date, feature.end_date
    # With one date inherited from the release, the two must still be in order.
    if release is not None and start and not end and start > release.release_date:
        errors["start_date"] = _("This start is after the release date the feature ends on; set an end date.")
    if release is not None and end and not start and end < release.start_date:
        errors["end_date"] = _("This end is before the release starts, when the feature begins; set a start date.")
    feature.tags = sorted({tag.strip().lower() for tag in (feature.tags or []) if tag and tag.strip()})
    if any(len(tag) > TAG_MAX_LENGTH for tag in feature.tags):
        errors["tags"] = _("Keep each tag to %(limit)d characters.") % {"limit": TAG_MAX_LENGTH}
    elif len(feature.tags) > TAGS_MAX_COUNT:
        errors["tags"] = too_many_message(TAGS_MAX_COUNT, _("tags"))
    return errors


def _prepare_feature(feature: Feature, goals, previous_status_id: int | None = None,
                     previous_assignee_id: int | None = None) -> None:
    errors = _feature_errors(feature, goals, previous_status_id, previous_assignee_id)
    _full_clean(feature, errors, exclude=["workspace", "product", "number", "rank", "created_by", "updated_by",
                                          "rice_score", "status", "release", "initiative", "assignee"])
    feature.rice_score = metrics.rice_score(reach=feature.reach, impact=feature.impact,
                                            confidence=feature.confidence, effort=feature.effort)


def _save_feature_change(feature: Feature, actor: User, changes: dict) -> Feature:
    """Apply already-permitted changes to one feature as a new version, naming `actor`."""
    previous_status_id, previous_assignee_id = feature.status_id, feature.assignee_id
    assign(feature, changes, FEATURE_FIELDS)
    _prepare_feature(feature, None, previous_status_id, previous_assignee_id)
    feature.version += 1
    feature.updated_by = actor
    record_author(feature, actor)
    feature.save()
    return feature


@transaction.atomic
def feature_create(*, actor: User, product: Product, title: str, goals=(), **fields) -> Feature:
    """Add a feature at the bottom of the product's backlog, with the next key (MOB-43).
    Without a status it starts in the workflow's first one. Raises PermissionDenied or ValidationError."""
    access.ensure_can(actor, "releases.edit", product)
    # Lock the product row so two creations cannot take the same number.
    Product.objects.select_for_update().filter(pk=product.pk).first()
    last = Feature.objects.filter(product=product).aggregate(number=Max("number"), rank=Max("rank"))
    # Deleted features keep their keys: count them in through the history.
    last_ever = Feature.history.filter(product_id=product.pk).aggregate(number=Max("number"))["number"]
    number = max(last["number"] or 0, last_ever or 0) + 1
    feature = Feature(product=product, workspace_id=product.workspace_id, created_by=actor, updated_by=actor,
                      number=number, rank=ranking.rank_between(last["rank"], None))
    if "status" not in fields:
        fields["status"] = _open_statuses(product.workspace_id)[0]
    assign(feature, {"title": title, **fields}, FEATURE_FIELDS)
    goals = list(goals)
    _prepare_feature(feature, goals)
    record_author(feature, actor)
    feature.save()
    if goals:
        feature.goals.set(goals)
    send_features_changed([feature])
    return feature


@transaction.atomic
def feature_update(*, actor: User, feature: Feature, version: int | None = None, goals=None, **changes) -> Feature:
    """Change a feature. `version` is the version the editor started from: a save over someone
    else's newer one is refused with who changed what. Raises PermissionDenied or ValidationError."""
    access.ensure_can(actor, "releases.edit", feature)
    current = Feature.objects.select_for_update(of=("self",)).select_related("product").get(pk=feature.pk)
    if version is not None and current.version != version:
        raise stale_edit_error(current, version)
    previous_status_id, previous_assignee_id = current.status_id, current.assignee_id
    assign(current, changes, FEATURE_FIELDS)
    goals = list(goals) if goals is not None else None
    _prepare_feature(current, goals, previous_status_id, previous_assignee_id)
    current.version += 1
    current.updated_by = actor
    record_author(current, actor)
    current.save()
    if goals is not None and set(goals) != set(current.goals.all()):
        record_author(current, actor)
        current.goals.set(goals)
    send_features_changed([current])
    return current


@transaction.atomic
def feature_delete(*, actor: User, feature: Feature) -> None:
    access.ensure_can(actor, "releases.edit", feature)
    send_features_changed([feature])  # before the delete clears the id
    record_author(feature, actor)
    feature.delete()


@transaction.atomic
def feature_move(*, actor: User, feature: Feature, after: Feature | None = None,
                 before: Feature | None = None) -> Feature:
    """Place `feature` between `after` (above it) and `before` (below it) in its product's
    backlog; either may be None for the top or the bottom. Writes one row, except when the
    product's ranks are rebalanced. Raises PermissionDenied or ValidationError."""
    access.ensure_can(actor, "releases.edit", feature)
    if after is None and before is None:
        raise ValidationError(_("Say where to move the feature: after one feature, before one, or between two."))
    if after is not None and before is not None and after.pk == before.pk:
        raise ValidationError(_("A feature cannot go both before and after the same feature."))
    for neighbour in (after, before):
        if neighbour is not None and (neighbour.product_id != feature.product_id or neighbour.pk == feature.pk):
            raise ValidationError(_("Move a feature next to another feature of the same product."))
    # Moves and creations in one backlog take turns on the product row: two drops into the
    # same gap would otherwise read the same neighbours and both take the rank between them,
    # and a rebalance could renumber the neighbours between reading them and writing.
    Product.objects.select_for_update().filter(pk=feature.product_id).first()
    ids = [n.pk for n in (after, before) if n is not None]
    ranks = dict(Feature.objects.filter(pk__in=ids).values_list("pk", "rank"))
    low = ranks[after.pk] if after else None
    high = ranks[before.pk] if before else None
    if low is not None and high is not None and low > high:
        low, high = high, low
    if low is not None and low == high:
        _rebalance(feature.product_id)
        ranks = dict(Feature.objects.filter(pk__in=ids).values_list("pk", "rank"))
        low, high = sorted((ranks[after.pk], ranks[before.pk]))
    low, high = _nearest_gap(feature, low, high)
    rank = ranking.rank_between(low, high)
    Feature.objects.filter(pk=feature.pk).update(rank=rank)
    feature.rank = rank
    if ranking.needs_rebalance(rank):
        _rebalance(feature.product_id)
        feature.rank = Feature.objects.values_list("rank", flat=True).get(pk=feature.pk)
    # A rebalance rewrites the other ranks but not their order: only this feature moved.
    send_features_changed([feature])
    return feature


def _nearest_gap(feature: Feature, low: str | None, high: str | None) -> tuple[str | None, str | None]:
    """The gap right after `low` (right before `high` when moving to the top). The client's
    neighbours may have been read before another feature was dropped between them; taking
    their midpoint again would give both the same rank."""
    others = Feature.objects.filter(product_id=feature.product_id).exclude(pk=feature.pk)
    if low is not None:
        between = others.filter(rank__gt=low, **({"rank__lt": high} if high is not None else {}))
        return low, between.order_by("rank").values_list("rank", flat=True).first() or high
    between = others.filter(rank__lt=high)
    return between.order_by("-rank").values_list("rank", flat=True).first(), high


def _rebalance(product_id: int) -> None:
    """Give every feature of the product a fresh, short rank, keeping the order."""
    features = list(Feature.objects.select_for_update().filter(product_id=product_id).order_by("rank", "id")
                    .only("id", "rank"))
    for feature, rank in zip(features, ranking.spread(len(features)), strict=True):
        feature.rank = rank
    Feature.objects.bulk_update(features, ["rank"], batch_size=1000)


@transaction.atomic
def feature_bulk_update(*, actor: User, features: list[Feature], release=UNSET, status=UNSET,
                        initiative=UNSET, add_tag: str | None = None) -> int:
    """Apply the same change to many features of one workspace, all or nothing: the first
    feature that refuses it refuses the whole batch, naming it. Returns how many changed."""
    changes = {name: value for name, value in
               (("release", release), ("status", status), ("initiative", initiative)) if value is not UNSET}
    if not features or not (changes or add_tag):
        raise ValidationError(_("Choose features and a change to apply."))
    for feature in features:
        access.ensure_can(actor, "releases.edit", feature)
    locked = {f.pk: f for f in Feature.objects.select_for_update(of=("self",)).select_related("product")
              .filter(pk__in=[f.pk for f in features])}
    for feature in features:
        current = locked[feature.pk]
        feature_changes = dict(changes)
        if add_tag:
            feature_changes["tags"] = [*current.tags, add_tag]
        try:
            _save_feature_change(current, actor, feature_changes)
        except ValidationError as exc:
            raise ValidationError(
                _("%(key)s: %(reason)s Nothing was changed.") % {"key": current.key, "reason": " ".join(exc.messages)}
            ) from exc
    send_features_changed(locked.values())
    return len(features)


def feature_demand_set(*, values: dict[int, Decimal]) -> int:
    """Store each feature's demand ({feature id: demand}) in one statement; ids of features
    deleted meanwhile are skipped. Returns how many features were written. Called by the app
    that owns the number (feedback's weighted demand from ideas and votes, recomputed in its
    tasks), so there is no actor. Sends no `features_changed`: its caller listens to that
    signal, and demand is not an edit of the feature (no new version, no history).
    Raises ValidationError for a negative or malformed demand, writing nothing."""
    if not values:
        return 0
    field = Feature._meta.get_field("demand")
    cleaned: dict[int, Decimal] = {}
    for feature_id, value in values.items():
        try:
            cleaned[int(feature_id)] = field.clean(value, None)
        except (TypeError, ValueError, ValidationError) as exc:
            raise ValidationError({"values": _("Demand of feature %(id)s is not a number within limits.") % {
                "id": feature_id}}) from exc
        if cleaned[int(feature_id)] < 0:
            raise ValidationError({"values": _("Demand cannot be negative (feature %(id)s).") % {"id": feature_id}})
    with transaction.atomic():
        existing = set(Feature.objects.filter(pk__in=cleaned).values_list("pk", flat=True))
        features = [Feature(pk=pk, demand=demand) for pk, demand in cleaned.items() if pk in existing]
        Feature.objects.bulk_update(features, ["demand"], batch_size=1000)
    return len(features)


# --- requirements, dependencies and comments --------------------------------


@transaction.atomic
def requirement_create(*, actor: User, feature: Feature, text: str) -> Requirement:
    access.ensure_can(actor, "releases.edit", feature)
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Write the requirement.")})
    if feature.requirements.count() >= REQUIREMENTS_MAX_COUNT:
        raise ValidationError(too_many_message(REQUIREMENTS_MAX_COUNT, _("requirements per feature")))
    last = feature.requirements.aggregate(Max("position"))["position__max"] or 0
    requirement = Requirement.objects.create(feature=feature, text=text[:300], position=last + 1)
    send_features_changed([feature])
    return requirement


@transaction.atomic
def requirement_update(*, actor: User, requirement: Requirement, **changes) -> Requirement:
    """Tick a requirement off (`done`) or reword it (`text`)."""
    access.ensure_can(actor, "releases.edit", requirement.feature)
    assign(requirement, changes, ("text", "done"))
    if not requirement.text:
        raise ValidationError({"text": _("Write the requirement.")})
    requirement.save()
    send_features_changed([requirement.feature])
    return requirement


@transaction.atomic
def requirement_delete(*, actor: User, requirement: Requirement) -> None:
    access.ensure_can(actor, "releases.edit", requirement.feature)
    send_features_changed([requirement.feature])
    requirement.delete()


def _path(edges: dict[int, list[int]], start: int, goal: int) -> list[int] | None:
    """A path start → … → goal following `edges`, or None (breadth first)."""
    came_from = {start: None}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        if node == goal:
            path = []
            while node is not None:
                path.append(node)
                node = came_from[node]
            return list(reversed(path))
        for nxt in edges.get(node, ()):
            if nxt not in came_from:
                came_from[nxt] = node
                queue.append(nxt)
    return None


@transaction.atomic
def dependency_add(*, actor: User, feature: Feature, depends_on: Feature) -> Dependency:
    """Record that `feature` depends on `depends_on`. Raises ValidationError for a feature of
    another workspace, itself, a duplicate, or a cycle (naming it: MOB-1 → MOB-2 → MOB-1)."""
    access.ensure_can(actor, "releases.edit", feature)
    if depends_on.workspace_id != feature.workspace_id:
        raise ValidationError({"depends_on": _("A feature can only depend on features of its own workspace.")})
    if depends_on.pk == feature.pk:
        raise ValidationError({"depends_on": _("A feature cannot depend on itself.")})
    if Dependency.objects.filter(feature=feature, depends_on=depends_on).exists():
        raise ValidationError({"depends_on": _("%(feature)s already depends on %(other)s.") % {
            "feature": feature.key, "other": depends_on.key}})
    # Lock the workspace's dependency graph while checking it, so two additions cannot close a cycle together.
    Workspace.objects.select_for_update().filter(pk=feature.workspace_id).first()
    edges: dict[int, list[int]] = defaultdict(list)
    for source, target in Dependency.objects.filter(feature__workspace_id=feature.workspace_id).values_list(
            "feature_id", "depends_on_id"):
        edges[source].append(target)
    cycle = _path(edges, depends_on.pk, feature.pk)
    if cycle is not None:
        keys = dict(Feature.objects.filter(pk__in=cycle).select_related("product").values_list(
            "pk", "product__key"))
        numbers = dict(Feature.objects.filter(pk__in=cycle).values_list("pk", "number"))
        names = [f"{keys[pk]}-{numbers[pk]}" for pk in [feature.pk, *cycle]]
        raise ValidationError({"depends_on": _("That would make a cycle: %(cycle)s.") % {
            "cycle": " → ".join(names)}})
    dependency = Dependency.objects.create(feature=feature, depends_on=depends_on)
    send_features_changed([feature, depends_on])  # both pages and both features' conflicts change
    return dependency


@transaction.atomic
def dependency_remove(*, actor: User, dependency: Dependency) -> None:
    access.ensure_can(actor, "releases.edit", dependency.feature)
    send_features_changed([dependency.feature, dependency.depends_on])
    dependency.delete()


MENTION = re.compile(r"(?<![\w@])@([\w.+-]+(?:@[\w-]+(?:\.[\w-]+)+)?)")


def mentioned_members(*, workspace_id: int, body: str) -> list[User]:
    """Members named in `body` as @email or @the-part-before-the-@ of their email."""
    handles = {handle.lower().rstrip(".") for handle in MENTION.findall(body)}
    if not handles:
        return []
    members = User.objects.filter(memberships__workspace_id=workspace_id)
    return [user for user in members
            if user.email.lower() in handles or user.email.lower().split("@")[0] in handles]


@transaction.atomic
def comment_create(*, actor: User, feature: Feature, body: str) -> Comment:
    """Comment on a feature; members @mentioned get an email. Viewers may comment too."""
    access.ensure_can(actor, "releases.comment", feature)
    body = body.replace("\r\n", "\n").strip()
    if not body:
        raise ValidationError({"body": _("Write a comment.")})
    if len(body) > COMMENT_MAX_LENGTH:
        raise ValidationError({"body": _("Keep a comment to %(limit)d characters.") % {"limit": COMMENT_MAX_LENGTH}})
    comment = Comment.objects.create(feature=feature, author=actor, body=body)
    mentioned = [user for user in mentioned_members(workspace_id=feature.workspace_id, body=body)
                 if user.pk != actor.pk]
    if mentioned:
        comment.mentions.set(mentioned)
        # One task per person, so a retry after a mail server hiccup never emails anyone twice.
        for user in mentioned:
            queue_after_commit(tasks.comment_mention_email_task, comment.pk, user.pk)
    return comment


def comment_mention_email_send(*, comment_id: int, user_id: int | None = None) -> int:
    """Email the members mentioned in the comment who have not been told yet (only `user_id`,
    when given) and mark them told. Returns how many were sent; a deleted comment sends
    nothing, and a second call for the same people sends nothing either."""
    with transaction.atomic():
        pending = (Mention.objects.select_for_update(skip_locked=True, of=("self",))
                   .filter(comment_id=comment_id, emailed_at__isnull=True).select_related("user"))
        if user_id is not None:
            pending = pending.filter(user_id=user_id)
        mentions = list(pending)
        if not mentions:
            return 0
        comment = Comment.objects.select_related("feature__product__workspace", "author").get(pk=comment_id)
        feature = comment.feature
        url = settings.SITE_URL + reverse("feature_detail", args=[
            feature.product.workspace.slug, feature.product.key, feature.number])
        author = comment.author.display_name if comment.author else _("Someone")
        subject = _("%(author)s mentioned you on %(key)s %(title)s") % {
            "author": author, "key": feature.key, "title": feature.title}
        subject = " ".join(subject.split())  # a header must stay on one line
        body = f"{author}:\n\n{comment.body}\n\n{url}\n"
        # A failed send raises and rolls back, so the mentions stay unsent for the retry.
        sent = send_mass_mail([(subject, body, None, [mention.user.email]) for mention in mentions])
        Mention.objects.filter(pk__in=[mention.pk for mention in mentions]).update(emailed_at=timezone.now())
    return sent


# A queued email gets this long to go out before the sweep queues it again; after the
# second span, telling someone about a comment no longer helps.
MENTION_SWEEP_AFTER = timedelta(minutes=5)
MENTION_SWEEP_WITHIN = timedelta(days=2)


def mention_emails_sweep(*, now: datetime | None = None) -> int:
    """Queue the mention emails nobody has sent yet: those whose task could not be queued
    (broker down when the comment was saved) or was lost. Returns how many were queued."""
    now = now or timezone.now()
    pending = list(Mention.objects.filter(
        emailed_at__isnull=True,
        comment__created_at__lt=now - MENTION_SWEEP_AFTER,
        comment__created_at__gte=now - MENTION_SWEEP_WITHIN,
    ).values_list("comment_id", "user_id"))
    for comment_id, user_id in pending:
        queue_after_commit(tasks.comment_mention_email_task, comment_id, user_id)
    return len(pending)
