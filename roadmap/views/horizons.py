"""Two roadmap views of a product or a product line: Now / Next / Later and the release
timeline for engineers.

The horizon rules live in `roadmap.horizons`; `roadmap.compose` reads the rows and builds
what each page shows, for these pages and for share links alike. The views check access
(`workspace_view`, `product_for`), then call it and render.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from strategy.spreadsheet import SafeCsvWriter
from strategy.web import product_for, workspace_view

from ..compose import initiative_groups, now_next_later_context, release_timeline_context
from ..render.horizons import release_label

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
    context = now_next_later_context(product, timezone.localdate())
    if request.GET.get("format") == "csv":
        return now_next_later_csv(context, f"{slugify(product.key)}-now-next-later.csv")
    context.update({"workspace": workspace, "product": product, "tab": "now_next_later"})
    return render(request, "roadmap/now_next_later.html", context)


@workspace_view
@require_GET
def release_timeline(request: HttpRequest, workspace, key: str) -> HttpResponse:
    product = product_for(request, workspace, key)
    context = release_timeline_context(product, timezone.localdate())
    context.update({"workspace": workspace, "product": product, "tab": "release_timeline"})
    return render(request, "roadmap/release_timeline.html", context)
