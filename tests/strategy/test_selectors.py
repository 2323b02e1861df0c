import pytest

from strategy import access, selectors
from strategy.models import Membership, Product

from ..factories import ProductFactory

pytestmark = pytest.mark.django_db


def test_the_portfolio_lists_lines_first_with_their_products_beneath(workspace, viewer):
    line = ProductFactory(workspace=workspace, kind=Product.Kind.LINE, name="Zeta line")
    ProductFactory(workspace=workspace, parent=line, name="Beta")
    ProductFactory(workspace=workspace, parent=line, name="Alpha")
    ProductFactory(workspace=workspace, name="Standalone")

    products = list(selectors.product_list(user=viewer, workspace=workspace))
    tree = selectors.portfolio_tree(products)

    assert [(node.product.name, node.depth) for node in tree] == [
        ("Zeta line", 0), ("Alpha", 1), ("Beta", 1), ("Standalone", 0)]


def test_a_product_whose_line_is_filtered_out_shows_at_the_top(workspace, viewer):
    line = ProductFactory(workspace=workspace, kind=Product.Kind.LINE, name="Line")
    child = ProductFactory(workspace=workspace, parent=line, name="Child")
    tree = selectors.portfolio_tree([child])
    assert [(node.product, node.depth) for node in tree] == [(child, 0)]


def test_product_lists_hold_only_the_users_workspaces(workspace, other_workspace, viewer, product, other_product):
    assert list(selectors.product_list(user=viewer)) == [product]


def test_archived_products_are_left_out_unless_asked_for(workspace, viewer, product):
    Product.objects.filter(pk=product.pk).update(archived_at="2026-01-01T00:00Z")
    assert list(selectors.product_list(user=viewer, workspace=workspace)) == []
    assert list(selectors.product_list(user=viewer, workspace=workspace, include_archived=True)) == [product]


def test_workspaces_carry_the_users_role(workspace, other_workspace, editor):
    assert [(w.slug, w.role) for w in selectors.workspace_list(user=editor)] == [("acme", "editor")]


def test_once_the_roles_are_read_scoped_reads_use_their_ids_and_still_keep_other_workspaces_out(
        workspace, other_workspace, viewer, product, other_product, django_assert_num_queries):
    Membership.objects.create(workspace=other_workspace, user=viewer, role="viewer")
    assert "strategy_membership" in str(Product.objects.visible_to(viewer).query)  # roles unknown: a subquery

    access.role_in(viewer, workspace)  # the one read of the roles for this user object
    with django_assert_num_queries(1):
        assert sorted(p.pk for p in Product.objects.visible_to(viewer)) == sorted([product.pk, other_product.pk])
    assert "strategy_membership" not in str(Product.objects.visible_to(viewer).query)

    access.limit_to_workspace(viewer, workspace.pk)  # the workspace-scoped API
    assert list(Product.objects.visible_to(viewer)) == [product]
    access.limit_to_workspace(viewer, None)
    Membership.objects.filter(user=viewer, workspace=other_workspace).delete()
    access.forget_roles(viewer)  # as the membership services do
    assert list(Product.objects.visible_to(viewer)) == [product]
