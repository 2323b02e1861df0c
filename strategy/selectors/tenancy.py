"""Reads shared by pages and the API, scoped to what the user may see and loaded
so that a page costs a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, F, Q, QuerySet, Value
from django.db.models.functions import Coalesce, Lower, NullIf
from django.shortcuts import get_object_or_404

from ..models import ApiToken, Invitation, Membership, Product, Role, User, Workspace


def workspace_list(*, user: User) -> QuerySet[Workspace]:
    """Workspaces `user` belongs to, with their role in each as `role`."""
    return (
        Workspace.objects.visible_to(user)
        .annotate(role=F("memberships__role"))
        .order_by("name")
    )


def workspace_get(*, user: User, slug: str) -> Workspace:
    """Raises Http404 when the workspace does not exist or `user` is not a member."""
    return get_object_or_404(workspace_list(user=user), slug=slug)


def membership_list(*, user: User, workspace: Workspace) -> QuerySet[Membership]:
    return (
        Membership.objects.visible_to(user)
        .filter(workspace=workspace)
        .select_related("user")
        .order_by(Lower(Coalesce(NullIf("user__full_name", Value("")), "user__email")))
    )


def membership_get(*, user: User, workspace: Workspace, pk: int) -> Membership:
    return get_object_or_404(membership_list(user=user, workspace=workspace), pk=pk)


def member_users(*, workspace: Workspace | None = None, user: User | None = None) -> QuerySet[User]:
    """The people of a workspace, by name: choices for owners and assignees. Without a
    workspace, the people of every workspace `user` belongs to (the API's input)."""
    if workspace is not None:
        return User.objects.filter(memberships__workspace=workspace).order_by("full_name", "email")
    return (User.objects.filter(memberships__workspace__in=Workspace.objects.visible_to(user))
            .distinct().order_by("full_name", "email"))


def role_counts(*, workspace: Workspace) -> dict[str, int]:
    """Number of members per role, in one query."""
    counts = workspace.memberships.aggregate(
        **{role: Count("pk", filter=Q(role=role)) for role in Role.values}
    )
    return counts


def invitation_list(*, user: User, workspace: Workspace) -> QuerySet[Invitation]:
    """Pending invitations of a workspace (members of it only)."""
    return (
        Invitation.objects.filter(workspace__in=Workspace.objects.visible_to(user), workspace=workspace)
        .pending()
        .select_related("invited_by")
    )


def invitation_get(*, user: User, workspace: Workspace, pk: int) -> Invitation:
    return get_object_or_404(invitation_list(user=user, workspace=workspace), pk=pk)


def product_list(
    *, user: User, workspace: Workspace | None = None, include_archived: bool = False
) -> QuerySet[Product]:
    """Products and product lines `user` may see (of one workspace, if given),
    with workspace, owner and line loaded."""
    products = (
        Product.objects.visible_to(user)
        .select_related("workspace", "owner", "parent")
        .order_by("name")
    )
    if workspace is not None:
        products = products.filter(workspace=workspace)
    if not include_archived:
        products = products.active()
    return products


def product_get(*, user: User, workspace: Workspace, key: str) -> Product:
    """Any product of the workspace, archived ones included. Raises Http404."""
    return get_object_or_404(
        product_list(user=user, workspace=workspace, include_archived=True).select_related("updated_by"),
        key=key.upper(),
    )


def product_line_choices(*, user: User, workspace: Workspace) -> QuerySet[Product]:
    return product_list(user=user, workspace=workspace).filter(kind=Product.Kind.LINE)


def product_lineage_ids(product: Product) -> list[int]:
    """The product and the product lines above it, nearest first."""
    ids, node, seen = [], product, set()
    while node is not None and node.pk not in seen:
        ids.append(node.pk)
        seen.add(node.pk)
        node = node.parent
    return ids


@dataclass
class PortfolioNode:
    product: Product
    depth: int
    children: list[PortfolioNode] = field(default_factory=list)


def portfolio_tree(products: list[Product]) -> list[PortfolioNode]:
    """Arrange already-loaded products into product lines and their products,
    depth-first, in name order. A product whose line is not in `products`
    (filtered out or archived) is shown at the top level."""
    nodes = {p.pk: PortfolioNode(product=p, depth=0) for p in products}
    roots: list[PortfolioNode] = []
    for product in products:
        parent = nodes.get(product.parent_id)
        (parent.children if parent else roots).append(nodes[product.pk])

    def sort_key(node: PortfolioNode):
        return (not node.product.is_line, node.product.name.lower())

    ordered: list[PortfolioNode] = []

    def walk(level: list[PortfolioNode], depth: int, seen: set[int]) -> None:
        for node in sorted(level, key=sort_key):
            if node.product.pk in seen:
                continue
            seen.add(node.product.pk)
            node.depth = depth
            ordered.append(node)
            walk(node.children, depth + 1, seen)

    walk(roots, 0, set())
    return ordered


def api_token_list(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).select_related("workspace").order_by(
        F("revoked_at").asc(nulls_first=True), "-created_at")


def api_token_get(*, user: User, pk: int) -> ApiToken:
    return get_object_or_404(api_token_list(user=user), pk=pk)
