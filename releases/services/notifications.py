"""Notifications: following features, the inbox's rows, email preferences, immediate emails,
the daily digest and one-click unsubscribing.

Invariants protected here:
- nobody is notified of their own action, and only members of the feature's workspace are
  notified (a notification always points at something its recipient may open);
- one notification per person, feature and kind per change: a comment that @mentions the
  feature's owner tells them once, as a mention;
- who hears of what: a mention tells the member named; an assignment tells the new assignee;
  a status change tells the feature's followers; a comment tells the feature's owner (its
  assignee, or its creator while nobody is assigned);
- who follows: the creator, the assignee and every commenter follow automatically; a person
  who unfollowed by hand stays unfollowed until they follow again;
- the rows of one change are written in one statement (bulk changes too), in the transaction
  of the change, so a change that rolls back leaves no notification; emails and the unread
  counts' cache follow after commit;
- an email goes out once: immediately (the `emailed_at` mark) or in one daily digest (the
  `digested_at` mark), each set in the transaction that sends it;
- a mention's immediate email is the comment's mention email (`comment_mention_email_send`),
  never a second one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from strategy import access
from strategy.background import queue_after_commit
from strategy.models import Membership, User, Workspace
from strategy.unsubscribe import one_click_headers

from .. import selectors, tasks
from ..models import (
    Comment,
    EmailChoice,
    Feature,
    FeatureFollow,
    Notification,
    NotificationKind,
    NotificationSettings,
    WorkflowStatus,
)

UNSUBSCRIBE_SALT = "releases.notifications.unsubscribe"
ALL_KINDS = "all"
DETAIL_MAX = 200


@dataclass(frozen=True)
class FeatureChange:
    """One feature as written, with its status and assignee before the write (None for a new feature)."""

    feature: Feature
    previous_status_id: int | None
    previous_assignee_id: int | None


# --- following -----------------------------------------------------------------------------


def follows_add(pairs: Iterable[tuple[int, int]]) -> None:
    """Make each (feature id, user id) a follow, in one statement; someone who unfollowed by
    hand stays unfollowed (their row is kept and left alone)."""
    rows = [FeatureFollow(feature_id=feature_id, user_id=user_id) for feature_id, user_id in set(pairs) if user_id]
    if rows:
        FeatureFollow.objects.bulk_create(rows, ignore_conflicts=True)


@transaction.atomic
def feature_follow_set(*, actor: User, feature: Feature, following: bool) -> FeatureFollow:
    """Follow (or unfollow) `feature` as `actor`; any member may. Raises PermissionDenied."""
    access.ensure_can(actor, "releases.comment", feature)
    follow, _created = FeatureFollow.objects.update_or_create(
        feature=feature, user=actor, defaults={"is_following": following})
    return follow


# --- producing notifications ---------------------------------------------------------------


def _forget_counts(user_ids: set[int], workspace_id: int) -> None:
    # Now, and again after commit: a page drawn meanwhile may have cached the count from before.
    selectors.unread_counts_forget(user_ids=user_ids, workspace_id=workspace_id)
    transaction.on_commit(lambda: selectors.unread_counts_forget(user_ids=user_ids, workspace_id=workspace_id))


def _create(*, actor: User | None, rows: list[Notification]) -> list[Notification]:
    """Write `rows` (one per recipient, feature and kind; the first of duplicates wins), leaving
    out the actor and anyone who is not a member of the feature's workspace; queue the immediate
    emails and forget the recipients' unread counts after commit."""
    seen: set[tuple[int, int, str]] = set()
    wanted = []
    for row in rows:
        key = (row.recipient_id, row.feature.pk, row.kind)
        if row.recipient_id is None or (actor is not None and row.recipient_id == actor.pk) or key in seen:
            continue
        seen.add(key)
        row.workspace_id = row.feature.workspace_id
        row.actor = actor
        wanted.append(row)
    if not wanted:
        return []
    members = set(Membership.objects.filter(
        workspace_id__in={row.workspace_id for row in wanted},
        user_id__in={row.recipient_id for row in wanted}).values_list("workspace_id", "user_id"))
    wanted = [row for row in wanted if (row.workspace_id, row.recipient_id) in members]
    if not wanted:
        return []
    created = Notification.objects.bulk_create(wanted)
    by_workspace = defaultdict(set)
    for row in created:
        by_workspace[row.workspace_id].add(row.recipient_id)
    for workspace_id, user_ids in by_workspace.items():
        _forget_counts(user_ids, workspace_id)
    emailed = [row.pk for row in created if row.kind != NotificationKind.MENTION]
    if emailed:
        queue_after_commit(tasks.notification_emails_send_task, emailed)
    return created


