"""The site layout's parts built in Python: line icons (strategy.icons) and the sidebar's
products with the current product's sections (strategy.navigation)."""

import re

import pytest
from django.template import Context, Template
from django.urls import reverse

from strategy import services
from strategy.icons import FALLBACK, SHAPES, icon
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def sidebar(html: str) -> str:
    return html.split('<nav class="sidebar__scroll"', 1)[1].split("</nav>", 1)[0]


def current_links(html: str) -> list[str]:
    """The labels of the sidebar links marked as the current page."""
    return re.findall(r'aria-current="page"[^>]*>.*?<span class="nav__label">([^<]+)</span>', sidebar(html))


# --- icons ------------------------------------------------------------------------------------


def test_an_icon_draws_its_shapes_with_its_classes_escaped():
    assert icon("search") == ('<svg class="icon " viewBox="0 0 24 24" aria-hidden="true" focusable="false">'
                              f'{SHAPES["search"]}</svg>')
    assert 'class="icon icon--sm &quot;x"' in icon("plus", 'icon--sm "x')
    assert icon("no-such-icon").endswith(f"{FALLBACK}</svg>")


def test_the_include_and_the_tag_draw_the_same_icon():
    include = Template('{% include "components/icon.html" with name="filter" class="icon--sm" %}')
    tag = Template('{% load waymark %}{% icon "filter" "icon--sm" %}')
    plain = Template('{% include "components/icon.html" with name="menu" %}')

    assert include.render(Context()) == tag.render(Context()) == icon("filter", "icon--sm")
    assert plain.render(Context()) == icon("menu")


# --- the sidebar's products -------------------------------------------------------------------


def test_the_sidebar_lists_lines_and_products_and_opens_the_current_one(client_as_viewer, workspace, product):
    line = ProductFactory(workspace=workspace, name="Consumer", key="CON", kind="line")
    ProductFactory(workspace=workspace, name="Web Shop", key="WEB", parent=line)

    nav = sidebar(client_as_viewer.get(reverse("releases:board", args=["acme", "MOB"])).content.decode())

    assert nav.index(">Consumer<") < nav.index(">Web Shop<") < nav.index(">Mobile App<")  # lines first
    assert 'nav__link--line" style="--depth: 0" href="/w/acme/products/CON/"' in nav
    assert 'nav__link--product" style="--depth: 1" href="/w/acme/products/WEB/"' in nav
    assert 'nav__link--product is-open" style="--depth: 0" href="/w/acme/products/MOB/"' in nav
    assert nav.count('class="nav__sub"') == 1 and 'aria-label="Mobile App sections"' in nav
    assert 'href="/w/acme/products/MOB/board/" aria-current="page"' in nav


@pytest.mark.parametrize(("name", "args", "label"), [
    ("strategy:product_detail", [], "Overview"),
    ("releases:backlog", [], "Backlog"),
    ("releases:board", [], "Board"),
    ("releases:release_list", [], "Releases"),
    ("roadmap:product_timeline", [], "Roadmap"),
    ("strategy:strategy_overview", [], "Strategy"),
])
def test_the_current_section_is_marked_once(client_as_viewer, product, name, args, label):
    html = client_as_viewer.get(reverse(name, args=["acme", "MOB", *args])).content.decode()

    assert current_links(html) == [label]


def test_a_renamed_product_shows_its_new_name_on_the_next_page(client_as_admin, admin, product):
    url = reverse("releases:backlog", args=["acme", "MOB"])
    assert ">Mobile App<" in sidebar(client_as_admin.get(url).content.decode())

    services.product_update(actor=admin, product=product, name="Mobile & Tablet")

    nav = sidebar(client_as_admin.get(url).content.decode())
    assert ">Mobile &amp; Tablet<" in nav and "Mobile App" not in nav
    assert 'aria-label="Mobile &amp; Tablet sections"' in nav


def test_the_ideas_page_marks_the_feedback_section(client_as_editor, product):
    html = client_as_editor.get(reverse("feedback:idea_list", args=["acme", "MOB"])).content.decode()

    assert current_links(html) == ["Feedback"]
