"""Share links: tokens, lookup, and the registry of shareable views.

A token is `secrets.token_urlsafe(32)` (43 characters, 256 bits). Only its SHA-256 digest is
stored, so a database dump opens nothing. `resolve` finds a link by digest and compares the
digests with `hmac.compare_digest`; unknown, revoked and expired links all answer None, and
the public view turns every None into the same plain 404.

Each shareable view renders from (product, stored params, today) without a user and without
reading the request's query string: a link shows exactly its one view. The renderers call
the same composition as the pages (`roadmap.compose`) for the link's audience, which reads
only the link's product (or the products of its line) and draws no internal field: no
assignee, comment, requirement, description, customer or edit link.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from . import compose
from .models import ShareLink
from .timeline import GroupBy

TOKEN_BYTES = 32
PREFIX_LENGTH = 6
_TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{20,100}$")

# The query parameters each view keeps; anything else is dropped at creation.
TIMELINE_KEYS = ("zoom", "group", "start", "end", "colour", "status", "initiative", "tag", "release")
PARAM_KEYS: dict[str, tuple[str, ...]] = {
    ShareLink.View.TIMELINE: TIMELINE_KEYS,
    ShareLink.View.PORTFOLIO: ("zoom", "start", "end"),
    ShareLink.View.NOW_NEXT_LATER: (),
    ShareLink.View.RELEASE_TIMELINE: (),
}
# Grouping by assignee would print people's names on a public page.
_PRIVATE_GROUPS = {GroupBy.ASSIGNEE.value}


# --- tokens -----------------------------------------------------------------------------


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def resolve(token: str, *, now=None) -> ShareLink | None:
    """The active link of `token`, or None when it is unknown, revoked or expired."""
    if not token or not _TOKEN_SHAPE.match(token):
        return None
    wanted = digest(token)
    link = ShareLink.objects.select_related("product", "workspace").filter(token_digest=wanted).first()
    if link is None or not hmac.compare_digest(link.token_digest, wanted):
        return None
    return link if link.status_at(now or timezone.now()) == "active" else None


def sanitise_params(view: str, params) -> dict:
    """Only the view's known keys, as short strings (lists for `status`)."""
    clean: dict = {}
    for key in PARAM_KEYS.get(view, ()):
        if hasattr(params, "getlist"):
            values = [v for v in params.getlist(key) if v]
        else:
            raw = params.get(key)
            values = [str(v) for v in (raw if isinstance(raw, list | tuple) else [raw]) if v not in (None, "")]
        values = [str(v).strip()[:40] for v in values][:20]
        if not values:
            continue
        if key == "group" and values[0].lower() in _PRIVATE_GROUPS:
            continue
        clean[key] = values if key == "status" else values[0]
    return clean


class _Params(dict):
    """A dict that answers `getlist`, for the filterset and parse_view_options."""

    def getlist(self, key, default=None):
        value = self.get(key)
        if value is None:
            return default or []
        return list(value) if isinstance(value, list) else [value]


# --- renderers --------------------------------------------------------------------------


@dataclass(frozen=True)
class Shared:
    title: str
    body: SafeString
    css: tuple[str, ...] = ()  # the view's own stylesheets, on top of shared_base.html's


def _options(link: ShareLink, today: date) -> dict:
    """What the composition takes from a link: its stored params, and its audience."""
    return {"params": _Params(dict(link.params or {})), "today": today, "audience": compose.Audience.shared(link)}


def _timeline(link: ShareLink, today: date) -> Shared:
    """The product timeline, without links, drag handles or people."""
    timeline = compose.product_timeline(link.product, **_options(link, today))
    body = render_to_string("roadmap/shared_timeline.html", {
        "timeline_html": timeline.html(), "window": timeline.layout.window, "group_label": timeline.group_label,
        "count": len(timeline.rows)})
    return Shared(title="Timeline", body=mark_safe(body), css=("css/timeline.css",))  # noqa: S308


def _portfolio(link: ShareLink, today: date) -> Shared:
    """A product line's products, one lane each, with their releases; no links."""
    portfolio = compose.portfolio_timeline(link.product, **_options(link, today))
    body = render_to_string("roadmap/shared_timeline.html", {
        "timeline_html": portfolio.html, "window": portfolio.options.window, "group_label": "Product",
        "count": None, "release_count": len(portfolio.releases)})
    return Shared(title="Portfolio timeline", body=mark_safe(body), css=("css/timeline.css",))  # noqa: S308


def _now_next_later(link: ShareLink, today: date) -> Shared:
    context = compose.now_next_later_context(link.product, today)
    body = render_to_string("roadmap/now_next_later.html#body", context)
    return Shared(title="Now / Next / Later", body=mark_safe(body), css=("css/horizons.css",))  # noqa: S308


def _release_timeline(link: ShareLink, today: date) -> Shared:
    """The release timeline without who works on what, and with estimates only when the
    link says so."""
    context = compose.release_timeline_context(link.product, today, audience=compose.Audience.shared(link))
    body = render_to_string("roadmap/release_timeline.html#body", context)
    return Shared(title="Release timeline", body=mark_safe(body), css=("css/horizons.css",))  # noqa: S308


RENDERERS: dict[str, Callable[[ShareLink, date], Shared]] = {
    ShareLink.View.TIMELINE: _timeline,
    ShareLink.View.PORTFOLIO: _portfolio,
    ShareLink.View.NOW_NEXT_LATER: _now_next_later,
    ShareLink.View.RELEASE_TIMELINE: _release_timeline,
}


def render_shared(link: ShareLink, today: date) -> Shared:
    """The link's one view of its product, from its stored params and options only."""
    return RENDERERS[link.view](link, today)
