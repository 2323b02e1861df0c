"""The workspace search (`roadmap:search`): the page of results, and the same results as the
top bar's dropdown when htmx asks. An exact feature key ("SHOP-16") goes straight to the
feature. The reads are `roadmap.selectors.workspace_search`, which the API shares."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from strategy.web import query_string, workspace_view

from ..render.search import search_hits
from ..selectors import KINDS, workspace_search
from ..selectors.search import DROPDOWN_LIMIT


@require_GET
@workspace_view
def workspace_search_page(request: HttpRequest, workspace) -> HttpResponse:
    text = request.GET.get("q", "")
    if request.htmx:
        results = workspace_search(user=request.user, workspace=workspace, text=text, limit=DROPDOWN_LIMIT)
        return render(request, "roadmap/_search_dropdown.html", {
            "workspace": workspace, "results": results,
            "jump_html": search_hits([results.jump] if results.jump else [], snippet=False),
            "groups": [(group, search_hits(group.hits, snippet=False)) for group in results.groups]})
    results = workspace_search(user=request.user, workspace=workspace, text=text, kind=request.GET.get("kind", ""))
    if results.jump is not None and not results.kind:
        return redirect(results.jump.url)
    return render(request, "roadmap/search.html", {
        "workspace": workspace,
        "results": results,
        "jump_html": search_hits([results.jump] if results.jump else [], snippet=False),
        "groups": [(group, search_hits(group.hits, snippet=True)) for group in results.groups],
        "kinds": [(kind.name, kind.label) for kind in KINDS],
        "all_url": query_string(request, kind=None),
    })