def notify_feature_changes(*, actor: User, changes: list[FeatureChange]) -> list[Notification]:
    """Notify of the assignments and status changes among `changes` (features as just
    written) and make their creators and new assignees follow them. A fixed few queries
    whatever the number of features: the caller calls this once per write."""
    if not changes:
        return []
    follows_add([(c.feature.pk, c.feature.created_by_id) for c in changes if c.previous_status_id is None]
                + [(c.feature.pk, c.feature.assignee_id) for c in changes
                   if c.feature.assignee_id and c.feature.assignee_id != c.previous_assignee_id])
    moved = [c for c in changes if c.previous_status_id is not None and c.feature.status_id != c.previous_status_id]
    names = dict(WorkflowStatus.objects.filter(
        pk__in={c.feature.status_id for c in moved} | {c.previous_status_id for c in moved})
        .values_list("pk", "name")) if moved else {}
    followers: dict[int, list[int]] = defaultdict(list)
    if moved:
        for feature_id, user_id in FeatureFollow.objects.filter(
                feature_id__in=[c.feature.pk for c in moved], is_following=True).values_list("feature_id", "user_id"):
            followers[feature_id].append(user_id)
    rows = []
    for change in changes:
        feature = change.feature
        if feature.assignee_id and feature.assignee_id != change.previous_assignee_id:
            rows.append(Notification(recipient_id=feature.assignee_id, kind=NotificationKind.ASSIGNED,
                                     feature=feature))
    for change in moved:
        detail = f"{names.get(change.previous_status_id, '')} → {names.get(change.feature.status_id, '')}"
        rows += [Notification(recipient_id=user_id, kind=NotificationKind.STATUS, feature=change.feature,
                              detail=detail[:DETAIL_MAX]) for user_id in sorted(followers[change.feature.pk])]
    return _create(actor=actor, rows=rows)


def notify_comment(*, actor: User, comment: Comment, mentioned: list[User]) -> list[Notification]:
    """Notify the members @mentioned in `comment` and the feature's owner, and make the author
    follow the feature."""
    feature = comment.feature
    follows_add([(feature.pk, actor.pk)])
    excerpt = " ".join(comment.body.split())
    excerpt = excerpt if len(excerpt) <= DETAIL_MAX else excerpt[:DETAIL_MAX - 1] + "…"
    rows = [Notification(recipient_id=user.pk, kind=NotificationKind.MENTION, feature=feature, comment=comment,
                         detail=excerpt) for user in mentioned]
    # The owner as stored now: the caller's copy of the feature may predate a reassignment.
    assignee_id, creator_id = Feature.objects.filter(pk=feature.pk).values_list("assignee_id", "created_by_id").get()
    owner_id = assignee_id or creator_id
    if owner_id and owner_id not in {user.pk for user in mentioned}:
        rows.append(Notification(recipient_id=owner_id, kind=NotificationKind.COMMENT, feature=feature,
                                 comment=comment, detail=excerpt))
    return _create(actor=actor, rows=rows)


# --- reading them --------------------------------------------------------------------------


def notification_mark_read(*, actor: User, notification: Notification) -> Notification:
    """Mark one of `actor`'s notifications read (again: no change). Raises PermissionDenied
    for someone else's."""
    access.ensure(notification.recipient_id == actor.pk)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=notification.read_at)
        _forget_counts({actor.pk}, notification.workspace_id)
    return notification


def notifications_mark_all_read(*, actor: User, workspace: Workspace, kind: str | None = None) -> int:
    """Mark all of `actor`'s unread notifications in `workspace` read (of one kind, if given).
    Returns how many."""
    unread = Notification.objects.filter(recipient=actor, workspace=workspace, read_at__isnull=True)
    if kind:
        unread = unread.filter(kind=kind)
    count = unread.update(read_at=timezone.now())
    _forget_counts({actor.pk}, workspace.pk)
    return count


# --- email preferences ---------------------------------------------------------------------


