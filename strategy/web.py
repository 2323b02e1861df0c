"""The page kit every app's views use: resolving the workspace and product of a URL for
the signed-in user, and building links that keep the current query string."""

from __future__ import annotations

import functools

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest

from . import access, selectors
from .context_processors import LAST_WORKSPACE_SESSION_KEY
from .models import Product


def workspace_view(view=None, *, requires: str | None = None):
    """Resolve the `ws` URL part to a workspace the user belongs to (404 otherwise),
    remember it as the current one, and pass it to the view. With `requires`, refuse
    (403) before anything else when the user's role does not allow that action, so a
    viewer never sees an edit form or its validation errors."""
    if view is None:
        return functools.partial(workspace_view, requires=requires)

    @functools.wraps(view)
    @login_required
    def wrapper(request: HttpRequest, ws: str, *args, **kwargs):
        # One query gives the current workspace, every role of the user (for the access checks)
        # and the workspace switcher's list.
        workspaces = list(selectors.workspace_list(user=request.user))
        workspace = next((w for w in workspaces if w.slug == ws), None)
        if workspace is None:
            raise Http404
        access.remember_roles(request.user, {w.pk: w.role for w in workspaces})
        request.nav_workspaces = workspaces
        if requires:
            access.ensure_can(request.user, requires, workspace)
        request.workspace = workspace
        if request.session.get(LAST_WORKSPACE_SESSION_KEY) != workspace.slug:
            request.session[LAST_WORKSPACE_SESSION_KEY] = workspace.slug
        return view(request, workspace, *args, **kwargs)

    return wrapper


def product_for(request: HttpRequest, workspace, key: str) -> Product:
    """The product `key` of `workspace` as the user may see it (404 otherwise), remembered on
    the request for the sidebar."""
    product = selectors.product_get(user=request.user, workspace=workspace, key=key)
    request.product = product
    return product


def query_string(request: HttpRequest, **changes) -> str:
    """The current query string with `changes` (None or "" removes a parameter)."""
    params = request.GET.copy()
    for name, value in changes.items():
        if value:
            params[name] = value
        else:
            params.pop(name, None)
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"
