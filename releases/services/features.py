"""Write operations for features, their requirements, dependencies and comments, and the
demand another app computes for them.

Invariants protected here:
- a feature's release belongs to the feature's product; its initiative and goals to its workspace;
  its assignee is a member; its dependencies stay inside its workspace and never form a cycle
  (a refused cycle is named: MOB-1 → MOB-2 → MOB-1);
- a feature's key (product key + number) is never reused within the product, even after a delete;
- features enter only active statuses (those already in a retired one may stay there);
- the RICE score is stored, recomputed on every save from its parts;
- a feature saved from a stale copy is refused, naming who changed what since;
- a member mentioned in a comment is emailed once: when the comment commits, or by the
  sweep if the broker was down then."""

from __future__ import annotations

import re
from collections import defaultdict, deque
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import get_connection
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from strategy import access
from strategy.background import queue_after_commit
from strategy.history import bulk_save_with_history, record_author, stale_edit_error
from strategy.limits import COMMENT_MAX_LENGTH, REQUIREMENTS_MAX_COUNT, too_many_message
from strategy.models import Membership, Product, User, Workspace
from strategy.services.records import assign

from .. import ranking, tasks
from ..models import (
    Comment,
    Dependency,
    EmailChoice,
    Feature,
    Mention,
    Notification,
    NotificationKind,
    NotificationSettings,
    Requirement,
    WorkflowStatus,
)
from ..signals import send_features_changed
from . import notifications
from .records import FEATURE_FIELDS, prepare_feature
from .workflow import workflow_defaults_create


def _open_statuses(workspace_id: int) -> list[WorkflowStatus]:
    statuses = list(WorkflowStatus.objects.filter(workspace_id=workspace_id, retired_at__isnull=True))
    if not statuses:
        statuses = [s for s in workflow_defaults_create(workspace=Workspace(pk=workspace_id)) if not s.retired_at]
    return statuses


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
    prepare_feature(feature, goals)
    record_author(feature, actor)
    feature.save()
    if goals:
        feature.goals.set(goals)
    notifications.notify_feature_changes(actor=actor, changes=[notifications.FeatureChange(feature, None, None)])
    send_features_changed([feature])
    return feature


def _external_ids_taken(products: dict[int, Product], wanted: set[str]) -> set[str]:
    if not wanted:
        return set()
    workspace_ids = {product.workspace_id for product in products.values()}
    return set(Feature.objects.filter(workspace_id__in=workspace_ids, external_id__in=wanted)
               .values_list("external_id", flat=True))


@transaction.atomic
def feature_bulk_upsert(
    *, actor: User, items: list[tuple[Feature | None, dict]],
) -> list[tuple[Feature, str] | ValidationError]:
    """Create (record None) or change each feature with its changes, by the rules of
    `feature_create` and `feature_update` (`prepare_feature`), written in batches: the rows and
    their history rows with a few statements per batch rather than per feature, and one
    `features_changed` for them all. The changes of an update hold only what differs (the
    caller leaves out an unchanged feature); external ids are unique among the items and the
    caller has checked them against the stored ones. One answer per item: (feature, "created"
    or "updated"), or the ValidationError that kept it from being written (the others are
    written all the same; the caller rolls back for all-or-nothing). Raises PermissionDenied
    when `actor` may not edit a product named."""
    products: dict[int, Product] = {}
    for record, data in items:
        product = record.product if record is not None else data.get("product")
        if product is not None:
            products.setdefault(product.pk, product)
    for product in products.values():
        access.ensure_can(actor, "releases.edit", product)
    # Lock the products so that concurrent creations cannot take the same numbers.
    list(Product.objects.select_for_update().filter(pk__in=list(products)).values_list("pk", flat=True))
    last = {row["product_id"]: row for row in Feature.objects.filter(product_id__in=list(products))
            .values("product_id").annotate(number=Max("number"), rank=Max("rank"))}
    last_ever = dict(Feature.history.filter(product_id__in=list(products)).values("product_id")
                     .annotate(number=Max("number")).values_list("product_id", "number"))
    numbers = {pk: max((last.get(pk) or {}).get("number") or 0, last_ever.get(pk) or 0) for pk in products}
    ranks = {pk: (last.get(pk) or {}).get("rank") for pk in products}
    # The caller read the stored external ids before this lock: another import may have created
    # some of the new ones meanwhile (the constraint would fail the whole write).
    wanted = {str(data.get("external_id") or "") for record, data in items if record is None} - {""}
    taken = _external_ids_taken(products, wanted)
    members: dict[int, set[int]] = defaultdict(set)
    for workspace_id, user_id in Membership.objects.filter(
            workspace_id__in={product.workspace_id for product in products.values()}).values_list(
            "workspace_id", "user_id"):
        members[workspace_id].add(user_id)
    first_status: dict[int, WorkflowStatus] = {}
    answers: list = []
    created, updated, goal_sets = [], [], []
    previous: dict[int, tuple[int, int | None]] = {}
    now = timezone.now()
    for record, data in items:
        changes = dict(data)
        goals = changes.pop("goals", None)
        goals = list(goals) if goals is not None else None
        try:
            if record is None and changes.get("external_id") in taken:
                raise ValidationError({"external_id": _(
                    "Another import created a feature with the external id %(id)s at the same moment; "
                    "run this one again to update it.") % {"id": changes["external_id"]}})
            if record is None:
                product = products[changes.pop("product").pk]
                feature = Feature(product=product, workspace_id=product.workspace_id, created_by=actor,
                                  updated_by=actor)
                if "status" not in changes:
                    if product.workspace_id not in first_status:
                        first_status[product.workspace_id] = _open_statuses(product.workspace_id)[0]
                    changes["status"] = first_status[product.workspace_id]
                assign(feature, changes, FEATURE_FIELDS)
                feature._external_id_checked = True
                prepare_feature(feature, goals or [], member_ids=members[feature.workspace_id])
                numbers[product.pk] += 1
                feature.number = numbers[product.pk]
                created.append(feature)
            else:
                feature = record
                previous_status_id, previous_assignee_id = feature.status_id, feature.assignee_id
                previous[id(feature)] = (previous_status_id, previous_assignee_id)
                assign(feature, changes, FEATURE_FIELDS)
                feature._external_id_checked = True
                prepare_feature(feature, goals, previous_status_id, previous_assignee_id,
                                member_ids=members[feature.workspace_id])
                feature.version += 1
                feature.updated_by = actor
                feature.updated_at = now
                updated.append(feature)
        except ValidationError as exc:
            answers.append(exc)
            continue
        if goals is not None:
            goal_sets.append((feature, goals))
        answers.append((feature, "created" if record is None else "updated"))
    if created:
        by_product = defaultdict(list)
        for feature in created:
            by_product[feature.product_id].append(feature)
        for product_id, features in by_product.items():
            for feature, rank in zip(features, ranking.ranks_after(ranks[product_id], len(features)), strict=True):
                feature.rank = rank
        try:
            with transaction.atomic():
                bulk_save_with_history(created, actor=actor)
        except IntegrityError as exc:
            # A concurrent import in another product of the workspace committed the same new
            # external id after the check above: refuse the write rather than fail with a 500.
            if "external_id" not in str(exc):
                raise
            raise ValidationError({"external_id": _(
                "Another import created features with the same external ids at the same moment; "
                "nothing was written: run this one again to update them.")}) from exc
    if updated:
        fields = [f.name for f in Feature._meta.concrete_fields if not f.primary_key and f.name not in (
            "created_at", "created_by", "product", "workspace", "number", "rank", "demand")]
        bulk_save_with_history(updated, actor=actor, fields=fields)
    for feature, goals in goal_sets:
        if set(goals) != set(feature.goals.all()):
            record_author(feature, actor)
            feature.goals.set(goals)
    notifications.notify_feature_changes(actor=actor, changes=[
        *(notifications.FeatureChange(feature, None, None) for feature in created),
        *(notifications.FeatureChange(feature, *previous[id(feature)]) for feature in updated)])
    send_features_changed(created + updated)
    return answers


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
    prepare_feature(current, goals, previous_status_id, previous_assignee_id)
    current.version += 1
    current.updated_by = actor
    record_author(current, actor)
    current.save()
    if goals is not None and set(goals) != set(current.goals.all()):
        record_author(current, actor)
        current.goals.set(goals)
    notifications.notify_feature_changes(actor=actor, changes=[
        notifications.FeatureChange(current, previous_status_id, previous_assignee_id)])
    send_features_changed([current])
    return current


