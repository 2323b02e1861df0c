"""The workspace's export in its settings (admins only): what it holds, and the download."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from strategy.web import workspace_view

from ..api.backup import export_response


@workspace_view(requires="workspace.manage")
@require_GET
def workspace_export_page(request: HttpRequest, workspace) -> HttpResponse:
    return render(request, "roadmap/workspace_export.html", {"workspace": workspace})


@workspace_view(requires="workspace.manage")
@require_GET
def workspace_export_download(request: HttpRequest, workspace) -> HttpResponse:
    """The whole workspace as one JSON document, streamed."""
    return export_response(workspace)
