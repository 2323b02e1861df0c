"""Two roadmap views of a product or a product line: Now / Next / Later and the release
timeline for engineers.

The horizon rules live in `roadmap.horizons`; `roadmap.compose` reads the rows and builds
what each page shows, for these pages and for share links alike. The views check access
(`workspace_view`, `product_for`), then call it and render.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from releases.models import Release
from strategy.spreadsheet import SafeCsvWriter
from strategy.web import product_for, query_string, workspace_view

from ..changes import parse_since
from ..compose import (
    Audience,
    cached_view,
    initiative_groups,
    now_next_later_context,
    release_feature_tables,
    release_plan_changes,
    release_timeline_context,
)
from ..render.horizons import release_label
from ..selectors import roadmap_products

CSV_COLUMNS = ("horizon", "key", "title", "status", "initiative", "release", "product")


def now_next_later_csv(context: dict, filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = SafeCsvWriter(response)
    writer.writerow(CSV_COLUMNS)
    for column in context["columns"]:
        for _initiative, items in initiative_groups(context["placed"][column.key]):
            for row, release in items:
                writer.writerow([column.title, row["key"], row["title"], row["status__name"],
                                 row["initiative__name"] or "", release_label(release) if release else "",
                                 row["product__name"]])
    return response


@workspace_view
@require_GET
def now_next_later(request: HttpRequest, workspace, key: str) -> HttpResponse:
    product = product_for(request, workspace, key)
    since, since_notice = parse_since(request.GET.get("since"), timezone.now())
    today = timezone.localdate()
    if request.GET.get("format") == "csv":
        return now_next_later_csv(now_next_later_context(product, today, since=since),
                                  f"{slugify(product.key)}-now-next-later.csv")
    # The columns come from the view cache while the plan is unchanged; the rows placed in
    # them (the CSV's) are not kept.
    product_ids = [p.pk for p in roadmap_products(product)] + ([product.pk] if product.is_line else [])
    context = cached_view("now-next-later", product_ids, (product.pk, today.isoformat(),
                                                          since.isoformat() if since else ""),
                          lambda: {name: value for name, value in now_next_later_context(
                              product, today, since=since).items() if name != "placed"})
    context.update({"workspace": workspace, "product": product, "tab": "now_next_later",
                    "notices": [since_notice] if since_notice else [],
                    "since_value": request.GET.get("since", "")[:40],
                    "changes_off_url": query_string(request, since="")})
    return render(request, "roadmap/now_next_later.html", context)


def _int(value) -> int | None:
    value = str(value or "").strip()
    return int(value) if value.isdigit() and len(value) < 10 else None


@workspace_view
@require_GET
def release_timeline(request: HttpRequest, workspace, key: str) -> HttpResponse:
    """Releases past to future; `mine=1` keeps the reader's own features, `open=<id>` opens
    a release with its features (what the lazy loading does, without JavaScript)."""
    product = product_for(request, workspace, key)
    mine = request.GET.get("mine") == "1"
    since, since_notice = parse_since(request.GET.get("since"), timezone.now())
    context = release_timeline_context(product, timezone.localdate(), audience=_audience(workspace),
                                       open_id=_int(request.GET.get("open")),
                                       assignee_id=request.user.pk if mine else None, since=since)
    # What opening a release keeps: "mine" and the moment compared with.
    kept = urlencode({name: value for name, value in (("mine", "1" if mine else ""),
                                                      ("since", since.isoformat() if since else "")) if value})
    context.update({"workspace": workspace, "product": product, "tab": "release_timeline",
                    "mine_url": query_string(request, mine="" if mine else "1", open=""),
                    "features_query": f"?{kept}" if kept else "", "open_query": f"&{kept}" if kept else "",
                    "notices": [since_notice] if since_notice else [],
                    "since_value": request.GET.get("since", "")[:40],
                    "changes_off_url": query_string(request, since="")})
    return render(request, "roadmap/release_timeline.html", context)


def _audience(workspace) -> Audience:
    return Audience.member(workspace)


@workspace_view
@require_GET
def release_features(request: HttpRequest, workspace, key: str, pk: int) -> HttpResponse:
    """One release's feature table (the release timeline loads it when a release is opened),
    marked with what changed since `since` when the timeline compares with an earlier plan."""
    product = product_for(request, workspace, key)
    product_ids = [p.pk for p in roadmap_products(product)]
    if not Release.objects.filter(pk=pk, product_id__in=product_ids).exists():
        raise Http404("No such release on this roadmap.")
    assignee_id = request.user.pk if request.GET.get("mine") == "1" else None
    since, _notice = parse_since(request.GET.get("since"), timezone.now())
    changes = release_plan_changes([pk], product_ids, since, assignee_id=assignee_id).changes if since else None
    tables = release_feature_tables([pk], product_ids, audience=_audience(workspace), assignee_id=assignee_id,
                                    changes=changes)
    return HttpResponse(tables[pk])