@transaction.atomic
def feature_delete(*, actor: User, feature: Feature) -> None:
    access.ensure_can(actor, "releases.edit", feature)
    send_features_changed([feature])  # before the delete clears the id
    record_author(feature, actor)
    feature.delete()


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
    notifications.notify_comment(actor=actor, comment=comment, mentioned=mentioned)
    return comment


def comment_mention_email_send(*, comment_id: int, user_id: int | None = None) -> int:
    """Email the members mentioned in the comment who have not been told yet (only `user_id`,
    when given) and who want mentions by email right away, and mark them told (their mention
    notifications too, so no digest lists them again). Returns how many were sent; a deleted
    comment sends nothing, and a second call for the same people sends nothing either."""
    with transaction.atomic():
        pending = (Mention.objects.select_for_update(skip_locked=True, of=("self",))
                   .filter(comment_id=comment_id, emailed_at__isnull=True).select_related("user"))
        if user_id is not None:
            pending = pending.filter(user_id=user_id)
        mentions = list(pending)
        wanted = _immediate_mentions([mention.user_id for mention in mentions])
        mentions = [mention for mention in mentions if mention.user_id in wanted]
        if not mentions:
            return 0
        comment = Comment.objects.select_related("feature__product__workspace", "author").get(pk=comment_id)
        feature = comment.feature
        url = settings.SITE_URL + reverse("releases:feature_detail", args=[
            feature.product.workspace.slug, feature.product.key, feature.number])
        author = comment.author.display_name if comment.author else _("Someone")
        subject = _("%(author)s mentioned you on %(key)s %(title)s") % {
            "author": author, "key": feature.key, "title": feature.title}
        lines = [f"{author}:", "", comment.body, "", url]
        # A failed send raises and rolls back, so the mentions stay unsent for the retry.
        sent = get_connection().send_messages([
            notifications.mention_email(user=mention.user, subject=subject, lines=lines) for mention in mentions])
        now = timezone.now()
        told = [mention.user_id for mention in mentions]
        Mention.objects.filter(pk__in=[mention.pk for mention in mentions]).update(emailed_at=now)
        Notification.objects.filter(comment_id=comment_id, recipient_id__in=told, kind=NotificationKind.MENTION,
                                    emailed_at__isnull=True).update(emailed_at=now)
    return sent


def _immediate_mentions(user_ids: list[int]) -> set[int]:
    """Those of `user_ids` who want mention emails right away (the default)."""
    others = set(NotificationSettings.objects.filter(user_id__in=user_ids).exclude(
        mention=EmailChoice.IMMEDIATE).values_list("user_id", flat=True))
    return set(user_ids) - others


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
    wanted = _immediate_mentions(list({user_id for _comment_id, user_id in pending}))
    pending = [(comment_id, user_id) for comment_id, user_id in pending if user_id in wanted]
    for comment_id, user_id in pending:
        queue_after_commit(tasks.comment_mention_email_task, comment_id, user_id)
    return len(pending)