def notification_settings_of(user: User) -> NotificationSettings:
    """`user`'s email choices: the stored row, or the defaults (not saved) if they never chose."""
    found = NotificationSettings.objects.filter(user=user).first()
    return found or NotificationSettings(user=user)


@transaction.atomic
def notification_settings_update(*, actor: User, **choices: str) -> NotificationSettings:
    """Set `actor`'s email choice per kind (`mention="daily"`, ...); kinds not named keep theirs.
    Raises ValidationError naming each field with a wrong value."""
    errors = {}
    for kind, choice in choices.items():
        if kind not in NotificationKind.values:
            errors[kind] = _("Not a kind of notification.")
        elif choice not in EmailChoice.values:
            errors[kind] = _("Choose one of: %(choices)s.") % {"choices": ", ".join(EmailChoice.values)}
    if errors:
        raise ValidationError(errors)
    found, _created = NotificationSettings.objects.select_for_update().get_or_create(user=actor)
    for kind, choice in choices.items():
        setattr(found, kind, choice)
    found.save()
    return found


def _choices_of(user_ids: Iterable[int]) -> dict[int, NotificationSettings]:
    stored = {row.user_id: row for row in NotificationSettings.objects.filter(user_id__in=list(user_ids))}
    return {user_id: stored.get(user_id) or NotificationSettings(user_id=user_id) for user_id in user_ids}


def wants_email(settings_row: NotificationSettings, kind: str, choice: str = EmailChoice.IMMEDIATE) -> bool:
    return settings_row.choice_for(kind) == choice


# --- unsubscribing -------------------------------------------------------------------------


def unsubscribe_token(*, user_id: int, kind: str) -> str:
    """The signed token of an unsubscribe link: whose emails, and of which kind (or `all`)."""
    return signing.dumps({"u": user_id, "k": kind}, salt=UNSUBSCRIBE_SALT)


def unsubscribe_url(*, user_id: int, kind: str) -> str:
    return settings.SITE_URL + reverse("releases:notifications_unsubscribe",
                                       args=[unsubscribe_token(user_id=user_id, kind=kind)])


