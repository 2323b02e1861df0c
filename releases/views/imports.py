"""A product's import page (upload, history), and one import's page: its preview, the
confirmation, the progress of a write running in the background, its result and its undo.
Thin: `releases.services.imports` reads, plans, writes and undoes."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from strategy.web import product_for, workspace_view

from .. import selectors, services
from ..forms import ImportUploadForm
from ..models import Import
from ..services.imports import AHA_COLUMNS, FIELD_LABELS, FIELDS, GENERIC_COLUMNS, JIRA_COLUMNS, import_size_check


def _mapping_rows(columns: dict[str, str]) -> list[tuple[str, str]]:
    """(field label, the format's columns for it), in the order of FIELDS."""
    names: dict[str, list[str]] = {}
    for column, field in columns.items():
        names.setdefault(field, []).append(column)
    return [(FIELD_LABELS[field], names[field]) for field in FIELDS if field in names]


@workspace_view(requires="releases.edit")
@require_http_methods(["GET", "POST"])
def import_list(request: HttpRequest, workspace, key: str) -> HttpResponse:
    """Upload a file to preview it; the product's earlier imports below."""
    product = product_for(request, workspace, key)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                import_size_check(upload.size)
                record = services.import_preview(actor=request.user, product=product, name=upload.name,
                                                 content=upload.read())
            except services.ImportFileError as exc:
                form.add_error("file", exc)
            else:
                return redirect("releases:import_detail", ws=workspace.slug, key=product.key, pk=record.pk)
        status = 400
    statuses = [s.name for s in selectors.status_list(user=request.user, workspace=workspace) if not s.retired_at]
    return render(request, "releases/import_list.html", {
        "workspace": workspace, "product": product, "form": form,
        "imports": list(selectors.import_list(user=request.user, product=product)[:50]),
        "statuses": statuses,
        "generic_columns": _mapping_rows(GENERIC_COLUMNS),
        "jira_columns": _mapping_rows(JIRA_COLUMNS),
        "aha_columns": _mapping_rows(AHA_COLUMNS),
        "background_rows": settings.IMPORT_BACKGROUND_ROWS,
        "max_rows": settings.IMPORT_MAX_ROWS,
    }, status=status)


def _detail_context(request, workspace, product, record: Import) -> dict:
    plan = record.plan
    counts = plan.get("counts", {})
    shown = {name: len(items) for name, items in plan.get("rows", {}).items()}
    return {
        "workspace": workspace, "product": product, "record": record, "plan": plan, "counts": counts,
        "more": {name: counts.get(name, 0) - shown.get(name, 0) for name in shown},
        "progress": services.import_progress(record),
        "result": record.result,
    }


@workspace_view(requires="releases.edit")
@require_GET
def import_detail(request: HttpRequest, workspace, key: str, pk: int) -> HttpResponse:
    """The preview (before the confirmation), the progress (while it runs), or what was
    written (after), with the undo."""
    product = product_for(request, workspace, key)
    record = selectors.import_get(user=request.user, product=product, pk=pk)
    return render(request, "releases/import_detail.html", _detail_context(request, workspace, product, record))


@workspace_view(requires="releases.edit")
@require_GET
def import_progress(request: HttpRequest, workspace, key: str, pk: int) -> HttpResponse:
    """The progress fragment the page polls while the write (or the undo) runs; once it is
    over, htmx is told to reload the page (HX-Refresh), which then shows the result."""
    product = product_for(request, workspace, key)
    record = selectors.import_get(user=request.user, product=product, pk=pk)
    response = render(request, "releases/import_detail.html#progress",
                      _detail_context(request, workspace, product, record))
    if request.htmx and record.status not in (Import.Status.RUNNING, Import.Status.UNDOING):
        response["HX-Refresh"] = "true"
    return response


@workspace_view(requires="releases.edit")
@require_POST
def import_confirm(request: HttpRequest, workspace, key: str, pk: int) -> HttpResponse:
    product = product_for(request, workspace, key)
    record = selectors.import_get(user=request.user, product=product, pk=pk)
    try:
        record = services.import_confirm(actor=request.user, record=record)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if record.status == Import.Status.DONE:
            counts = record.result["counts"]
            messages.success(request, _("Imported: %(created)d created, %(updated)d updated, %(unchanged)d "
                                        "unchanged, %(refused)d refused.") % counts)
        elif record.status == Import.Status.FAILED:
            messages.error(request, record.error)
    return redirect("releases:import_detail", ws=workspace.slug, key=product.key, pk=record.pk)


@workspace_view(requires="releases.edit")
@require_POST
def import_undo(request: HttpRequest, workspace, key: str, pk: int) -> HttpResponse:
    product = product_for(request, workspace, key)
    record = selectors.import_get(user=request.user, product=product, pk=pk)
    try:
        record = services.import_undo(actor=request.user, record=record)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if record.status == Import.Status.UNDOING:
            messages.info(request, _("Undoing the import of %(file)s in the background.") % {"file": record.file_name})
        else:
            messages.success(request, _("The import of %(file)s was undone.") % {"file": record.file_name})
    return redirect("releases:import_detail", ws=workspace.slug, key=product.key, pk=record.pk)
