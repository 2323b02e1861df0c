"""Reads of notifications: a person's inbox in a workspace, their unread count (cached, as the
top bar shows it on every page) and whether they follow a feature."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable

from django.db.models import QuerySet

from strategy.models import User, Workspace

from ..models import Feature, FeatureFollow, Notification

# The count is forgotten by every write that changes it (releases.services.notifications); the
# expiry only bounds how long a change made elsewhere (a deleted feature takes its notifications
# along) can leave it wrong.
UNREAD_TTL = 300


def notification_list(*, user: User, workspace: Workspace, kind: str | None = None,
                      unread: bool | None = None) -> QuerySet[Notification]:
    """`user`'s notifications in `workspace`, newest first, loaded for the inbox (actor,
    feature and its product)."""
    found = (Notification.objects.visible_to(user).filter(recipient=user, workspace=workspace)
             .select_related("actor", "feature__product").order_by("-created_at", "-id"))
    if kind:
        found = found.filter(kind=kind)
    if unread is not None:
        found = found.filter(read_at__isnull=unread)
    return found


def notification_get(*, user: User, workspace: Workspace, pk: int) -> Notification:
    """One of `user`'s notifications. Raises Notification.DoesNotExist for anyone else's."""
    return notification_list(user=user, workspace=workspace).get(pk=pk)


def _unread_key(user_id: int, workspace_id: int) -> str:
    return f"notifications:unread:{user_id}:{workspace_id}"


def unread_count(*, user: User, workspace: Workspace) -> int:
    """How many of `user`'s notifications in `workspace` are unread: from the cache, or one
    query that refills it. A cache that does not answer only costs the query."""
    from django.core.cache import cache

    key = _unread_key(user.pk, workspace.pk)
    with contextlib.suppress(Exception):  # noqa: BLE001 - the cache is a help, never a requirement
        cached = cache.get(key)
        if cached is not None:
            return cached
    count = Notification.objects.filter(recipient=user, workspace=workspace, read_at__isnull=True).count()
    with contextlib.suppress(Exception):  # noqa: BLE001
        cache.set(key, count, UNREAD_TTL)
    return count


def unread_counts_forget(*, user_ids: Iterable[int], workspace_id: int) -> None:
    """Drop the cached unread counts of these people in the workspace (their next page recounts)."""
    from django.core.cache import cache

    with contextlib.suppress(Exception):  # noqa: BLE001 - without a cache there is nothing to forget
        cache.delete_many([_unread_key(user_id, workspace_id) for user_id in user_ids])


def follows(*, user: User) -> QuerySet[FeatureFollow]:
    """The follows of `user` that stand (by hand or automatically, and not unfollowed since)."""
    return FeatureFollow.objects.filter(user=user, is_following=True)


def is_following(*, user: User, feature: Feature) -> bool:
    """Whether `user` follows `feature` (a feature read by `feature_get` carries it as `followed`)."""
    return follows(user=user).filter(feature=feature).exists()
