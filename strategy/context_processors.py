"""What the site layout needs on every page: the workspace switcher and the sidebar portfolio."""

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from . import access, selectors

LAST_WORKSPACE_SESSION_KEY = "waymark.workspace"


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    if getattr(request, "htmx", False):
        return {}  # partials draw no layout
    workspace = getattr(request, "workspace", None)
    if workspace is None:
        # Pages outside a workspace (account, password) keep the last one's sidebar.
        last = request.session.get(LAST_WORKSPACE_SESSION_KEY)
        workspace = selectors.workspace_list(user=user).filter(slug=last).first() if last else None
    context = {
        # Lazy: evaluated only if the template draws the switcher.
        "nav_workspaces": getattr(request, "nav_workspaces", None) or selectors.workspace_list(user=user),
        "current_workspace": workspace,
        "current_product": getattr(request, "product", None),
    }
    if workspace is not None:
        known = getattr(request, "nav_products", None)  # read already by strategy.web.product_for
        # The sidebar draws names, keys and lines only: no people or workspace joined.
        products = known[1] if known and known[0] == workspace.pk else list(
            selectors.product_list(user=user, workspace=workspace).select_related(None))
        context["nav_portfolio"] = selectors.portfolio_tree(products)
        context["nav_role"] = access.role_in(user, workspace)
        context["nav_is_admin"] = access.can(user, "workspace.manage", workspace)
        product = context["current_product"]
        if product is not None:
            # Lazy: one query, run only where the sidebar draws the product's sections, and only
            # for a product that has views to show (strategy.web.product_for tells).
            context["nav_saved_views"] = (SimpleLazyObject(lambda: _saved_views(user, product))
                                          if getattr(product, "has_saved_views", True) else [])
    return context


def _saved_views(user, product) -> list:
    """The product's saved views for the sidebar, linked to the product in hand (with its
    workspace) rather than joining both again."""
    views = list(selectors.saved_view_list(user=user, product=product).select_related(None)
                 .select_related("owner").order_by("name", "id"))
    for view in views:
        view.product = product
    return views
