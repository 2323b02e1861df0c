"""What the site layout needs from releases on every page: the inbox's unread count in the top bar."""

from __future__ import annotations

from functools import cached_property

from django.http import HttpRequest

from . import selectors


class InboxBadge:
    """The unread count, read only if the template draws it (from the cache, so a page usually
    pays no query for it)."""

    def __init__(self, user, workspace) -> None:
        self.user, self.workspace = user, workspace

    @cached_property
    def unread(self) -> int:
        return selectors.unread_count(user=self.user, workspace=self.workspace)


def inbox(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    workspace = getattr(request, "workspace", None)
    if user is None or not user.is_authenticated or workspace is None or getattr(request, "htmx", False):
        return {}
    return {"nav_inbox": InboxBadge(user, workspace)}
