"""Votes: one per person per idea, whoever the person is (a member, a contact a member
votes for, a portal user).

Invariants protected here:
- a person's vote is counted once, even when two requests race: the row is inserted with
  `INSERT … ON CONFLICT DO NOTHING` against the unique (idea, voter_key) constraint, after
  the idea's row is locked, so the recount that follows sees every committed vote;
- a vote costs one INSERT and one UPDATE of the idea's stored counters (the recount);
  nothing is written when the vote was already there (or, to unvote, was not);
- nobody votes for a merged idea (they vote for the idea it was merged into);
- the demand of the idea's feature is recounted in the background."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from strategy import access
from strategy.background import queue_after_commit
from strategy.models import User

from .. import tasks
from ..models import Contact, Idea, PortalUser, Vote, voter_key
from . import demand


def _lock_votable(idea: Idea) -> Idea:
    current = Idea.objects.select_for_update().get(pk=idea.pk)
    if current.merged_into_id:
        raise ValidationError({"idea": _("This idea was merged into another one; vote for that one.")})
    return current


def _changed(idea: Idea) -> None:
    demand.ideas_recount(idea_ids=[idea.pk])
    if idea.feature_id:
        queue_after_commit(tasks.features_demand_refresh_task, [idea.feature_id])


def _insert(idea: Idea, *, user=None, contact=None, portal_user=None, recorded_by=None) -> bool:
    key = voter_key(user=user, contact=contact, portal_user=portal_user)
    with connection.cursor() as cursor:
        cursor.execute(
            """INSERT INTO feedback_vote (idea_id, user_id, contact_id, portal_user_id, voter_key,
                    recorded_by_id, created_at)
                VALUES (%s, %s, %s, %s, %s, %s, now())
                ON CONFLICT (idea_id, voter_key) DO NOTHING""",
            [idea.pk, getattr(user, "pk", None), getattr(contact, "pk", None), getattr(portal_user, "pk", None),
             key, getattr(recorded_by, "pk", None)])
        return cursor.rowcount == 1


def _voter(actor: User, idea: Idea, contact: Contact | None) -> dict:
    if contact is None:
        access.ensure_can(actor, "feedback.vote", idea)
        return {"user": actor}
    # Recording what a customer asked for is triage work.
    access.ensure_can(actor, "feedback.edit", idea)
    if contact.workspace_id != idea.workspace_id:
        raise ValidationError({"contact": _("Choose a contact of this workspace.")})
    return {"contact": contact}


@transaction.atomic
def vote_add(*, actor: User, idea: Idea, contact: Contact | None = None) -> bool:
    """Vote for `idea` as `actor` or, with `contact`, on that contact's behalf (editors).
    Returns False when that person had already voted (nothing changes). Raises
    PermissionDenied or ValidationError."""
    voter = _voter(actor, idea, contact)
    current = _lock_votable(idea)
    created = _insert(current, recorded_by=actor if contact else None, **voter)
    if created:
        _changed(current)
    return created


@transaction.atomic
def vote_remove(*, actor: User, idea: Idea, contact: Contact | None = None) -> bool:
    """Take back `actor`'s vote (or `contact`'s, for editors). Returns False when there was
    none. Raises PermissionDenied."""
    voter = _voter(actor, idea, contact)
    current = Idea.objects.select_for_update().get(pk=idea.pk)
    deleted, _rows = Vote.objects.filter(idea=current, voter_key=voter_key(**voter)).delete()
    if deleted:
        _changed(current)
    return bool(deleted)


@transaction.atomic
def portal_vote_add(*, portal_user: PortalUser, idea: Idea) -> bool:
    """A portal user's vote for a public idea of their portal's product. Returns False when
    they had already voted. Raises ValidationError."""
    if idea.product_id != portal_user.product_id or idea.visibility != Idea.Visibility.PUBLIC:
        raise ValidationError({"idea": _("This idea is not on this portal.")})
    current = _lock_votable(idea)
    created = _insert(current, portal_user=portal_user)
    if created:
        _changed(current)
    return created


@transaction.atomic
def portal_vote_remove(*, portal_user: PortalUser, idea: Idea) -> bool:
    """Take back a portal user's vote. Returns False when there was none."""
    current = Idea.objects.select_for_update().get(pk=idea.pk)
    deleted, _rows = Vote.objects.filter(idea=current, voter_key=voter_key(portal_user=portal_user)).delete()
    if deleted:
        _changed(current)
    return bool(deleted)
