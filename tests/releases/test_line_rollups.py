"""A product line's Backlog, Board and Releases roll up its products' work, with the product
as a column and a filter; their queries do not grow with the products' features or releases."""

import pytest
from django.urls import reverse

from strategy.models import Product

from ..conftest import count_queries
from ..factories import FeatureFactory, ProductFactory, ReleaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def line(workspace):
    line = ProductFactory(workspace=workspace, key="NWC", name="Northwind Commerce", kind=Product.Kind.LINE)
    ProductFactory(workspace=workspace, key="SHOP", name="Shop", parent=line)
    ProductFactory(workspace=workspace, key="PAY", name="Payments", parent=line)
    return line


def products(line):
    return {p.key: p for p in Product.objects.filter(parent=line)}


def url(name, **query):
    path = reverse(f"releases:{name}", args=["acme", "NWC"])
    return path + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_the_line_backlog_lists_its_products_open_features(client_as_viewer, line, workflow):
    shop, pay = products(line)["SHOP"], products(line)["PAY"]
    FeatureFactory(product=shop, title="Saved carts")
    FeatureFactory(product=pay, title="Refund <b>flow</b>")
    FeatureFactory(product=pay, title="Shipped thing", status=workflow["Shipped"])

    html = client_as_viewer.get(url("backlog")).content.decode()

    assert "Saved carts" in html and "Refund &lt;b&gt;flow&lt;/b&gt;" in html
    assert "Shipped thing" not in html
    assert "SHOP-1" in html and "PAY-1" in html
    assert reverse("releases:backlog", args=["acme", "SHOP"]) in html


def test_the_line_backlog_filters_by_product(client_as_viewer, line):
    FeatureFactory(product=products(line)["SHOP"], title="Saved carts")
    FeatureFactory(product=products(line)["PAY"], title="Refunds")

    html = client_as_viewer.get(url("backlog", product="pay")).content.decode()

    assert "Refunds" in html and "Saved carts" not in html


def test_an_unknown_product_filter_shows_every_product(client_as_viewer, line):
    FeatureFactory(product=products(line)["SHOP"], title="Saved carts")

    assert "Saved carts" in client_as_viewer.get(url("backlog", product="NOPE")).content.decode()


def test_the_line_board_counts_features_by_status_and_links_each_board(client_as_viewer, line, workflow):
    FeatureFactory(product=products(line)["SHOP"])
    FeatureFactory(product=products(line)["SHOP"], status=workflow["Shipped"])

    html = client_as_viewer.get(url("board")).content.decode()

    assert "no board of its own" in html
    assert reverse("releases:board", args=["acme", "SHOP"]) in html
    assert reverse("releases:board", args=["acme", "PAY"]) in html


def test_the_line_releases_list_its_products_releases_with_the_product(client_as_viewer, line, today):
    ReleaseFactory(product=products(line)["SHOP"], name="Spring", release_date=today)
    ReleaseFactory(product=products(line)["PAY"], name="Autumn", status="released")

    still = client_as_viewer.get(url("release_list")).content.decode()
    every = client_as_viewer.get(url("release_list", status="all")).content.decode()

    assert "Spring" in still and "Autumn" not in still
    assert "Spring" in every and "Autumn" in every and "Payments" in every


@pytest.mark.parametrize("name", ["backlog", "board", "release_list"])
def test_line_pages_do_not_grow_their_queries(client_as_viewer, line, name, today):
    def make(n):
        for product in products(line).values():
            for _ in range(n):
                release = ReleaseFactory(product=product)
                FeatureFactory(product=product, release=release)

    make(1)
    client_as_viewer.get(url(name))
    few = count_queries(lambda: client_as_viewer.get(url(name)))
    make(6)
    assert count_queries(lambda: client_as_viewer.get(url(name))) == few
