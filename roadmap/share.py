"""Share links: tokens, lookup, and the registry of shareable views.

A token is `secrets.token_urlsafe(32)` (43 characters, 256 bits). Only its SHA-256 digest is
stored, so a database dump opens nothing. `resolve` finds a link by digest and compares the
digests with `hmac.compare_digest`; unknown, revoked and expired links all answer None, and
the public view turns every None into the same plain 404.

Each shareable view renders from (product, stored params, today) without a user and without
reading the request's query string: a link shows exactly its one view. The renderers read
only the link's product (or the products of its line) and draw no internal field: no
assignee, comment, requirement, description, customer or edit link.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from releases import selectors as release_selectors
from releases.filters import FeatureFilterSet
from releases.models import Dependency, Feature, Release, WorkflowStatus
from strategy.models import Product

from . import render_timeline as draw
from . import views_horizons, views_timeline
from .models import ShareLink
from .timeline import HEADER_HEIGHT, RELEASE_LANE_HEIGHT, Group, GroupBy, layout_timeline, parse_view_options

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


def _timeline(link: ShareLink, today: date) -> Shared:
    """The product timeline, without links, drag handles or people."""
    product, params = link.product, dict(link.params or {})
    query = _Params(params)
    options, _notices = parse_view_options(query, today)
    if options.group is GroupBy.ASSIGNEE:  # sanitised at creation; kept out here too
        options = type(options)(zoom=options.zoom, group=GroupBy.RELEASE, window=options.window)
    colour = "initiative" if query.get("colour") == "initiative" else "status"
    filterset = FeatureFilterSet(query, queryset=Feature.objects.filter(product=product))
    rows = release_selectors.feature_rows(filterset.qs)
    releases = list(Release.objects.filter(product=product).prefetch_related("milestones")
                    .order_by("release_date", "name", "id"))
    dependencies = list(Dependency.objects.filter(feature__product=product)
                        .values_list("feature_id", "depends_on_id"))
    conflicts = release_selectors.ConflictIndex.of(release_selectors.conflicts_for(product=product))
    goal_of = views_timeline._goals_by_feature(product) if options.group is GroupBy.GOAL else {}
    items = views_timeline._feature_items(rows, options.group, colour, goal_of)
    statuses = []
    if options.group is GroupBy.STATUS:
        statuses = list(WorkflowStatus.objects.filter(workspace_id=product.workspace_id).order_by("position"))
    layout = layout_timeline(features=items, window=options.window, zoom=options.zoom, today=today,
                             releases=views_timeline._release_items(releases), dependencies=dependencies,
                             groups=views_timeline._declared_groups(options.group, releases, statuses))
    draw_options = draw.DrawOptions(conflict_features=frozenset(conflicts.by_feature),
                                    conflict_releases=frozenset(conflicts.by_release),
                                    initiative_colours=colour == "initiative")
    counts = Counter(item.group_key for item in items)
    html = draw.timeline_html(sections=views_timeline._sections(layout, counts), width=layout.width,
                              height=layout.height, axis=layout.axis, today_x=layout.today_x,
                              window=layout.window, zoom=layout.zoom, options=draw_options, layout=layout,
                              corner=dict(views_timeline.GROUPS)[options.group])
    body = render_to_string("roadmap/shared_timeline.html", {
        "timeline_html": mark_safe(html),  # noqa: S308 - built with html.escape in render_timeline
        "window": layout.window, "group_label": dict(views_timeline.GROUPS)[options.group],
        "count": len(rows)})
    return Shared(title="Timeline", body=mark_safe(body), css=("css/timeline.css",))  # noqa: S308


def _portfolio(link: ShareLink, today: date) -> Shared:
    """A product line's products, one lane each, with their releases; no links."""
    line, params = link.product, dict(link.params or {})
    options, _notices = parse_view_options(_Params(params), today)
    children = list(Product.objects.filter(parent=line, workspace_id=line.workspace_id,
                                           archived_at__isnull=True).order_by("name", "id"))
    releases = list(Release.objects.filter(product__in=children).prefetch_related("milestones")
                    .order_by("product_id", "release_date", "name", "id"))
    by_product: dict[int, list[Release]] = {child.pk: [] for child in children}
    for release in releases:
        by_product[release.product_id].append(release)
    conflicts = release_selectors.plan_for(product_ids=[child.pk for child in children]).conflicts
    sections, dy, width, axis, today_x = [], 0.0, 0.0, None, None
    for child in children:
        layout = layout_timeline(features=(), window=options.window, zoom=options.zoom, today=today,
                                 releases=views_timeline._release_items(by_product[child.pk]))
        width, axis, today_x = layout.width, layout.axis, layout.today_x
        group = layout.releases
        if group is None:
            group = Group("", child.name, "releases", 0.0, float(HEADER_HEIGHT + RELEASE_LANE_HEIGHT), 0, (),
                          (), (), ())
        sections.append(draw.Section(group=group, dy=dy, label=child.name, meta=child.key))
        dy += group.height
    if axis is None:
        empty = layout_timeline(features=(), window=options.window, zoom=options.zoom, today=today)
        width, axis, today_x = empty.width, empty.axis, empty.today_x
    html = draw.timeline_html(sections=sections, width=width, height=max(dy, 1.0), axis=axis, today_x=today_x,
                              window=options.window, zoom=options.zoom,
                              options=draw.DrawOptions(conflict_releases=frozenset(conflicts.by_release)),
                              corner="Products")
    body = render_to_string("roadmap/shared_timeline.html", {
        "timeline_html": mark_safe(html),  # noqa: S308 - built with html.escape in render_timeline
        "window": options.window, "group_label": "Product", "count": None, "release_count": len(releases)})
    return Shared(title="Portfolio timeline", body=mark_safe(body), css=("css/timeline.css",))  # noqa: S308


def _now_next_later(link: ShareLink, today: date) -> Shared:
    context = views_horizons.now_next_later_context(link.product, today)
    body = render_to_string("roadmap/now_next_later.html#body", context)
    return Shared(title="Now / Next / Later", body=mark_safe(body), css=("css/horizons.css",))  # noqa: S308


def _release_timeline(link: ShareLink, today: date) -> Shared:
    """The release timeline without who works on what, and with estimates only when the
    link says so."""
    context = views_horizons.release_timeline_context(link.product, today, show_assignees=False,
                                                      show_estimates=link.show_estimates)
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
