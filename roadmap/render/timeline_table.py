"""Timelines as tables: the rows a timeline draws (title, status, dates, release), in a
`<details>` under the drawing, for screen readers, keyboards and print.

A drawing of bars says what it says by position and colour; this table says it in words, in
the order the drawing stacks the bars. It opens on a click (its summary is a button to a
screen reader) and always prints (static/css/timeline.css). Built with `html.escape` and
`str.join` like the drawing itself, since a timeline may hold thousands of rows."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from django.utils.safestring import SafeString, mark_safe

from releases.models import Release
from strategy.html import e

from ..timeline import Bar, Layout, format_date

_RELEASE_STATUS = dict(Release.Status.choices)
_CATEGORY_BADGE = {"not_started": "todo", "in_progress": "doing", "done": "done", "wont_do": "wont",
                   "planned": "todo", "released": "done", "cancelled": "wont"}


@dataclass(frozen=True)
class Row:
    """One bar of a timeline, in words."""

    kind: str  # "feature" or "release"
    title: str
    status: str
    category: str  # picks the status badge's colour; the status text says the same
    start: date | None
    end: date | None
    release: str
    group: str
    href: str = ""
    conflict: bool = False


def _day(day: date | None, missing: str) -> str:
    if day is None:
        return f'<span class="subtle">{missing}</span>'
    return f'<time datetime="{day.isoformat()}">{e(format_date(day))}</time>'


def _row_html(row: Row, show_group: bool, show_kind: bool) -> str:
    title = f'<a href="{e(row.href)}">{e(row.title)}</a>' if row.href else e(row.title)
    if row.conflict:
        title += ' <span class="badge badge--warning">Conflict</span>'
    badge = _CATEGORY_BADGE.get(row.category, "todo")
    kind = f'<td>{"Release" if row.kind == "release" else "Feature"}</td>' if show_kind else ""
    release = f'<td>{e(row.release) or "—"}</td>' if show_kind else ""
    group = f'<td>{e(row.group)}</td>' if show_group else ""
    return (f'<tr><th scope="row">{title}</th>{kind}'
            f'<td><span class="badge badge--dot badge--status-{badge}">{e(row.status)}</span></td>'
            f'<td>{_day(row.start, "no start date")}</td><td>{_day(row.end, "no end date")}</td>'
            f"{release}{group}</tr>")


def table_html(rows: Sequence[Row], *, caption: str, group_heading: str) -> str:
    """The rows as a table inside a closed `<details>`; nothing when there are no rows. The
    group column is left out when the timeline is grouped by release (it would repeat it), the
    kind and release columns when every row is a release (the portfolio)."""
    if not rows:
        return ""
    count = len(rows)
    show_group = group_heading != "Release"
    show_kind = any(row.kind == "feature" for row in rows)
    return (
        '<details class="rt-table" data-print-open>'
        f'<summary>Timeline as a table <span class="count">{count}</span></summary>'
        '<div class="table-wrap"><table class="table table--compact">'
        f'<caption class="sr-only">{e(caption)}</caption>'
        '<thead><tr><th scope="col">Title</th>' + ('<th scope="col">Kind</th>' if show_kind else "")
        + '<th scope="col">Status</th><th scope="col">Start</th><th scope="col">End</th>'
        + ('<th scope="col">Release</th>' if show_kind else "")
        + (f'<th scope="col">{e(group_heading)}</th>' if show_group else "") + "</tr></thead>"
        f'<tbody>{"".join(_row_html(row, show_group, show_kind) for row in rows)}</tbody></table></div></details>'
    )


def product_rows(layout: Layout, features: Iterable[Mapping], *, href: Callable[[Bar], str],
                 conflict_features: frozenset[int], conflict_releases: frozenset[int]) -> list[Row]:
    """The bars of a product timeline's layout, group by group, as rows. `features` are the
    timeline's feature rows (`releases.selectors.feature_rows`) the layout was made from."""
    by_id = {row["id"]: row for row in features}
    rows = []
    for group in layout.all_groups:
        for bar in group.bars:
            if bar.kind == "release":
                rows.append(Row("release", bar.title, str(_RELEASE_STATUS.get(bar.category, bar.category)),
                                bar.category, bar.start, bar.end, "", group.label, href(bar),
                                bar.id in conflict_releases))
                continue
            feature = by_id[bar.id]
            rows.append(Row("feature", f"{feature['key']} · {feature['title']}", feature["status__name"],
                            bar.category, bar.start, bar.end, feature["release__name"] or "", group.label,
                            href(bar), bar.id in conflict_features))
    return rows


def portfolio_rows(sections: Sequence, features: Iterable[Mapping], *, href: Callable[[Bar], str],
                   conflict_features: frozenset[int], conflict_releases: frozenset[int]) -> list[Row]:
    """The bars a portfolio timeline draws, product by product in lane order (its releases,
    then its features when shown), as rows. A product's lane is the section that links to it;
    the feature sections under it follow."""
    by_id = {row["id"]: row for row in features}
    rows, product = [], ""
    for section in sections:
        if section.group.kind == "releases":
            product = section.label or section.group.label
        for bar in section.group.bars:
            if bar.kind == "release":
                rows.append(Row("release", bar.title, str(_RELEASE_STATUS.get(bar.category, bar.category)),
                                bar.category, bar.start, bar.end, "", product, href(bar), bar.id in conflict_releases))
                continue
            feature = by_id[bar.id]
            rows.append(Row("feature", f"{feature['key']} · {feature['title']}", feature["status__name"],
                            bar.category, bar.start, bar.end, feature["release__name"] or "", product,
                            href(bar), bar.id in conflict_features))
    return rows


def product_table(timeline) -> SafeString:
    """The table of a `roadmap.compose.ProductTimeline`, as drawn (its window, filters, grouping)."""
    options = timeline.draw_options
    window = timeline.layout.window
    rows = product_rows(timeline.layout, timeline.rows, href=options.href,
                        conflict_features=options.conflict_features, conflict_releases=options.conflict_releases)
    caption = f"Features and releases from {format_date(window.start)} to {format_date(window.end)}"
    return mark_safe(table_html(rows, caption=caption, group_heading=timeline.group_label))  # noqa: S308 - escaped


def portfolio_table(portfolio) -> SafeString:
    """The table of a `roadmap.compose.PortfolioTimeline`: the releases (and features, when
    shown) it draws in its window, linked as its bars are (members only)."""
    options = portfolio.draw_options
    window = portfolio.options.window
    rows = portfolio_rows(portfolio.sections, portfolio.rows, href=options.href,
                          conflict_features=options.conflict_features, conflict_releases=options.conflict_releases)
    what = "Releases and features" if portfolio.features else "Releases"
    caption = f"{what} from {format_date(window.start)} to {format_date(window.end)}, by product"
    return mark_safe(table_html(rows, caption=caption, group_heading="Product"))  # noqa: S308 - escaped
