"""The workspace scope of the API, applied once for every endpoint of every app.

Every app's API URLs (`<app>/api/urls.py`) are served twice by `workspace_api_urls`:
- `/api/v1/w/<slug>/…`, the documented form: the request sees one workspace, the one its
  address names, as if its user were a member of no other (`access.limit_to_workspace`), so
  every selector, every id an input names and every access rule stay inside it;
- `/api/v1/…` without a workspace, kept for old scripts (answers carry `Deprecation: true`):
  served only where it cannot mix workspaces: a token limited to a workspace is limited to
  it, `?workspace=<slug>` names one, and a list or create (any address without a record id)
  of a user in several workspaces is refused with a 400 naming `workspace`.

`WorkspaceScope`, a DRF permission in `DEFAULT_PERMISSION_CLASSES`, does the scoping, and
enforces a personal token's limits (one workspace; read-only). A viewset that lists across
workspaces on purpose (the workspaces you belong to) sets `workspace_scoped = False`."""

from __future__ import annotations

import functools
from importlib import import_module

from django.urls import URLPattern, include, path
from django.utils.translation import gettext as _
from rest_framework import exceptions, permissions

from .. import access
from ..models import ApiToken, Workspace

WORKSPACE_KWARG = "ws"
UNDOCUMENTED_ATTR = "waymark_undocumented"


def _workspace(user, slug: str) -> Workspace:
    workspace = Workspace.objects.filter(slug=slug, memberships__user=user).first() if isinstance(slug, str) else None
    if workspace is None:
        raise exceptions.NotFound(_("No workspace “%(slug)s” among yours.") % {"slug": slug})
    return workspace


def _is_api_root(view) -> bool:
    from rest_framework.routers import APIRootView  # not at import: DRF's settings import this module

    return isinstance(view, APIRootView)


class WorkspaceScope(permissions.BasePermission):
    """Limits the request to one workspace (see the module's docstring) and enforces the
    limits of the personal token it came with."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return True  # IsAuthenticated, before it, answers
        access.limit_to_workspace(user, None)  # a user object reused across requests (tests) starts unlimited
        token = request.auth if isinstance(request.auth, ApiToken) else None
        if token is not None and token.read_only and request.method not in permissions.SAFE_METHODS:
            raise exceptions.PermissionDenied(_("This token is read-only."))
        slug = getattr(request, SCOPE_ATTR, None)
        if slug is None and request.method in permissions.SAFE_METHODS:
            slug = request.query_params.get("workspace") or None
        if slug is not None:
            workspace = _workspace(user, slug)
            if token is not None and token.workspace_id not in (None, workspace.pk):
                raise exceptions.PermissionDenied(
                    _("This token is limited to another workspace than “%(slug)s”.") % {"slug": workspace.slug})
            access.limit_to_workspace(user, workspace.pk)
        elif token is not None and token.workspace_id is not None:
            access.limit_to_workspace(user, token.workspace_id)
        elif (getattr(view, "workspace_scoped", True) and not _is_api_root(view)
              and not set(view.kwargs) - {"format"} and len(access.member_workspace_ids(user)) > 1):
            raise exceptions.ValidationError({"workspace": [_(
                "You are a member of several workspaces: name one in the address, /api/v1/w/<workspace slug>/…, "
                "so that lists and new records never mix them.")]})
        return True


SCOPE_ATTR = "waymark_workspace_slug"


def _scoped(view, *, undocumented: bool = False):
    """A workspace-scoped view: the slug the address names is kept on the request (where
    `WorkspaceScope` finds it) rather than handed to the viewset's handlers."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        setattr(request, SCOPE_ATTR, kwargs.pop(WORKSPACE_KWARG))
        return view(request, *args, **kwargs)

    setattr(wrapper, UNDOCUMENTED_ATTR, undocumented)
    return wrapper


def _deprecated(view):
    """An unscoped view: the same view, its answers marked as deprecated."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Deprecation"] = "true"
        response["Link"] = '</api/v1/w/>; rel="successor-version"'
        return response

    setattr(wrapper, UNDOCUMENTED_ATTR, True)
    return wrapper


def workspace_api_urls(prefix: str, modules: list[str]) -> list:
    """The URL patterns of every API URL module in `modules` (each names its `app_name`), served
    under `<prefix>w/<slug:ws>/` and, deprecated, under `<prefix>` alone; both forms in the
    module's namespace, so `reverse("releases-api:feature-list", kwargs={"ws": slug})` names the
    scoped one and the same name without `ws` the old one."""
    patterns = []
    for module_name in modules:
        module = import_module(module_name)
        scoped, unscoped = [], []
        for pattern in module.urlpatterns:
            if not isinstance(pattern, URLPattern):
                raise TypeError(f"{module_name}: the API's URL modules hold plain URL patterns, not includes")
            # A view across workspaces on purpose is documented (and not deprecated) without one.
            across = not getattr(getattr(pattern.callback, "cls", None), "workspace_scoped", True)
            scoped.append(URLPattern(pattern.pattern, _scoped(pattern.callback, undocumented=across),
                                     pattern.default_args, pattern.name))
            unscoped.append(URLPattern(pattern.pattern, pattern.callback if across else _deprecated(pattern.callback),
                                       pattern.default_args, pattern.name))
        scoped = path(f"w/<slug:{WORKSPACE_KWARG}>/", include(scoped))
        patterns.append(path(prefix, include(([scoped, *unscoped], module.app_name))))
    return patterns


def schema_without_unscoped(endpoints, **kwargs):
    """drf-spectacular preprocessing hook: the schema documents the workspace-scoped addresses
    (and, without a workspace, only the views across workspaces on purpose)."""
    return [endpoint for endpoint in endpoints if not getattr(endpoint[3], UNDOCUMENTED_ATTR, False)]


def document_workspace_parameter(result, **kwargs):
    """drf-spectacular postprocessing hook (after roadmap.api.document_error_responses): what the
    `ws` path parameter is; and the two shapes of a bulk write's 400 (the request's shape, by
    field; or the items refused, with nothing written)."""
    for address, operations in result.get("paths", {}).items():
        if address.endswith("/bulk-upsert/") and "post" in operations:
            operations["post"]["responses"]["400"] = {
                "description": "The request is invalid (by field), or errors in its items kept all of them out.",
                "content": {"application/json": {"schema": {"oneOf": [
                    {"$ref": "#/components/schemas/ValidationError"},
                    {"$ref": "#/components/schemas/BulkResult"}]}}}}
        for operation in operations.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                if parameter.get("in") == "path" and parameter.get("name") == WORKSPACE_KWARG:
                    parameter["description"] = ("The workspace's slug (GET /api/v1/workspaces/ lists yours): "
                                                "the request sees this workspace only.")
                    parameter["schema"] = {"type": "string", "pattern": "^[-a-zA-Z0-9_]+$"}
    return result
