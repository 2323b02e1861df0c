"""The shareable views: what a share link renders, one renderer per view.

A shared timeline carries, besides the drawing, the same timeline as a vertical list
(`roadmap.render.agenda`), which phones show instead of the drawing.

Each shareable view renders from (product, stored params, today) without a user and without
reading the request's query string: a link shows exactly its one view. The renderers call
the same composition as the pages (`roadmap.compose`) for the link's audience, which reads
only the link's product (or the products of its line) and draws no internal field: no
assignee, comment, requirement, description, customer or edit link.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from .. import selectors
from ..changes import PlanChanges
from ..models import ShareLink
from ..render.agenda import agenda_html
from ..render.timeline_table import portfolio_table, product_table
from .audience import Audience
from .cache import cached_view
from .horizons import now_next_later_context, release_timeline_context
from .timeline import portfolio_timeline, product_timeline


class _Params(dict):
    """A dict that answers `getlist`, for the filterset and parse_view_options."""

    def getlist(self, key, default=None):
        value = self.get(key)
        if value is None:
            return default or []
        return list(value) if isinstance(value, list) else [value]


@dataclass(frozen=True)
class Shared:
    title: str
    body: SafeString
    css: tuple[str, ...] = ()  # the view's own stylesheets, on top of shared_base.html's
    changes: PlanChanges | None = None


def _options(link: ShareLink, today: date) -> dict:
    """What the composition takes from a link: its stored params, and its audience."""
    return {"params": _Params(dict(link.params or {})), "today": today, "audience": Audience.shared(link)}


def _changes(changes: PlanChanges | None, today: date) -> dict:
    return {"changes": changes, "changes_summary": changes.summary(today) if changes else "",
            "changes_list": changes.ordered() if changes else []}


def _timeline(link: ShareLink, today: date, since: datetime | None) -> Shared:
    """The product timeline, without links, drag handles or people, with its legend."""
    timeline = product_timeline(link.product, **_options(link, today), since=since)
    body = render_to_string("roadmap/shared_timeline.html", {
        "timeline_html": timeline.html(), "window": timeline.layout.window, "group_label": timeline.group_label,
        "count": len(timeline.rows), "fitted": timeline.fitted, "timeline_table": product_table(timeline),
        "legend_html": mark_safe(timeline.legend().html()),  # noqa: S308 - escaped in roadmap.render.timeline
        "agenda_html": mark_safe(agenda_html(  # noqa: S308 - escaped in roadmap.render.agenda
            sections=timeline.sections, width=timeline.layout.width, axis=timeline.layout.axis,
            today_x=timeline.layout.today_x, window=timeline.layout.window, options=timeline.draw_options)),
        **_changes(timeline.changes, today)})
    return Shared(title="Timeline", body=mark_safe(body), css=("css/timeline.css",),  # noqa: S308
                  changes=timeline.changes)


def _portfolio(link: ShareLink, today: date, since: datetime | None) -> Shared:
    """A product line's products, one lane each, with their releases; no links."""
    portfolio = portfolio_timeline(link.product, **_options(link, today), since=since)
    body = render_to_string("roadmap/shared_timeline.html", {
        "timeline_html": portfolio.html, "window": portfolio.options.window, "group_label": "Product",
        "count": portfolio.feature_count if portfolio.features else None, "fitted": portfolio.fitted,
        "release_count": len(portfolio.releases), "timeline_table": portfolio_table(portfolio),
        "legend_html": mark_safe(portfolio.legend.html()),  # noqa: S308 - escaped in roadmap.render.timeline
        "agenda_html": mark_safe(agenda_html(  # noqa: S308 - escaped in roadmap.render.agenda
            sections=portfolio.sections, width=portfolio.width, axis=portfolio.axis, today_x=portfolio.today_x,
            window=portfolio.options.window, options=portfolio.draw_options)),
        **_changes(portfolio.changes, today)})
    return Shared(title="Portfolio timeline", body=mark_safe(body), css=("css/timeline.css",),  # noqa: S308
                  changes=portfolio.changes)


def _now_next_later(link: ShareLink, today: date, since: datetime | None) -> Shared:
    context = now_next_later_context(link.product, today, since=since)
    body = render_to_string("roadmap/now_next_later.html#body", context)
    return Shared(title="Now / Next / Later", body=mark_safe(body), css=("css/horizons.css",  # noqa: S308
                                                                          "css/timeline.css"),
                  changes=context["changes"])


def _release_timeline(link: ShareLink, today: date, since: datetime | None) -> Shared:
    """The release timeline without who works on what, and with estimates only when the
    link says so; every release lists its features (there is no lazy loading without links)."""
    context = release_timeline_context(link.product, today, audience=Audience.shared(link), expand_all=True,
                                       since=since)
    body = render_to_string("roadmap/release_timeline.html#body", context)
    return Shared(title="Release timeline", body=mark_safe(body), css=("css/horizons.css",  # noqa: S308
                                                                        "css/timeline.css"),
                  changes=context["changes"])


RENDERERS: dict[str, Callable[[ShareLink, date, datetime | None], Shared]] = {
    ShareLink.View.TIMELINE: _timeline,
    ShareLink.View.PORTFOLIO: _portfolio,
    ShareLink.View.NOW_NEXT_LATER: _now_next_later,
    ShareLink.View.RELEASE_TIMELINE: _release_timeline,
}


def render_shared(link: ShareLink, today: date, since: datetime | None = None) -> Shared:
    """The link's one view of its product, from its stored params and options only; with
    `since`, marked with what changed since then among what the view shows. It comes from
    the view cache while the plan and the link's options are unchanged (`cached_view`)."""
    product = link.product
    product_ids = [product.pk, *(p.pk for p in selectors.roadmap_products(product))] if product.is_line else [
        product.pk]
    parts = (link.view, json.dumps(link.params or {}, sort_keys=True), link.show_estimates, link.show_messaging,
             today.isoformat(), since.isoformat() if since else "")
    return cached_view(f"shared-{link.view}", product_ids, parts, lambda: RENDERERS[link.view](link, today, since))
