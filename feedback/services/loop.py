"""Closing the loop: when a feature is done, the ideas linked to it ship, and everyone who
asked for them (voted, submitted, or said so in a feedback note: members, contacts, portal
users) is told, once.

Invariants protected here:
- only features whose status is in the done category ship their ideas; merged and declined
  ideas stay as they are, and an idea that already shipped is not shipped again;
- each person hears once per feature (or once per idea shipped by hand): a
  `ShippedNotification` row per address, unique, marked sent after the mail server took
  the message, so a retried or repeated run emails nobody twice;
- an address that unsubscribed (the signed link in every notice) or a portal user who
  switched emails off hears nothing."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from releases.models import Feature, StatusCategory
from strategy.background import queue_after_commit
from strategy.unsubscribe import one_click_headers

from .. import tasks
from ..models import EmailOptOut, FeedbackNote, Idea, IdeaEvent, PortalUser, ShippedNotification, Vote

UNSUBSCRIBE_SALT = "feedback.unsubscribe"


def on_features_changed(sender, *, feature_ids: frozenset, product_ids: frozenset, **kwargs) -> None:
    """`releases.signals.features_changed` receiver: queue the check for shipped features."""
    queue_after_commit(tasks.features_shipped_task, sorted(feature_ids))


def features_ship(*, feature_ids: Iterable[int]) -> list[int]:
    """Move the ideas linked to those of the features now done to shipped (with a history
    row each) and send their notices. Returns the ids of the done features. Safe to repeat."""
    with transaction.atomic():
        done = sorted(Feature.objects.filter(pk__in=list(feature_ids), status__category=StatusCategory.DONE)
                      .values_list("pk", flat=True))
        if not done:
            return []
        ideas = list(Idea.objects.select_for_update().filter(feature_id__in=done, merged_into__isnull=True)
                     .exclude(status__in=[Idea.Status.SHIPPED, Idea.Status.DECLINED]).order_by("pk"))
        now = timezone.now()
        events = []
        for idea in ideas:
            events.append(IdeaEvent(idea=idea, kind=IdeaEvent.Kind.SHIPPED, feature_id=idea.feature_id,
                                    from_status=idea.status, to_status=Idea.Status.SHIPPED))
            idea.status, idea.status_changed_at = Idea.Status.SHIPPED, now
            idea.version += 1
        Idea.objects.bulk_update(ideas, ["status", "status_changed_at", "version"])
        IdeaEvent.objects.bulk_create(events)
    for feature_id in done:
        shipped_notices_send(feature_id=feature_id)
    return done


def _recipients(workspace_id: int, idea_ids: list[int], feature_id: int | None) -> dict[str, str]:
    """{address: name} of everyone behind the ideas (and the notes linked to the feature),
    without the addresses that unsubscribed."""
    people: dict[str, str] = {}
    unsubscribed: set[str] = set()

    def add(email: str | None, name: str | None) -> None:
        if email:
            people.setdefault(email.lower(), name or "")

    for row in Vote.objects.filter(idea_id__in=idea_ids).values(
            "user__email", "user__full_name", "contact__email", "contact__name",
            "portal_user__email", "portal_user__name", "portal_user__unsubscribed"):
        add(row["user__email"], row["user__full_name"])
        add(row["contact__email"], row["contact__name"])
        add(row["portal_user__email"], row["portal_user__name"])
        if row["portal_user__unsubscribed"]:
            unsubscribed.add(row["portal_user__email"].lower())
    for row in Idea.objects.filter(pk__in=idea_ids).values(
            "submitted_by_user__email", "submitted_by_user__full_name", "submitted_by_contact__email",
            "submitted_by_contact__name", "submitted_by_portal_user__email", "submitted_by_portal_user__name",
            "submitted_by_portal_user__unsubscribed"):
        add(row["submitted_by_user__email"], row["submitted_by_user__full_name"])
        add(row["submitted_by_contact__email"], row["submitted_by_contact__name"])
        add(row["submitted_by_portal_user__email"], row["submitted_by_portal_user__name"])
        if row["submitted_by_portal_user__unsubscribed"]:
            unsubscribed.add(row["submitted_by_portal_user__email"].lower())
    notes = Q(ideas__in=idea_ids)
    if feature_id is not None:
        notes |= Q(features=feature_id)
    for email, name in FeedbackNote.objects.filter(notes, contact__isnull=False).values_list(
            "contact__email", "contact__name").distinct():
        add(email, name)
    unsubscribed |= {email.lower() for email in EmailOptOut.objects.filter(workspace_id=workspace_id)
                     .values_list("email", flat=True)}
    unsubscribed |= {email.lower() for email in PortalUser.objects.filter(
        workspace_id=workspace_id, unsubscribed=True, email__in=list(people)).values_list("email", flat=True)}
    return {email: name for email, name in people.items() if email not in unsubscribed}


def unsubscribe_token(*, workspace_id: int, email: str) -> str:
    """The signed token of an unsubscribe link: who (the address) and from which workspace."""
    return signing.dumps({"w": workspace_id, "e": email.lower()}, salt=UNSUBSCRIBE_SALT)


def unsubscribe_url(*, workspace_id: int, email: str) -> str:
    return settings.SITE_URL + reverse("feedback:unsubscribe", args=[
        unsubscribe_token(workspace_id=workspace_id, email=email)])


def unsubscribe_token_read(token: str) -> tuple[int, str]:
    """(workspace id, address) of a token. Raises ValidationError for a forged or broken one."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        return int(data["w"]), str(data["e"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise ValidationError({"token": _("This unsubscribe link is not valid.")}) from exc


