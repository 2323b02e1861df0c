"""Reads of webhooks and their delivery log, for the settings pages and the API: scoped to
the workspaces where the user is an admin (only admins see webhooks and their secrets)."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from strategy import access
from strategy.models import User, Workspace

from ..models import Webhook, WebhookAttempt, WebhookDelivery

DELIVERY_LOG_SIZE = 50
ATTEMPTS_NEWEST_FIRST = WebhookAttempt.objects.order_by("-attempted_at", "-id")


def webhook_list(*, user: User, workspace: Workspace | None = None) -> QuerySet[Webhook]:
    """Webhooks of the workspaces `user` administers (of one, if given), with their workspace."""
    workspace_ids = access.workspace_ids_where(user, "workspace.manage")
    webhooks = Webhook.objects.filter(workspace_id__in=workspace_ids).select_related("workspace", "created_by")
    return webhooks.filter(workspace=workspace) if workspace is not None else webhooks


def delivery_list(*, user: User, webhook: Webhook | None = None) -> QuerySet[WebhookDelivery]:
    """Deliveries of the webhooks `user` administers (of one, if given), newest first, with
    their attempts (newest first) loaded: a fixed number of queries for any number of rows."""
    deliveries = (WebhookDelivery.objects
                  .filter(webhook__in=webhook_list(user=user))
                  .select_related("webhook__workspace")
                  .prefetch_related(Prefetch("attempts", queryset=ATTEMPTS_NEWEST_FIRST))
                  .order_by("-created_at", "-id"))
    return deliveries.filter(webhook=webhook) if webhook is not None else deliveries
