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


def idea_rows_html(rows: list) -> SafeString:
    """The <tr>s of the ideas list, built in Python from the page's IdeaRows: fifty rows
    through template loops and includes cost most of the page's time (DESIGN.md,
    performance habits). Every text and attribute is escaped."""
    parts = []
    for row in rows:
        internal = ('<span class="badge badge--outline fb-internal" title="Members only: not on the portal">'
                    'Internal</span>') if row.internal else ""
        category = (f'<span class="fb-category">{e(row.category)}</span>' if row.category
                    else '<span class="subtle">—</span>')
        trend = (f'<span class="fb-trend" title="{row.trend} vote{"" if row.trend == 1 else "s"} in the last 30 days">'
                 f'+{row.trend}</span>' if row.trend else '<span class="subtle">0</span>')
        feature = (f'<a class="fkey" href="{e(row.feature_url)}" title="{e(row.feature_title)}">'
                   f'{e(row.feature_key)}</a>' if row.feature_key else '<span class="subtle">—</span>')
        parts.append(
            f'<tr><td class="fb-ideas__title"><a class="row-link fb-clamp" href="{e(row.url)}" title="{e(row.title)}">'
            f'{e(row.title)}</a> <span class="fb-num">#{row.pk}</span>{" " + internal if internal else ""}</td>'
            f'<td data-label="Status"><span class="badge badge--dot badge--status-{row.badge}">{e(row.status_label)}'
            f'</span></td>'
            f'<td data-label="Category">{category}</td>'
            f'<td data-label="Votes" class="col-num"><strong>{row.votes}</strong></td>'
            f'<td data-label="Weighted demand" class="fb-ideas__demand"><span class="fb-demand" '
            f'title="{e(row.demand_text)} from the customers behind its votes and feedback">'
            f'<span class="fb-demand__bar" aria-hidden="true"><span style="width: {row.demand_percent}%"></span></span>'
            f'<span class="fb-demand__figure">{e(row.demand_text)}</span></span></td>'
            f'<td data-label="Trend" class="col-num">{trend}</td>'
            f'<td data-label="Feature">{feature}</td>'
            f'<td data-label="Added" class="col-shrink subtle small"><time datetime="{row.created_at:%Y-%m-%d}">'
            f'{row.created_at.day} {row.created_at:%b %Y}</time></td></tr>'
        )
    return safe_join(parts)


def breakdown_rows_html(rows: list[dict], customer_url: str) -> SafeString:
    """The <tr>s of an idea's demand breakdown (one per customer, hundreds on a popular
    idea), built in Python like the ideas list's rows. `customer_url` is a customer page's
    URL with 0 in place of the id."""
    parts = []
    prefix, _zero, suffix = customer_url.rpartition("/0/")
    for row in rows:
        via = "".join(
            f'<span class="fb-via fb-via--{kind}"'
            + (f' title="{row["people"]} people of {e(row["name"])} voted">{kind} ×{row["people"]}'
               if kind == "vote" and row["people"] > 1 else f">{kind}")
            + "</span>" for kind in row["via"])
        parts.append(
            f'<tr><td><a href="{e(prefix)}/{row["customer_id"]}/{e(suffix)}">{e(row["name"])}</a></td>'
            f'<td class="nowrap">{e(row["segment_label"])}</td><td class="nowrap">{via}</td>'
            f'<td class="col-num">{e(row["revenue_text"])}</td>'
            f'<td class="fb-share"><span class="fb-demand"><span class="fb-demand__bar" aria-hidden="true">'
            f'<span style="width: {row["share"]}%"></span></span>'
            f'<span class="fb-share__figure">{row["share"]} %</span></span></td></tr>')
    return safe_join(parts)
