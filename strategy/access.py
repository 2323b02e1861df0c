"""Who may do what. The one policy module: selectors scope reads with
`.visible_to(user)`, services call `ensure_can` before every write.

A non-member never gets here with an object of another workspace (selectors
already answered 404); a member whose role is too low gets PermissionDenied (403)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from .models import ROLES_ATTR, WORKSPACE_LIMIT_ATTR, Membership, Role

RANK = {Role.VIEWER: 1, Role.EDITOR: 2, Role.ADMIN: 3}

# action -> the lowest role allowed to do it
RULES: dict[str, Role] = {
    "workspace.manage": Role.ADMIN,  # rename, members, invitations
    # Create and revoke share links. Admins manage them (DESIGN.md); editors, who build the
    # roadmaps, may share them too (docs/roadmap.md). Viewers may not.
    "share_links.manage": Role.EDITOR,
    # Create, rotate and revoke a product's usage-event ingest keys: secrets that write data.
    "ingest_keys.manage": Role.ADMIN,
    "products.edit": Role.EDITOR,  # create, edit, archive products and product lines
    "strategy.edit": Role.EDITOR,  # vision, personas, competitors, goals, key results, initiatives
    "releases.edit": Role.EDITOR,  # releases, milestones, features, requirements, dependencies
    "releases.comment": Role.VIEWER,  # comments on features
    # Feedback: everyone votes and comments on ideas; editors triage notes, edit, merge and
    # promote ideas and keep the customer list; admins open a product's public portal.
    "feedback.vote": Role.VIEWER,
    "feedback.edit": Role.EDITOR,
    "feedback.portal": Role.ADMIN,
}


def _workspace_id(obj) -> int:
    if hasattr(obj, "workspace_id"):
        return obj.workspace_id
    return obj.pk  # a Workspace


def _roles(user) -> dict[int, str]:
    """{workspace id: role} of `user`, loaded once per user object and reused for the request."""
    if user is None or not user.is_authenticated:
        return {}
    roles = getattr(user, ROLES_ATTR, None)
    if roles is None:
        roles = dict(Membership.objects.filter(user=user).values_list("workspace_id", "role"))
        setattr(user, ROLES_ATTR, roles)
    limit = getattr(user, WORKSPACE_LIMIT_ATTR, None)
    if limit is not None:
        return {ws_id: role for ws_id, role in roles.items() if ws_id == limit}
    return roles


def limit_to_workspace(user, workspace_id: int | None) -> None:
    """From now on `user` (this object: one request's user) sees and may change one workspace
    only, as if it were a member of no other: every selector (`visible_to`) and every rule
    here follow; None lifts the limit. The workspace-scoped API sets it (`strategy.api.scoping`)."""
    setattr(user, WORKSPACE_LIMIT_ATTR, workspace_id)


def member_workspace_ids(user) -> list[int]:
    """Ids of every workspace `user` is a member of, whatever limit this request has."""
    if user is None or not user.is_authenticated:
        return []
    _roles(user)
    return list(getattr(user, ROLES_ATTR))


def remember_roles(user, roles: dict[int, str]) -> None:
    """Use `roles` ({workspace id: role}, all of the user's memberships, as a page has just
    read them) instead of querying them again for this user object."""
    if user is not None and user.is_authenticated:
        setattr(user, ROLES_ATTR, dict(roles))


def role_in(user, workspace_or_obj) -> Role | None:
    """The user's role in the object's workspace, or None."""
    role = _roles(user).get(_workspace_id(workspace_or_obj))
    return Role(role) if role else None


def forget_roles(user) -> None:
    """Drop the cached roles after a membership of `user` changed."""
    if user is not None and hasattr(user, ROLES_ATTR):
        delattr(user, ROLES_ATTR)


def can(user, action: str, obj) -> bool:
    role = role_in(user, obj)
    return role is not None and RANK[role] >= RANK[RULES[action]]


def ensure_can(user, action: str, obj) -> None:
    """Raises PermissionDenied unless `user` may do `action` on `obj`."""
    if not can(user, action, obj):
        raise PermissionDenied(_("Your role in this workspace does not allow this (%(action)s).") % {
            "action": action})


def workspace_ids_where(user, action: str) -> list[int]:
    """Ids of the workspaces where `user` may do `action`."""
    return [ws_id for ws_id, role in _roles(user).items() if RANK[Role(role)] >= RANK[RULES[action]]]


# --- saved views: personal records, so ownership rather than a role decides ----------------


def can_save_views(user, obj) -> bool:
    """Any member saves views of what they see, and may share them with the workspace."""
    return role_in(user, obj) is not None


def can_change_saved_view(user, view) -> bool:
    """Only its owner renames a view, changes its query or shares it."""
    return role_in(user, view) is not None and view.owner_id == user.pk


def can_delete_saved_view(user, view) -> bool:
    """Its owner deletes a view; an admin may also delete a view shared with the workspace."""
    return can_change_saved_view(user, view) or (view.shared and can(user, "workspace.manage", view))


def ensure(allowed: bool) -> None:
    """Raises PermissionDenied unless `allowed` (the answer of one of the checks above)."""
    if not allowed:
        raise PermissionDenied(_("Only the person who saved this view may change it."))
