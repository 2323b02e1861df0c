"""Webhooks: registering them, turning changes into events, and delivering those events.

Invariants:
- only a workspace's admins register, change, remove and redeliver its webhooks;
- a webhook's URL never points into a private, loopback, link-local, multicast or reserved
  range unless the operator allows it (WEBHOOKS_ALLOW_PRIVATE_TARGETS): checked when the URL
  is saved AND at every delivery, whose connection goes to the very address that was checked
  (a name that resolves differently the second time, DNS rebinding, gains nothing);
- events are taken after commit, from the history rows simple-history writes in the same
  transaction as the change (`post_create_historical_record`) and from `IdeaEvent` rows: a
  rolled-back change sends nothing, and every write path of features, releases and ideas is
  covered because each of them leaves such a row. The request that made the change only
  notes ids; the worker builds the events (`webhook_events_dispatch`);
- a delivery is signed with the webhook's secret: `Waymark-Signature: v1=<hex>` is
  HMAC-SHA256 of `<Waymark-Timestamp>.<body>`; its body never changes between attempts;
- each attempt is logged (response code, duration, error); a failed delivery is retried with
  exponential back-off up to WEBHOOK_MAX_ATTEMPTS times, and an admin may redeliver it by hand.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import ipaddress
import json
import logging
import secrets
import socket
import ssl
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from feedback.models import IdeaEvent
from releases.models import Feature, Release
from strategy import access
from strategy import selectors as strategy_selectors
from strategy.background import queue_after_commit
from strategy.models import Goal, KeyResult, Product, User, Workspace

from ..models import Webhook, WebhookAttempt, WebhookDelivery, WebhookEvent, WebhookGoalStatus

logger = logging.getLogger(__name__)

SECRET_BYTES = 32
USER_AGENT = "Waymark-Webhooks/1"
RESPONSE_EXCERPT_CHARS = 500
SIGNATURE_VERSION = "v1"


# --- where a webhook may point -------------------------------------------------------------


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_link_local or ip.is_loopback
                                 or ip.is_private or ip.is_unspecified)


@dataclass(frozen=True)
class Target:
    """A checked webhook URL: where to connect (`address`, one that passed the check) and what
    to ask for (`host`, `port`, `path`, `https`)."""

    https: bool
    host: str
    port: int
    path: str
    address: str


def webhook_target_check(url: str) -> Target:
    """Parse and resolve `url` and check every address it resolves to. Raises ValidationError
    (on `url`) for another scheme, a missing host, a name that does not resolve, or an address
    in a private, loopback, link-local, multicast or reserved range (unless
    WEBHOOKS_ALLOW_PRIVATE_TARGETS is on)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError({"url": _("Enter an http:// or https:// address with a host name.")})
    if parts.username or parts.password:
        raise ValidationError({"url": _("Leave user names and passwords out of the address; "
                                        "check the signature instead.")})
    https = parts.scheme == "https"
    try:
        port = parts.port or (443 if https else 80)
    except ValueError as exc:
        raise ValidationError({"url": _("The port is not a number between 1 and 65535.")}) from exc
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise ValidationError({"url": _("%(host)s could not be resolved.") % {"host": parts.hostname}}) from exc
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not addresses:
        raise ValidationError({"url": _("%(host)s could not be resolved.") % {"host": parts.hostname}})
    if not settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS:
        refused = [address for address in addresses if not _is_public(address)]
        if refused:
            raise ValidationError({"url": _(
                "%(host)s resolves to %(address)s, a private, loopback or reserved address. Webhooks go "
                "only to public addresses (an operator can allow private ones).") % {
                "host": parts.hostname, "address": refused[0]}})
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return Target(https=https, host=parts.hostname, port=port, path=path, address=addresses[0])


# --- registering ---------------------------------------------------------------------------


