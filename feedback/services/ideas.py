"""Write operations for ideas: submitting, editing, their status with its public note,
comments, merging duplicates and promoting an idea to a feature.

Invariants protected here:
- an idea belongs to its product's workspace; its submitter (a contact) too;
- the description is stored as Markdown and only ever shown sanitised (strategy.markdown);
- every status change, merge, promotion and link leaves an `IdeaEvent`;
- a merge joins two ideas of the same product, never an idea with itself, never into or
  from an idea already merged; it loses no vote and counts nobody twice (a person who voted
  for both keeps one vote), and the merged idea stays as a redirect;
- an idea is linked to at most one feature, of its own product;
- `vote_count` and `demand` of the ideas, and the demand of the features, are recounted
  whenever a merge or a link changes them."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from releases import services as release_services
from releases.models import Feature
from strategy import access
from strategy.background import queue_after_commit
from strategy.limits import COMMENT_MAX_LENGTH
from strategy.models import Product, User
from strategy.services.records import assign

from .. import tasks
from ..models import Contact, Idea, IdeaComment, IdeaEvent
from . import demand
from .records import check, locked

IDEA_FIELDS = ("title", "description", "category", "visibility", "external_id", "external_url")
# Statuses that say the idea is settled; promoting does not move an idea out of them.
SETTLED = (Idea.Status.PLANNED, Idea.Status.IN_PROGRESS, Idea.Status.SHIPPED)


def _idea_errors(idea: Idea) -> dict:
    errors: dict = {}
    if not (idea.title or "").strip():
        errors["title"] = _("Give the idea a title.")
    contact = idea.submitted_by_contact
    if contact is not None and contact.workspace_id != idea.workspace_id:
        errors["submitted_by_contact"] = _("Choose a contact of this workspace.")
    return errors


def _not_merged(idea: Idea, field: str = "idea") -> None:
    if idea.merged_into_id:
        raise ValidationError({field: _("This idea was merged into another one; work on that one instead.")})


@transaction.atomic
def idea_create(*, actor: User, product: Product, title: str, description: str = "", category: str = "",
                visibility: str = Idea.Visibility.INTERNAL, submitted_by_contact: Contact | None = None,
                external_id: str = "", external_url: str = "") -> Idea:
    """Submit an idea for `product`, as the member `actor` or, when `submitted_by_contact`
    is given, on behalf of that contact. Every member may submit; only editors may
    make an idea public or record one for a contact. Raises PermissionDenied or ValidationError."""
    access.ensure_can(actor, "feedback.vote", product)
    if visibility == Idea.Visibility.PUBLIC or submitted_by_contact is not None:
        access.ensure_can(actor, "feedback.edit", product)
    idea = Idea(workspace_id=product.workspace_id, product=product, created_by=actor,
                submitted_by_user=None if submitted_by_contact else actor,
                submitted_by_contact=submitted_by_contact)
    assign(idea, {"title": title, "description": description, "category": category, "visibility": visibility,
                  "external_id": external_id, "external_url": external_url}, IDEA_FIELDS)
    check(idea, _idea_errors(idea), exclude=("product", "created_by", "submitted_by_user",
                                             "submitted_by_contact", "submitted_by_portal_user"))
    idea.save()
    IdeaEvent.objects.create(idea=idea, kind=IdeaEvent.Kind.CREATED, actor=actor, to_status=idea.status)
    return idea


@transaction.atomic
def idea_update(*, actor: User, idea: Idea, version: int | None = None, **changes) -> Idea:
    """Change an idea's title, description, category or visibility. Raises
    PermissionDenied or ValidationError (also for an edit made from a stale copy)."""
    access.ensure_can(actor, "feedback.edit", idea)
    current = locked(idea, version)
    assign(current, changes, IDEA_FIELDS)
    check(current, _idea_errors(current), exclude=("product", "created_by", "submitted_by_user",
                                                   "submitted_by_contact", "submitted_by_portal_user"))
    current.save()
    return current


def _set_status(idea: Idea, *, status: str, note: str | None, actor: User | None,
                kind: str = IdeaEvent.Kind.STATUS_CHANGED, feature: Feature | None = None) -> bool:
    previous = idea.status
    if status == previous and (note is None or note == idea.status_note):
        return False
    idea.status = status
    if note is not None:
        idea.status_note = note
    if status != previous:
        idea.status_changed_at = timezone.now()
    IdeaEvent.objects.create(idea=idea, kind=kind, actor=actor, from_status=previous, to_status=status,
                             feature=feature, note=idea.status_note if note is not None else "")
    return True


@transaction.atomic
def idea_status_set(*, actor: User, idea: Idea, status: str, note: str | None = None,
                    version: int | None = None) -> Idea:
    """Move an idea to `status`, optionally with a public note saying why (None keeps the
    note). Moving it to shipped tells its voters (once each). Raises PermissionDenied or
    ValidationError."""
    access.ensure_can(actor, "feedback.edit", idea)
    if status not in Idea.Status.values:
        raise ValidationError({"status": _("Choose one of the statuses.")})
    current = locked(idea, version)
    _not_merged(current)
    if note is not None:
        note = note.replace("\r\n", "\n").strip()
    previous = current.status
    if _set_status(current, status=status, note=note, actor=actor):
        check(current, exclude=("product", "created_by", "submitted_by_user", "submitted_by_contact",
                                "submitted_by_portal_user", "merged_into", "feature"))
        current.save()
        if status == Idea.Status.SHIPPED and previous != status:
            queue_after_commit(tasks.idea_shipped_notify_task, current.pk)
    return current


@transaction.atomic
def idea_delete(*, actor: User, idea: Idea) -> None:
    """Delete an idea with its votes and comments; ideas merged into it go with it, and the
    demand of its feature is recounted. Raises PermissionDenied."""
    access.ensure_can(actor, "feedback.edit", idea)
    feature_id = idea.feature_id
    Idea.objects.filter(merged_into=idea).delete()
    idea.delete()
    if feature_id:
        demand.features_demand_refresh(feature_ids=[feature_id])


@transaction.atomic
def idea_comment_create(*, actor: User, idea: Idea, body: str,
                        visibility: str = IdeaComment.Visibility.INTERNAL) -> IdeaComment:
    """Comment on an idea as a member; every member may. A public comment also shows on the
    portal. Raises PermissionDenied or ValidationError."""
    access.ensure_can(actor, "feedback.vote", idea)
    _not_merged(idea)
    body = (body or "").replace("\r\n", "\n").strip()
    if not body:
        raise ValidationError({"body": _("Write a comment.")})
    if len(body) > COMMENT_MAX_LENGTH:
        raise ValidationError({"body": _("Keep a comment to %(limit)d characters.") % {"limit": COMMENT_MAX_LENGTH}})
    if visibility not in IdeaComment.Visibility.values:
        raise ValidationError({"visibility": _("Choose public or internal.")})
    return IdeaComment.objects.create(idea=idea, author=actor, body=body, visibility=visibility)


# --- merging and promoting ------------------------------------------------------


def _lock_pair(first: Idea, second: Idea) -> tuple[Idea, Idea]:
    """Both rows, locked in id order (two merges of the same pair never deadlock)."""
    rows = {idea.pk: idea for idea in Idea.objects.select_for_update().filter(pk__in=[first.pk, second.pk])
            .order_by("pk")}
    return rows[first.pk], rows[second.pk]


@transaction.atomic
def idea_merge(*, actor: User, idea: Idea, into: Idea) -> Idea:
    """Merge the duplicate `idea` into `into`: its votes (one per person: who voted for both
    keeps one), feedback notes, comments and the ideas merged into it move over; it stays as
    a redirect. Returns `into`, recounted. Raises PermissionDenied or ValidationError."""
    access.ensure_can(actor, "feedback.edit", idea)
    if idea.pk == into.pk:
        raise ValidationError({"into": _("An idea cannot be merged into itself.")})
    duplicate, target = _lock_pair(idea, into)
    if target.product_id != duplicate.product_id:
        raise ValidationError({"into": _("Choose an idea of the same product.")})
    if duplicate.merged_into_id:
        raise ValidationError({"idea": _("This idea was already merged into another one.")})
    if target.merged_into_id:
        raise ValidationError({"into": _("That idea was merged into another one; merge into that one instead.")})
    with connection.cursor() as cursor:
        # Votes of people who have not voted for the target move; the others are repeats.
        cursor.execute("""
            UPDATE feedback_vote SET idea_id = %s WHERE idea_id = %s
            AND voter_key NOT IN (SELECT voter_key FROM feedback_vote WHERE idea_id = %s)""",
                       [target.pk, duplicate.pk, target.pk])
        cursor.execute("DELETE FROM feedback_vote WHERE idea_id = %s", [duplicate.pk])
        cursor.execute("""
            INSERT INTO feedback_feedbacknote_ideas (feedbacknote_id, idea_id)
            SELECT feedbacknote_id, %s FROM feedback_feedbacknote_ideas WHERE idea_id = %s
            ON CONFLICT DO NOTHING""", [target.pk, duplicate.pk])
        cursor.execute("DELETE FROM feedback_feedbacknote_ideas WHERE idea_id = %s", [duplicate.pk])
    IdeaComment.objects.filter(idea=duplicate).update(idea=target)
    Idea.objects.filter(merged_into=duplicate).update(merged_into=target)
    features = {pk for pk in (duplicate.feature_id, target.feature_id) if pk}
    if target.feature_id is None and duplicate.feature_id:
        target.feature_id = duplicate.feature_id
    duplicate.feature = None
    duplicate.merged_into, duplicate.merged_at = target, timezone.now()
    duplicate.version += 1
    target.version += 1
    duplicate.save(update_fields=["merged_into", "merged_at", "feature", "version", "updated_at"])
    target.save(update_fields=["feature", "version", "updated_at"])
    IdeaEvent.objects.bulk_create([
        IdeaEvent(idea=duplicate, kind=IdeaEvent.Kind.MERGED_INTO, actor=actor, other_idea=target),
        IdeaEvent(idea=target, kind=IdeaEvent.Kind.MERGED_FROM, actor=actor, other_idea=duplicate),
    ])
    demand.ideas_recount(idea_ids=[duplicate.pk, target.pk])
    demand.features_demand_refresh(feature_ids=features)
    target.refresh_from_db()
    return target


def _link(idea: Idea, feature: Feature, actor: User, kind: str) -> Idea:
    previous_feature_id = idea.feature_id
    idea.feature = feature
    idea.version += 1
    # Promoting says the idea is going to be built: move it on, unless it already is.
    moved = idea.status not in (*SETTLED, Idea.Status.DECLINED)
    if moved:
        previous = idea.status
        idea.status, idea.status_changed_at = Idea.Status.PLANNED, timezone.now()
        IdeaEvent.objects.create(idea=idea, kind=kind, actor=actor, feature=feature,
                                 from_status=previous, to_status=idea.status)
    else:
        IdeaEvent.objects.create(idea=idea, kind=kind, actor=actor, feature=feature)
    idea.save(update_fields=["feature", "status", "status_changed_at", "version", "updated_at"])
    demand.features_demand_refresh(feature_ids={pk for pk in (previous_feature_id, feature.pk) if pk})
    return idea


@transaction.atomic
def idea_promote(*, actor: User, idea: Idea, feature: Feature | None = None, **feature_fields) -> Idea:
    """Turn an idea into planned work: link it to `feature` (an existing feature of its
    product) or, without one, create a feature from it (`feature_fields` go to
    `releases.services.feature_create`: title defaults to the idea's). A new or
    under-review idea becomes planned. Raises PermissionDenied or ValidationError."""
    access.ensure_can(actor, "feedback.edit", idea)
    current = locked(idea, None)
    _not_merged(current)
    if feature is not None:
        if feature.product_id != current.product_id:
            raise ValidationError({"feature": _("Choose a feature of the same product.")})
        if current.feature_id == feature.pk:
            raise ValidationError({"feature": _("The idea is already linked to this feature.")})
        return _link(current, feature, actor, IdeaEvent.Kind.LINKED)
    fields = {"title": current.title, "description": current.description, **feature_fields}
    created = release_services.feature_create(actor=actor, product=current.product, **fields)
    return _link(current, created, actor, IdeaEvent.Kind.PROMOTED)


@transaction.atomic
def idea_feature_unlink(*, actor: User, idea: Idea) -> Idea:
    """Take the idea off its feature (its status stays); the feature's demand is recounted.
    Raises PermissionDenied or ValidationError."""
    access.ensure_can(actor, "feedback.edit", idea)
    current = locked(idea, None)
    if current.feature_id is None:
        raise ValidationError({"feature": _("The idea is not linked to a feature.")})
    previous = current.feature_id
    current.feature = None
    current.save(update_fields=["feature", "version", "updated_at"])
    demand.features_demand_refresh(feature_ids=[previous])
    return current