def unsubscribe_token_read(token: str) -> tuple[User, str]:
    """(person, kind) of a token. Raises ValidationError for a forged or broken one, or one of
    a person no longer there."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        user_id, kind = int(data["u"]), str(data["k"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise ValidationError({"token": _("This unsubscribe link is not valid.")}) from exc
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or (kind != ALL_KINDS and kind not in NotificationKind.values):
        raise ValidationError({"token": _("This unsubscribe link is not valid.")})
    return user, kind


def notifications_unsubscribe(*, token: str) -> NotificationSettings:
    """Turn off the emails the token names (one kind, or all). Repeating it changes nothing.
    Raises ValidationError."""
    user, kind = unsubscribe_token_read(token)
    kinds = NotificationKind.values if kind == ALL_KINDS else [kind]
    return notification_settings_update(actor=user, **{name: EmailChoice.OFF for name in kinds})


# --- emails --------------------------------------------------------------------------------


def _feature_url(feature: Feature) -> str:
    return settings.SITE_URL + reverse("releases:feature_detail", args=[
        feature.product.workspace.slug, feature.product.key, feature.number])


def _line(notification: Notification) -> str:
    actor = notification.actor.display_name if notification.actor else _("Someone")
    feature = notification.feature
    what = {
        NotificationKind.MENTION: _("%(actor)s mentioned you on %(key)s %(title)s"),
        NotificationKind.ASSIGNED: _("%(actor)s assigned you %(key)s %(title)s"),
        NotificationKind.STATUS: _("%(actor)s moved %(key)s %(title)s"),
        NotificationKind.COMMENT: _("%(actor)s commented on %(key)s %(title)s"),
    }[notification.kind] % {"actor": actor, "key": feature.key, "title": feature.title}
    return " ".join(what.split())


def _message(user: User, subject: str, lines: list[str], kind: str) -> EmailMessage:
    link = unsubscribe_url(user_id=user.pk, kind=kind)
    settings_link = settings.SITE_URL + reverse("strategy:account") + "#notifications"
    footer = ["", "-- ", _("Choose which emails you get: %(url)s") % {"url": settings_link},
              _("Unsubscribe from these emails: %(url)s") % {"url": link}]
    return EmailMessage(" ".join(subject.split()), "\n".join(lines + footer) + "\n", None, [user.email],
                        headers=one_click_headers(link))


def mention_email(*, user: User, subject: str, lines: list[str]) -> EmailMessage:
    """The message of a mention email (sent by `comment_mention_email_send`), with its unsubscribe link."""
    return _message(user, subject, lines, NotificationKind.MENTION)


_EMAIL_RELATED = ("recipient", "actor", "feature__product__workspace")


def notification_emails_send(*, notification_ids: list[int]) -> int:
    """Email each of these notifications whose recipient wants its kind right away and that
    is not emailed yet, and mark them emailed. Returns how many went out. A failed send raises
    and rolls back, so the retry sends them; nothing is emailed twice."""
    with transaction.atomic():
        pending = list(Notification.objects.select_for_update(skip_locked=True, of=("self",))
                       .filter(pk__in=notification_ids, emailed_at__isnull=True)
                       .exclude(kind=NotificationKind.MENTION).select_related(*_EMAIL_RELATED))
        choices = _choices_of({n.recipient_id for n in pending})
        due = [n for n in pending if n.recipient.is_active and wants_email(choices[n.recipient_id], n.kind)]
        if not due:
            return 0
        messages = []
        for notification in due:
            lines = [_line(notification)]
            if notification.detail:
                lines += ["", notification.detail]
            lines += ["", _feature_url(notification.feature)]
            messages.append(_message(notification.recipient, _line(notification), lines, notification.kind))
        get_connection().send_messages(messages)
        Notification.objects.filter(pk__in=[n.pk for n in due]).update(emailed_at=timezone.now())
    return len(due)


DIGEST_SHOWN = 50


def notification_digest_send(*, user_id: int, now: datetime | None = None) -> int:
    """Send `user_id` one email with their unread notifications not yet in a digest, of the
    kinds they want daily, and mark those digested. Returns how many it listed (0: no email).
    Safe to run twice: the second run finds nothing left to list."""
    now = now or timezone.now()
    with transaction.atomic():
        user = User.objects.filter(pk=user_id, is_active=True).first()
        if user is None:
            return 0
        choices = _choices_of([user_id])[user_id]
        kinds = [kind for kind in NotificationKind.values if wants_email(choices, kind, EmailChoice.DAILY)]
        if not kinds:
            return 0
        pending = list(Notification.objects.select_for_update(skip_locked=True, of=("self",))
                       .filter(recipient_id=user_id, kind__in=kinds, read_at__isnull=True, digested_at__isnull=True,
                               emailed_at__isnull=True, created_at__lte=now)
                       .select_related(*_EMAIL_RELATED).order_by("-created_at", "-id"))
        if not pending:
            return 0
        subject = _("Waymark: %(count)d notification(s) since your last digest") % {"count": len(pending)}
        lines = [_("Hello %(name)s,") % {"name": user.display_name}, "",
                 _("Here is what happened since your last digest:"), ""]
        for notification in pending[:DIGEST_SHOWN]:
            lines.append(f"- {_line(notification)}")
            if notification.detail:
                lines.append(f"  {notification.detail}")
            lines.append(f"  {_feature_url(notification.feature)}")
        if len(pending) > DIGEST_SHOWN:
            lines.append(_("… and %(count)d more in your inbox.") % {"count": len(pending) - DIGEST_SHOWN})
        _message(user, subject, lines, ALL_KINDS).send()
        Notification.objects.filter(pk__in=[n.pk for n in pending]).update(digested_at=now)
        NotificationSettings.objects.update_or_create(user_id=user_id, defaults={"last_digest_at": now})
    return len(pending)


def notification_digests_queue(*, now: datetime | None = None) -> int:
    """Queue a digest for everyone with unread notifications not yet in a digest (the daily beat
    entry). Returns how many people were queued; each one's task decides what to list."""
    now = now or timezone.now()
    user_ids = list(Notification.objects.filter(read_at__isnull=True, digested_at__isnull=True,
                                                emailed_at__isnull=True, created_at__lte=now)
                    .order_by().values_list("recipient_id", flat=True).distinct())
    for user_id in user_ids:
        queue_after_commit(tasks.notification_digest_send_task, user_id)
    return len(user_ids)