def _clean_events(events: Iterable[str]) -> list[str]:
    chosen = list(dict.fromkeys(events))
    unknown = [event for event in chosen if event not in WebhookEvent.values]
    if unknown:
        raise ValidationError({"events": _("Unknown events: %(names)s.") % {"names": ", ".join(unknown)}})
    if not chosen:
        raise ValidationError({"events": _("Choose at least one event.")})
    return [event for event in WebhookEvent.values if event in chosen]  # in the documented order


def _validate(webhook: Webhook) -> None:
    errors: dict[str, list[str]] = {}
    try:
        webhook.full_clean(exclude=["workspace", "created_by", "secret", "events"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if "url" not in errors:
        try:
            webhook_target_check(webhook.url)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def webhook_create(*, actor: User, workspace: Workspace, url: str, events: Sequence[str], description: str = "",
                   is_active: bool = True) -> Webhook:
    """Register a webhook with a new signing secret. Raises PermissionDenied or ValidationError."""
    access.ensure_can(actor, "workspace.manage", workspace)
    errors = {}
    try:
        events = _clean_events(events)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    webhook = Webhook(workspace=workspace, url=url.strip(), events=list(events), description=description.strip(),
                      is_active=is_active, created_by=actor, secret=secrets.token_urlsafe(SECRET_BYTES))
    try:
        _validate(webhook)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    webhook.save()
    if WebhookEvent.GOAL_STATUS_CHANGED in webhook.events:
        _queue_goal_status_check(workspace.pk)  # the statuses to compare the next ones with
    return webhook


@transaction.atomic
def webhook_update(*, actor: User, webhook: Webhook, **changes) -> Webhook:
    """Change a webhook's URL, events, description or whether it is active.
    Raises PermissionDenied or ValidationError."""
    access.ensure_can(actor, "workspace.manage", webhook)
    webhook = Webhook.objects.select_for_update().get(pk=webhook.pk)
    unknown = set(changes) - {"url", "events", "description", "is_active"}
    if unknown:
        raise ValidationError({name: _("This field cannot be changed.") for name in sorted(unknown)})
    if "events" in changes:
        changes["events"] = _clean_events(changes["events"])
    for name, value in changes.items():
        setattr(webhook, name, value.strip() if isinstance(value, str) else value)
    _validate(webhook)
    webhook.save()
    if WebhookEvent.GOAL_STATUS_CHANGED in webhook.events:
        _queue_goal_status_check(webhook.workspace_id)
    return webhook


@transaction.atomic
def webhook_secret_rotate(*, actor: User, webhook: Webhook) -> Webhook:
    """Give the webhook a new signing secret; deliveries from now on are signed with it."""
    access.ensure_can(actor, "workspace.manage", webhook)
    webhook.secret = secrets.token_urlsafe(SECRET_BYTES)
    webhook.save(update_fields=["secret", "updated_at"])
    return webhook


@transaction.atomic
def webhook_delete(*, actor: User, webhook: Webhook) -> None:
    """Remove the webhook and its delivery log. Raises PermissionDenied."""
    access.ensure_can(actor, "workspace.manage", webhook)
    webhook.delete()


# --- noting changes in the request that makes them ------------------------------------------

_local = threading.local()


class _Batch:
    """What one transaction changed, as references the worker turns into events."""

    def __init__(self) -> None:
        self.refs: list[list] = []
        self.workspace_ids: set[int] = set()

    def flush(self) -> None:
        if getattr(_local, "batch", None) is self:
            _local.batch = None
        _dispatch(self.refs, self.workspace_ids)


def _dispatch(refs: list[list], workspace_ids: set[int]) -> None:
    # One indexed query keeps workspaces without webhooks (most writes) off the broker.
    if refs and Webhook.objects.filter(workspace_id__in=workspace_ids, is_active=True).exists():
        from .. import tasks

        queue_after_commit(tasks.webhook_events_dispatch_task, refs)


def _note(kind: str, pk: int, workspace_id: int) -> None:
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        _dispatch([[kind, pk]], {workspace_id})
        return
    batch = getattr(_local, "batch", None)
    # A batch whose callback is gone (run, or dropped by a rollback) starts over.
    if batch is None or not any(item[1] == batch.flush for item in connection.run_on_commit):
        batch = _local.batch = _Batch()
        transaction.on_commit(batch.flush)
    batch.refs.append([kind, pk])
    batch.workspace_ids.add(workspace_id)


HISTORY_KINDS = {Feature: "feature", Release: "release", Goal: "goal", KeyResult: "key_result"}


def on_history_record(sender, *, instance, history_instance, **kwargs) -> None:
    """simple-history's `post_create_historical_record`: note a feature, release, goal or key
    result version for the events."""
    kind = HISTORY_KINDS.get(type(instance))
    if kind is not None:
        _note(kind, history_instance.history_id, instance.workspace_id)


def on_idea_event(sender, *, instance: IdeaEvent, created: bool, **kwargs) -> None:
    """`post_save` of `IdeaEvent`: note a submitted idea or a status change for the events."""
    if created and instance.kind in (IdeaEvent.Kind.CREATED, IdeaEvent.Kind.STATUS_CHANGED,
                                     IdeaEvent.Kind.PROMOTED, IdeaEvent.Kind.SHIPPED):
        _note("idea_event", instance.pk, instance.idea.workspace_id)


def on_check_in(sender, *, instance, created: bool, **kwargs) -> None:
    """`post_save` of `CheckIn`: a key result's value moved, so its goal's status may have."""
    if created:
        _note("key_result_value", instance.key_result_id, instance.key_result.workspace_id)


def _queue_goal_status_check(workspace_id: int) -> None:
    from .. import tasks

    queue_after_commit(tasks.webhook_goal_status_task, workspace_id)


# --- events, built by the worker ----------------------------------------------------------


def _json(value):
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _fields(model) -> list[models.Field]:
    recorded = {f.attname for f in model.history.model._meta.concrete_fields}
    return [f for f in model._meta.concrete_fields
            if f.attname in recorded and not isinstance(f, models.GeneratedField)]


def _snapshot(model, row) -> dict:
    return {f.name: getattr(row, f.attname) for f in _fields(model)}


def _differences(model, row, before) -> dict:
    changes = {}
    for f in _fields(model):
        if f.name in ("version", "updated_by", "updated_at"):
            continue
        old, new = getattr(before, f.attname), getattr(row, f.attname)
        if old != new:
            changes[f.name] = {"from": old, "to": new}
    return changes


@dataclass
class Event:
    workspace_id: int
    name: str
    data: dict
    actor_id: int | None
    occurred_at: datetime


def _history_events(model, kind: str, history_ids: list[int], products: dict) -> list[Event]:
    events = []
    rows = list(model.history.filter(history_id__in=history_ids).order_by("history_date", "history_id"))
    for row in rows:
        record = _snapshot(model, row)
        changes = {}
        if row.history_type == "+":
            action = "created"
        elif row.history_type == "-":
            action = "deleted"
        else:
            before = row.prev_record
            changes = _differences(model, row, before) if before is not None else {}
            if not changes:
                continue  # saved without a change
            moved = kind == "feature" and ({"release", "status", "product"} & set(changes))
            action = "moved" if moved else "changed"
        if kind == "feature":
            record["key"] = f"{products.get(row.product_id, '?')}-{row.number}"
        data = {kind: record}
        if changes:
            data["changes"] = changes
        events.append(Event(workspace_id=row.workspace_id, name=f"{kind}.{action}", data=data,
                            actor_id=row.history_user_id, occurred_at=row.history_date))
    return events


def _idea_events(event_ids: list[int]) -> list[Event]:
    events = []
    for item in IdeaEvent.objects.filter(pk__in=event_ids).select_related("idea").order_by("created_at", "id"):
        idea = item.idea
        record = {"id": idea.pk, "product": idea.product_id, "title": idea.title, "status": idea.status,
                  "category": idea.category, "visibility": idea.visibility, "feature": idea.feature_id,
                  "vote_count": idea.vote_count, "created_at": idea.created_at}
        if item.kind == IdeaEvent.Kind.CREATED:
            events.append(Event(idea.workspace_id, WebhookEvent.IDEA_CREATED, {"idea": record}, item.actor_id,
                                item.created_at))
        elif item.from_status != item.to_status:
            data = {"idea": record, "changes": {"status": {"from": item.from_status, "to": item.to_status}},
                    "reason": item.kind}
            events.append(Event(idea.workspace_id, WebhookEvent.IDEA_STATUS_CHANGED, data, item.actor_id,
                                item.created_at))
    return events


def webhook_events_dispatch(*, refs: Sequence[Sequence]) -> int:
    """Turn what a transaction changed (`[kind, id]` references noted by the receivers) into
    events, and queue one delivery per subscribed webhook. Returns how many were queued."""
    by_kind: dict[str, list[int]] = defaultdict(list)
    for kind, pk in refs:
        by_kind[kind].append(pk)
    feature_rows = Feature.history.filter(history_id__in=by_kind["feature"]).values_list("product_id", flat=True)
    products = dict(Product.objects.filter(pk__in=set(feature_rows)).values_list("pk", "key"))
    events = [
        *_history_events(Feature, "feature", by_kind["feature"], products),
        *_history_events(Release, "release", by_kind["release"], products),
        *_idea_events(by_kind["idea_event"]),
    ]
    goal_workspaces = set(Goal.history.filter(history_id__in=by_kind["goal"]).values_list("workspace_id", flat=True))
    goal_workspaces |= set(KeyResult.history.filter(history_id__in=by_kind["key_result"])
                           .values_list("workspace_id", flat=True))
    goal_workspaces |= set(KeyResult.objects.filter(pk__in=by_kind["key_result_value"])
                           .values_list("workspace_id", flat=True))
    queued = _deliveries_create(events)
    for workspace_id in sorted(goal_workspaces):
        queued += webhook_goal_status_check(workspace_id=workspace_id)
    return queued


def _payload(event: Event, workspace: Workspace, actors: dict, uid: uuid.UUID) -> dict:
    actor = actors.get(event.actor_id)
    return _json({
        "id": str(uid),
        "event": event.name,
        "occurred_at": event.occurred_at,
        "workspace": {"id": workspace.pk, "slug": workspace.slug, "name": workspace.name},
        "actor": {"id": actor.pk, "email": actor.email, "name": actor.display_name} if actor else None,
        "data": event.data,
    })


@transaction.atomic
def _deliveries_create(events: list[Event]) -> int:
    if not events:
        return 0
    workspace_ids = {event.workspace_id for event in events}
    hooks: dict[int, list[Webhook]] = defaultdict(list)
    for hook in Webhook.objects.filter(workspace_id__in=workspace_ids, is_active=True).select_related("workspace"):
        hooks[hook.workspace_id].append(hook)
    actors = {user.pk: user for user in User.objects.filter(pk__in={e.actor_id for e in events if e.actor_id})}
    deliveries = []
    for event in events:
        for hook in hooks.get(event.workspace_id, []):
            if event.name in hook.events:
                uid = uuid.uuid4()
                deliveries.append(WebhookDelivery(webhook=hook, uid=uid, event=event.name,
                                                  payload=_payload(event, hook.workspace, actors, uid)))
    WebhookDelivery.objects.bulk_create(deliveries)
    for delivery in deliveries:
        _queue_delivery(delivery.pk)
    return len(deliveries)


def _queue_delivery(delivery_id: int, countdown: float | None = None) -> None:
    from .. import tasks

    queue_after_commit(tasks.webhook_deliver_task, delivery_id, countdown=countdown)


def webhook_goal_status_check(*, workspace_id: int, today=None) -> int:
    """Compare the status of every goal of the workspace with the one last told to webhooks and
    send `goal.status_changed` for those that differ (only when a webhook of the workspace asks
    for it; the first check only records the statuses). Returns how many deliveries were queued."""
    if not Webhook.objects.filter(workspace_id=workspace_id, is_active=True,
                                  events__contains=[WebhookEvent.GOAL_STATUS_CHANGED]).exists():
        return 0
    goals = Goal.objects.filter(workspace_id=workspace_id)
    views = strategy_selectors.goals_with_health(goals, today=today)
    now = timezone.now()
    with transaction.atomic():
        known = dict(WebhookGoalStatus.objects.select_for_update().filter(goal__workspace_id=workspace_id)
                     .values_list("goal_id", "status"))
        events, rows = [], []
        for view in views:
            goal, status = view.goal, view.health.status
            rows.append(WebhookGoalStatus(goal_id=goal.pk, status=status, checked_at=now))
            before = known.get(goal.pk)
            if before is not None and before != status:
                data = {"goal": _json({"id": goal.pk, "name": goal.name, "product": goal.product_id,
                                       "start_date": goal.start_date, "end_date": goal.end_date,
                                       "status": status,
                                       "progress": view.health.progress}),
                        "changes": {"status": {"from": before, "to": status}}}
                events.append(Event(workspace_id, WebhookEvent.GOAL_STATUS_CHANGED, data, None, now))
        WebhookGoalStatus.objects.bulk_create(rows, update_conflicts=True, unique_fields=["goal"],
                                              update_fields=["status", "checked_at"])
        return _deliveries_create(events)


def webhook_goal_status_sweep() -> int:
    """Check goal statuses in every workspace with a webhook that asks for them (statuses also
    move with the calendar, without any write). Returns how many deliveries were queued."""
    workspace_ids = (Webhook.objects.filter(is_active=True, events__contains=[WebhookEvent.GOAL_STATUS_CHANGED])
                     .values_list("workspace_id", flat=True).distinct())
    return sum(webhook_goal_status_check(workspace_id=pk) for pk in list(workspace_ids))


def webhook_ping(*, actor: User, webhook: Webhook) -> WebhookDelivery:
    """Queue a `ping` delivery to the webhook, to try its address and its signature check."""
    access.ensure_can(actor, "workspace.manage", webhook)
    uid = uuid.uuid4()
    event = Event(webhook.workspace_id, "ping", {"webhook": {"id": webhook.pk, "url": webhook.url,
                                                            "events": webhook.events}}, actor.pk, timezone.now())
    with transaction.atomic():
        delivery = WebhookDelivery.objects.create(
            webhook=webhook, uid=uid, event="ping", payload=_payload(event, webhook.workspace, {actor.pk: actor}, uid))
        _queue_delivery(delivery.pk)
    return delivery


# --- delivering ---------------------------------------------------------------------------


def signature(secret: str, timestamp: int | str, body: bytes) -> str:
    """The `Waymark-Signature` header of `body` sent at `timestamp` (Unix seconds)."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"{SIGNATURE_VERSION}={digest}"


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to a checked address, with the certificate checked against the URL's host name."""

    def __init__(self, host: str, port: int, address: str, **kwargs) -> None:
        super().__init__(host, port, context=ssl.create_default_context(), **kwargs)
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, address: str, **kwargs) -> None:
        super().__init__(host, port, **kwargs)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


def _post(target: Target, body: bytes, headers: dict) -> tuple[int, str]:
    cls = _PinnedHTTPSConnection if target.https else _PinnedHTTPConnection
    connection = cls(target.host, target.port, target.address, timeout=settings.WEBHOOK_TIMEOUT_SECONDS)
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        excerpt = response.read(RESPONSE_EXCERPT_CHARS * 4).decode("utf-8", "replace")[:RESPONSE_EXCERPT_CHARS]
        return response.status, excerpt
    finally:
        connection.close()


def retry_delay(attempt: int) -> int:
    """Seconds to wait after failed attempt number `attempt` (1-based): doubling from
    WEBHOOK_RETRY_BASE_SECONDS, at most WEBHOOK_RETRY_MAX_SECONDS."""
    return min(settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** (attempt - 1), settings.WEBHOOK_RETRY_MAX_SECONDS)


def webhook_delivery_attempt(*, delivery_id: int, redelivery: bool = False) -> WebhookAttempt | None:
    """POST the delivery once and log the attempt; on failure, schedule the next attempt (or
    give up after WEBHOOK_MAX_ATTEMPTS). None when the delivery is gone or already done
    (a task run twice), unless `redelivery`."""
    with transaction.atomic():
        delivery = (WebhookDelivery.objects.select_for_update(of=("self",)).select_related("webhook")
                    .filter(pk=delivery_id).first())
        if delivery is None:
            return None
        if not redelivery and delivery.state in (WebhookDelivery.State.SUCCEEDED, WebhookDelivery.State.FAILED):
            return None
        webhook = delivery.webhook
        body = json.dumps(delivery.payload, separators=(",", ":"), ensure_ascii=False).encode()
        timestamp = int(time.time())
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "Waymark-Event": delivery.event,
            "Waymark-Delivery": str(delivery.uid),
            "Waymark-Timestamp": str(timestamp),
            "Waymark-Signature": signature(webhook.secret, timestamp, body),
        }
        started = time.monotonic()
        attempted_at = timezone.now()
        status_code, error, excerpt = None, "", ""
        if not webhook.is_active and not redelivery:
            error = _("The webhook is switched off.")
        else:
            try:
                target = webhook_target_check(webhook.url)
                status_code, excerpt = _post(target, body, headers)
            except ValidationError as exc:
                error = " ".join(exc.messages)
            except (OSError, http.client.HTTPException) as exc:
                error = f"{type(exc).__name__}: {exc}"[:500] or type(exc).__name__
        duration_ms = int((time.monotonic() - started) * 1000)
        attempt = WebhookAttempt.objects.create(
            delivery=delivery, attempted_at=attempted_at, status_code=status_code, duration_ms=duration_ms,
            error=error, response_excerpt=excerpt, redelivery=redelivery)
        delivery.attempt_count += 1
        delivery.last_status_code = status_code
        if attempt.succeeded:
            delivery.state, delivery.next_attempt_at, delivery.completed_at = (
                WebhookDelivery.State.SUCCEEDED, None, timezone.now())
        elif delivery.attempt_count >= settings.WEBHOOK_MAX_ATTEMPTS or not webhook.is_active or redelivery:
            delivery.state, delivery.next_attempt_at, delivery.completed_at = (
                WebhookDelivery.State.FAILED, None, timezone.now())
        else:
            delay = retry_delay(delivery.attempt_count)
            delivery.state = WebhookDelivery.State.RETRYING
            delivery.next_attempt_at = timezone.now() + timedelta(seconds=delay)
            delivery.completed_at = None
        delivery.save(update_fields=["attempt_count", "last_status_code", "state", "next_attempt_at",
                                     "completed_at"])
    attempt.delivery = delivery
    return attempt


def webhook_redeliver(*, actor: User, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivery again (the same body and id, signed anew), by the worker.
    Raises PermissionDenied."""
    access.ensure_can(actor, "workspace.manage", delivery.webhook)
    from .. import tasks

    with transaction.atomic():
        WebhookDelivery.objects.filter(pk=delivery.pk).update(state=WebhookDelivery.State.PENDING,
                                                              next_attempt_at=None, completed_at=None)
        queue_after_commit(tasks.webhook_redeliver_task, delivery.pk)
    delivery.refresh_from_db()
    return delivery


def webhook_deliveries_sweep(*, now: datetime | None = None) -> list[int]:
    """Queue again the deliveries whose attempt is overdue by more than a few minutes (a task
    lost with the broker or a worker). Returns their ids."""
    now = now or timezone.now()
    overdue = now - timedelta(minutes=5)
    due = list(WebhookDelivery.objects.filter(
        models.Q(state=WebhookDelivery.State.RETRYING, next_attempt_at__lt=overdue)
        | models.Q(state=WebhookDelivery.State.PENDING, created_at__lt=overdue, next_attempt_at__isnull=True),
    ).values_list("pk", flat=True)[:1000])
    for pk in due:
        _queue_delivery(pk)
    return due