@transaction.atomic
def email_unsubscribe(*, token: str) -> EmailOptOut:
    """Stop feedback emails of the token's workspace to its address (portal users with that
    address are switched off too). Repeating it changes nothing. Raises ValidationError."""
    workspace_id, email = unsubscribe_token_read(token)
    opt_out = EmailOptOut.objects.filter(workspace_id=workspace_id, email__iexact=email).first()
    if opt_out is None:
        opt_out = EmailOptOut.objects.create(workspace_id=workspace_id, email=email)
    PortalUser.objects.filter(workspace_id=workspace_id, email__iexact=email).update(unsubscribed=True)
    return opt_out


def _message(email: str, name: str, workspace_id: int, ideas: list[Idea], feature: Feature | None) -> EmailMessage:
    first = ideas[0] if ideas else None
    title = feature.title if feature is not None else first.title
    subject = " ".join((_("Shipped: %(title)s") % {"title": title}).split())
    lines = [_("Hello %(name)s,") % {"name": name} if name else _("Hello,"), "",
             _("You asked for this, and it has now shipped:"), ""]
    for idea in ideas:
        lines.append(f"- {idea.title}")
        if idea.status_note:
            lines.append(f"  {idea.status_note}")
    link = unsubscribe_url(workspace_id=workspace_id, email=email)
    lines += ["", _("Thank you for your feedback."), "", _("No more emails like this: %(url)s") % {"url": link}]
    return EmailMessage(subject, "\n".join(lines) + "\n", None, [email], headers=one_click_headers(link))


def shipped_notices_send(*, feature_id: int | None = None, idea_id: int | None = None) -> int:
    """Email everyone behind the feature's linked ideas (or behind one idea shipped by hand)
    who has not been told yet. Returns how many emails went out. A failed send raises and
    rolls back, so the retry sends them; nothing is ever sent twice to an address."""
    with transaction.atomic():
        if feature_id is not None:
            feature = Feature.objects.filter(pk=feature_id).first()
            if feature is None:
                return 0
            ideas = list(Idea.objects.filter(feature_id=feature_id, merged_into__isnull=True,
                                             status=Idea.Status.SHIPPED).order_by("pk"))
            workspace_id, scope = feature.workspace_id, Q(feature_id=feature_id)
        else:
            idea = Idea.objects.filter(pk=idea_id).first()
            if idea is None:
                return 0
            feature, ideas = None, [idea]
            workspace_id, scope = idea.workspace_id, Q(idea_id=idea_id, feature__isnull=True)
        recipients = _recipients(workspace_id, [idea.pk for idea in ideas], feature_id)
        ShippedNotification.objects.bulk_create(
            [ShippedNotification(workspace_id=workspace_id, feature_id=feature_id,
                                 idea_id=None if feature_id else idea_id, email=email) for email in recipients],
            ignore_conflicts=True)
        pending = list(ShippedNotification.objects.select_for_update(skip_locked=True)
                       .filter(scope, sent_at__isnull=True, email__in=list(recipients)).order_by("pk"))
        if not pending:
            return 0
        messages = [_message(row.email, recipients[row.email], workspace_id, ideas, feature) for row in pending]
        sent = get_connection().send_messages(messages) or 0
        ShippedNotification.objects.filter(pk__in=[row.pk for row in pending]).update(sent_at=timezone.now())
    return sent
