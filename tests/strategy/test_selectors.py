import pytest

from strategy import selectors
from strategy.models import Product

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
