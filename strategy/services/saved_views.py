"""Write operations for saved views.

Invariants protected here:
- a view belongs to its owner: only they rename it, change its query or share it; they or,
  for a shared view, an admin of the workspace delete it;
- a person's view names are unique per page of a product (ignoring case);
- the stored query string is the page's own (no leading "?", no CSRF token or page number),
  at most SAVED_VIEW_QUERY_MAX_LENGTH characters."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from .. import access
from ..models import Product, SavedView, User
from ..models.saved_views import SAVED_VIEW_NAME_MAX_LENGTH, SAVED_VIEW_QUERY_MAX_LENGTH

DROPPED_PARAMETERS = {"csrfmiddlewaretoken", "page", "view"}


def clean_query(query: str) -> str:
    """The query string as stored: without "?", empty values, or parameters no view keeps."""
    pairs = [(name, value) for name, value in parse_qsl((query or "").lstrip("?"), keep_blank_values=False)
             if name not in DROPPED_PARAMETERS]
    return urlencode(pairs)


def _checked(*, owner_id: int, product: Product, kind: str, name: str, query: str,
             exclude_pk: int | None = None) -> tuple[str, str]:
    errors = {}
    name = " ".join((name or "").split())
    if not name:
        errors["name"] = _("Name the view.")
    elif len(name) > SAVED_VIEW_NAME_MAX_LENGTH:
        errors["name"] = _("Keep the name to %(limit)d characters.") % {"limit": SAVED_VIEW_NAME_MAX_LENGTH}
    if kind not in SavedView.Kind.values:
        errors["kind"] = _("Choose the backlog, the board or the timeline.")
    query = clean_query(query)
    if len(query) > SAVED_VIEW_QUERY_MAX_LENGTH:
        errors["query"] = _("These filters are too long to save (%(limit)d characters at most).") % {
            "limit": SAVED_VIEW_QUERY_MAX_LENGTH}
    if "name" not in errors and "kind" not in errors:
        clash = SavedView.objects.annotate(lower=Lower("name")).filter(
            owner_id=owner_id, product=product, kind=kind, lower=name.lower())
        if exclude_pk is not None:
            clash = clash.exclude(pk=exclude_pk)
        if clash.exists():
            errors["name"] = _("You already have a view called %(name)s here.") % {"name": name}
    if errors:
        raise ValidationError(errors)
    return name, query


@transaction.atomic
def saved_view_create(*, actor: User, product: Product, kind: str, name: str, query: str = "",
                      shared: bool = False) -> SavedView:
    """Save the current query string of a product's page under a name. Raises
    PermissionDenied (not a member) or ValidationError (by field)."""
    access.ensure(access.can_save_views(actor, product))
    name, query = _checked(owner_id=actor.pk, product=product, kind=kind, name=name, query=query)
    return SavedView.objects.create(workspace_id=product.workspace_id, product=product, owner=actor, kind=kind,
                                    name=name, query=query, shared=bool(shared))


@transaction.atomic
def saved_view_update(*, actor: User, view: SavedView, name: str | None = None, query: str | None = None,
                      shared: bool | None = None) -> SavedView:
    """Rename a view, replace its query string or share it (owner only). Raises
    PermissionDenied or ValidationError."""
    access.ensure(access.can_change_saved_view(actor, view))
    name, query = _checked(owner_id=view.owner_id, product=view.product, kind=view.kind,
                           name=view.name if name is None else name, query=view.query if query is None else query,
                           exclude_pk=view.pk)
    view.name, view.query = name, query
    if shared is not None:
        view.shared = bool(shared)
    view.save(update_fields=["name", "query", "shared", "updated_at"])
    return view


@transaction.atomic
def saved_view_delete(*, actor: User, view: SavedView) -> None:
    """Delete a view: its owner, or an admin for a shared one. Raises PermissionDenied."""
    access.ensure(access.can_delete_saved_view(actor, view))
    view.delete()
