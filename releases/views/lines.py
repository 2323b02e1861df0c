"""A product line's Backlog, Board and Releases: its products' work rolled up, with the product
as a column and a filter. A line has no features or releases of its own, so these pages read
its products' (`releases.selectors.lines`); ranking, dragging and editing stay in each
product's own pages, which these link to. The backlog's rows are built in Python (DESIGN.md,
performance habits)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from strategy.html import e, safe_join
from strategy.models import Product, Workspace
from strategy.web import query_string

from .. import selectors
from ..models import Release, StatusCategory
from ..render import backlog_more_row, format_points

CATEGORY_BADGES = {StatusCategory.NOT_STARTED: "todo", StatusCategory.IN_PROGRESS: "doing",
                   StatusCategory.DONE: "done", StatusCategory.WONT_DO: "wont"}


def _chosen(request: HttpRequest, products: list[Product]) -> tuple[list[Product], str]:
    """The products the `?product=KEY` filter keeps (all when empty or unknown) and its key."""
    key = request.GET.get("product", "").strip().upper()
    chosen = [product for product in products if product.key == key]
    return (chosen, key) if chosen else (products, "")


def _context(request: HttpRequest, workspace: Workspace, line: Product, products: list[Product], key: str) -> dict:
    return {"workspace": workspace, "product": line, "products": products, "product_filter": key,
            "clear_url": request.path}


def _backlog_rows(rows: list[dict], names: dict[int, str], slug: str, previous: int | None = None) -> str:
    """The rows, each product's under its heading; `previous`: the product of the row just
    before these (a window that continues a product's group does not repeat its heading)."""
    parts = []
    current = previous
    for row in rows:
        if row["product_id"] != current:
            current = row["product_id"]
            parts.append(f'<tr class="line-group"><th scope="colgroup" colspan="8">{e(names.get(current, ""))} '
                         f'<span class="badge badge--key">{e(row["product_key"])}</span></th></tr>')
        url = reverse("releases:feature_detail", args=[slug, row["product_key"], row["number"]])
        who = row["assignee__full_name"] or row["assignee__email"] or ""
        end = row["end_date"] or row["release__release_date"]
        badge = CATEGORY_BADGES.get(row["status__category"], "todo")
        parts.append(
            f'<tr data-key="{e(row["product_key"])}-{row["number"]}"><td class="nowrap">'
            f'<a class="badge badge--key" href="{e(url)}">{e(row["product_key"])}-{row["number"]}</a></td>'
            f'<td><a class="row-link" href="{e(url)}">{e(row["title"])}</a></td>'
            f'<td class="nowrap" data-label="Product">{e(names.get(row["product_id"], ""))}</td>'
            f'<td class="nowrap" data-label="Status"><span class="badge badge--dot badge--status-{badge}">'
            f'{e(row["status__name"])}</span></td>'
            f'<td data-label="Release">{e(row["release__name"] or "—")}</td>'
            f'<td class="hide-sm" data-label="Assignee">{e(who or "—")}</td>'
            f'<td class="num" data-label="Estimate">{e(format_points(row["estimate"]) or "—")}</td>'
            f'<td class="nowrap hide-sm" data-label="Ends">{e(end.strftime("%-d %b %Y") if end else "—")}</td></tr>')
    return safe_join(parts)


def _line_window(request: HttpRequest, workspace: Workspace, line: Product, products: list[Product],
                 chosen: list[Product], offset: int) -> tuple[str, int, int]:
    """(the rows of the window at `offset` and the row that fetches the next, rows shown, total)."""
    rows = selectors.line_open_features(user=request.user, products=chosen, offset=offset) if chosen else []
    previous = None
    if offset and rows:
        previous = rows.pop(0)["product_id"]
    end = offset + len(rows)
    total = end if len(rows) < selectors.LINE_BACKLOG_WINDOW else \
        selectors.line_open_feature_count(user=request.user, products=chosen)
    html = _backlog_rows(rows, {p.pk: p.name for p in products}, workspace.slug, previous)
    if end < total:
        html += backlog_more_row(
            url=reverse("releases:backlog_rows", args=[workspace.slug, line.key]) + query_string(request, offset=end),
            page_url=request.path.removesuffix("rows/") + query_string(request, offset=end), shown=end, total=total,
            next_count=min(selectors.LINE_BACKLOG_WINDOW, total - end), columns=8)
    return html, len(rows), total


def line_backlog(request: HttpRequest, workspace: Workspace, line: Product) -> HttpResponse:
    """The open features of every product of the line, by product then each product's rank,
    filtered by product; ranking stays in each product's backlog. One window of them (`?offset=`);
    the row after it fetches the next as the person scrolls (`line_backlog_rows`)."""
    products = selectors.line_products(line=line)
    chosen, key = _chosen(request, products)
    offset = int(request.GET["offset"]) if request.GET.get("offset", "").isdigit() else 0
    rows_html, row_count, total = _line_window(request, workspace, line, products, chosen, offset)
    return render(request, "releases/line_backlog.html", {
        **_context(request, workspace, line, products, key),
        "rows_html": rows_html, "row_count": row_count, "total": total,
        "first_shown": offset + 1, "last_shown": offset + row_count,
    })


def line_backlog_rows(request: HttpRequest, workspace: Workspace, line: Product) -> HttpResponse:
    """The next window of a line's backlog (`?offset=`, with its product filter), for htmx."""
    products = selectors.line_products(line=line)
    chosen, _key = _chosen(request, products)
    offset = int(request.GET["offset"]) if request.GET.get("offset", "").isdigit() else 0
    return HttpResponse(_line_window(request, workspace, line, products, chosen, offset)[0],
                        content_type="text/html; charset=utf-8")


def line_board(request: HttpRequest, workspace: Workspace, line: Product) -> HttpResponse:
    """Features of each product of the line by status category, linking to each product's
    board: cards move within one product's workflow and rank, so a line has no board of its own."""
    products = selectors.line_products(line=line)
    counts = selectors.line_status_counts(user=request.user, products=products)
    categories = [(value, label, CATEGORY_BADGES[value]) for value, label in StatusCategory.choices]
    table = [(product, [counts[product.pk].get(value, 0) for value, _label, _badge in categories])
             for product in products]
    totals = [sum(row[1][i] for row in table) for i in range(len(categories))]
    return render(request, "releases/line_board.html", {
        **_context(request, workspace, line, products, ""),
        "categories": categories, "table": table, "totals": totals,
    })


def line_release_list(request: HttpRequest, workspace: Workspace, line: Product) -> HttpResponse:
    """Every release of the line's products in date order, with its product and progress,
    filtered by product and by status (`?status=open` by default: not released or cancelled)."""
    products = selectors.line_products(line=line)
    chosen, key = _chosen(request, products)
    status = request.GET.get("status", "open")
    rows = selectors.line_releases(user=request.user, products=chosen) if chosen else []
    if status == "open":
        rows = [r for r in rows if r["status"] in (Release.Status.PLANNED, Release.Status.IN_PROGRESS)]
    elif status in Release.Status.values:
        rows = [r for r in rows if r["status"] == status]
    else:
        status = "all"
    labels = dict(Release.Status.choices)
    today = timezone.localdate()
    for row in rows:
        row["status_label"] = labels[row["status"]]
        row["percent"] = 100 * row["done_count"] / row["feature_count"] if row["feature_count"] else 0
        row["late"] = row["status"] in (Release.Status.PLANNED, Release.Status.IN_PROGRESS) \
            and row["release_date"] < today
    return render(request, "releases/line_release_list.html", {
        **_context(request, workspace, line, products, key),
        "rows": rows, "status": status,
        "statuses": [("open", "Still to ship"), *Release.Status.choices, ("all", "All")],
    })
