"""How the feedback pages show things: an idea status as a chip, money as people say it (the
same figures as the feature page's demand panel), a note's text with its highlighted
passage marked. Pure: no database, no request."""

from __future__ import annotations

from decimal import Decimal

from django.utils.safestring import SafeString

from strategy.html import e, safe_join

from ..extensions import money
from ..models import Idea

__all__ = ["STATUS_BADGE", "STATUS_LABEL", "highlighted", "money", "percent_of"]

# Idea statuses in the status-category colours (not started grey, in progress blue, done
# green, won't do muted); under review and planned are shades of "not started yet".
STATUS_BADGE = {
    Idea.Status.NEW: "todo",
    Idea.Status.UNDER_REVIEW: "review",
    Idea.Status.PLANNED: "planned",
    Idea.Status.IN_PROGRESS: "doing",
    Idea.Status.SHIPPED: "done",
    Idea.Status.DECLINED: "wont",
}
STATUS_LABEL = dict(Idea.Status.choices)


def highlighted(text: str, highlight: str) -> SafeString:
    """The note's text, escaped, with the first occurrence of `highlight` wrapped in <mark>."""
    at = text.find(highlight) if highlight else -1
    if at < 0:
        return safe_join([e(text)])
    end = at + len(highlight)
    return safe_join([e(text[:at]), "<mark>", e(text[at:end]), "</mark>", e(text[end:])])


def percent_of(value, top) -> int:
    """`value` as a whole percentage of `top` (0 when top is 0); at least 1 for anything above 0."""
    if not top or not value:
        return 0
    return max(1, min(100, round(100 * Decimal(value) / Decimal(top))))
