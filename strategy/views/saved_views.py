"""Pages of saved views: save the page you are looking at under a name, open, rename, share
and delete views. Opening a view is following its link (the page with its query string);
the sidebar lists a product's views (strategy.context_processors)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .. import access, selectors, services
from ..forms import SavedViewForm, SavedViewRenameForm, apply_service_errors
from ..models import SavedView
from ..web import product_for, workspace_view


def _list_url(view: SavedView) -> str:
    return reverse("strategy:saved_view_list", args=[view.product.workspace.slug, view.product.key])


@workspace_view
@require_GET
def saved_view_list(request: HttpRequest, workspace, key: str) -> HttpResponse:
    """The views of a product that the person may open: theirs, and those shared with the workspace."""
    product = product_for(request, workspace, key)
    views = list(selectors.saved_view_list(user=request.user, product=product).order_by("kind", "name", "id"))
    rows = [{"view": view, "mine": view.owner_id == request.user.pk,
             "can_delete": access.can_delete_saved_view(request.user, view)} for view in views]
    return render(request, "strategy/saved_view_list.html", {
        "workspace": workspace, "product": product, "rows": rows, "kinds": SavedView.Kind.choices,
    })


@workspace_view
@require_POST
def saved_view_create(request: HttpRequest, workspace, key: str) -> HttpResponse:
    """Save the page's current query string (`kind`, `query`) under `name`, `shared` or not,
    and open it. Bad input comes back as a form with the message at its field."""
    product = product_for(request, workspace, key)
    form = SavedViewForm(request.POST)
    if form.is_valid():
        try:
            view = services.saved_view_create(actor=request.user, product=product, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("View %(name)s saved.") % {"name": view.name})
            return redirect(view.url)
    return render(request, "strategy/saved_view_form.html", {
        "workspace": workspace, "product": product, "form": form, "creating": True,
        "kind_label": dict(SavedView.Kind.choices).get(form.data.get("kind"), ""),
    }, status=400)


@workspace_view
@require_http_methods(["GET", "POST"])
def saved_view_edit(request: HttpRequest, workspace, key: str, pk: int) -> HttpResponse:
    """Rename a view or change who sees it (its owner only)."""
    product = product_for(request, workspace, key)
    view = selectors.saved_view_get(user=request.user, pk=pk)
    access.ensure(access.can_change_saved_view(request.user, view) and view.product_id == product.pk)
    form = SavedViewRenameForm(request.POST or None, initial={"name": view.name, "shared": view.shared})
    if request.method == "POST" and form.is_valid():
        try:
            services.saved_view_update(actor=request.user, view=view, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("View %(name)s saved.") % {"name": view.name})
            return redirect(_list_url(view))
    return render(request, "strategy/saved_view_form.html", {
        "workspace": workspace, "product": product, "form": form, "view": view,
        "kind_label": view.get_kind_display(),
    }, status=400 if request.method == "POST" else 200)


@workspace_view
@require_http_methods(["GET", "POST"])
def saved_view_delete(request: HttpRequest, workspace, key: str, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST deletes (its owner, or an admin for a shared view)."""
    product = product_for(request, workspace, key)
    view = selectors.saved_view_get(user=request.user, pk=pk)
    access.ensure(access.can_delete_saved_view(request.user, view) and view.product_id == product.pk)
    if request.method == "POST":
        services.saved_view_delete(actor=request.user, view=view)
        messages.success(request, _("View %(name)s deleted.") % {"name": view.name})
        return redirect(_list_url(view))
    return render(request, "strategy/saved_view_delete.html", {
        "workspace": workspace, "product": product, "view": view,
    })
