"""The page kit every app's views use: resolving the workspace and product of a URL for
the signed-in user, building links that keep the current query string, and showing what
someone else changed when a save is refused as stale."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from datetime import date

from django.contrib.auth.decorators import login_required
from django.db import models
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpRequest

from . import access, selectors
from .context_processors import LAST_WORKSPACE_SESSION_KEY
from .models import Product


def workspace_view(view=None, *, requires: str | None = None, post_requires: str | None = None):
    """Resolve the `ws` URL part to a workspace the user belongs to (404 otherwise),
    remember it as the current one, and pass it to the view. With `requires`, refuse
    (403) before anything else when the user's role does not allow that action, so a
    viewer never sees an edit form or its validation errors. `post_requires` does the
    same for POSTs only, for pages everyone reads and some may save."""
    if view is None:
        return functools.partial(workspace_view, requires=requires, post_requires=post_requires)

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
        if post_requires and request.method == "POST":
            access.ensure_can(request.user, post_requires, workspace)
        request.workspace = workspace
        if request.session.get(LAST_WORKSPACE_SESSION_KEY) != workspace.slug:
            request.session[LAST_WORKSPACE_SESSION_KEY] = workspace.slug
        return view(request, workspace, *args, **kwargs)

    return wrapper


def product_for(request: HttpRequest, workspace, key: str) -> Product:
    """The product `key` of `workspace` as the user may see it (404 otherwise), remembered on
    the request for the sidebar."""
    # The workspace and each line are already in hand (the request's, and this list): linked
    # here rather than joined, which halves the cost of building 30 products with their people.
    # Whether each has saved views the user may open: the sidebar reads them only where there are.
    products = list(selectors.product_list(user=request.user, workspace=workspace, include_archived=True)
                    .select_related(None).select_related("owner", "updated_by")
                    .annotate(has_saved_views=Exists(selectors.saved_view_list(user=request.user)
                                                     .filter(product=OuterRef("pk")))))
    by_pk = {candidate.pk: candidate for candidate in products}
    for candidate in products:
        candidate.workspace = workspace
        candidate.parent = by_pk.get(candidate.parent_id)
    wanted = key.upper()
    product = next((candidate for candidate in products if candidate.key == wanted), None)
    if product is None:
        raise Http404("No such product.")
    request.product = product
    # The same read serves the sidebar (strategy.context_processors.navigation): one query fewer.
    request.nav_products = (workspace.pk, [candidate for candidate in products if candidate.archived_at is None])
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


def display_value(field, value) -> str:
    """A form value as people read it: names and labels rather than ids and codes, "—" when empty."""
    if value in (None, "", []) or value == set():
        return "—"
    if isinstance(value, list | tuple | set | models.QuerySet):
        return ", ".join(sorted(getattr(item, "name", str(item)) for item in value))
    if hasattr(field, "label_from_instance") and not isinstance(value, str):
        return field.label_from_instance(value)
    if isinstance(value, date):
        return f"{value.day} {value:%b %Y}"
    return str(dict(getattr(field, "choices", [])).get(value, value))


def stored_value(value):
    """A value as services store it (text trimmed with \\n line breaks, blank as None, related rows
    as their ids), so that comparing two of them lists only real differences."""
    if isinstance(value, list | tuple | set | models.QuerySet):
        return {getattr(item, "pk", item) for item in value}
    if isinstance(value, str):
        value = value.replace("\r\n", "\n").strip()
    return None if value == "" else value


def their_changes(
    form, current: models.Model, yours: Mapping[str, object], *,
    comparable: Callable[[str, object], object] = lambda name, value: stored_value(value),
    display: Callable[[object, object], str] = display_value,
) -> list[dict]:
    """After a save refused as stale: the fields of `yours` (the form's input, by field name)
    whose saved value on `current` differs, theirs beside yours as {name, label, theirs, yours};
    and the form re-armed with the current version, so that saving again is deliberate."""
    form.data = form.data.copy()
    form.data["version"] = current.version
    differences = []
    for name, value in yours.items():
        theirs = getattr(current, name)
        if isinstance(theirs, models.Manager):  # many-to-many: the related rows
            theirs = list(theirs.all())
        if comparable(name, theirs) != comparable(name, value):
            field = form.fields[name]
            differences.append({"name": name, "label": field.label, "theirs": display(field, theirs),
                                "yours": display(field, value)})
    return differences
