"""Planning in a real browser: drag a card across the board and a feature up the backlog,
reload, and see both changes kept."""

import pytest
from playwright.sync_api import expect

from releases import services as release_services
from releases.models import Feature
from strategy import services
from strategy.models import User

from .conftest import screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def plan():
    pm = User.objects.create_user("pm@example.com", "a-long-passphrase", full_name="Pat Manager")
    workspace = services.workspace_create(actor=pm, name="Initech")
    product = services.product_create(actor=pm, workspace=workspace, name="Mobile App", key="MOB")
    for title, estimate in [("Saved carts", 3), ("One-tap pay", 5), ("Wish lists", 2), ("Push offers", 8)]:
        release_services.feature_create(actor=pm, product=product, title=title, estimate=estimate)
    return product


def status_name(number: int) -> str:
    return Feature.objects.select_related("status").get(product__key="MOB", number=number).status.name


def test_dragging_a_card_to_another_column_changes_its_status(page, plan):
    sign_in(page, "pm@example.com", "a-long-passphrase")
    page.goto("/w/initech/products/MOB/board/")
    card = page.locator("#card-2")
    target = page.locator('section.kcol[aria-label^="In design"] .kcol__body')
    expect(card).to_be_visible()
    screenshot(page, "board-before")

    card.drag_to(target)

    expect(target.locator("#card-2")).to_be_visible()
    expect(page.locator('section.kcol[aria-label^="In design"] [data-count]')).to_have_text("1")
    page.wait_for_function("() => !document.querySelector('.kcard.is-pending')")
    page.reload()
    expect(page.locator('section.kcol[aria-label^="In design"] #card-2')).to_be_visible()
    assert status_name(2) == "In design"


def test_dragging_a_feature_up_the_backlog_keeps_the_new_order(page, plan):
    sign_in(page, "pm@example.com", "a-long-passphrase")
    page.goto("/w/initech/products/MOB/backlog/")
    rows = page.locator("#backlog-results tr[data-number]")
    expect(rows).to_have_count(4)

    with page.expect_response(lambda response: "/backlog/move/" in response.url):
        page.locator("#f-4 .drag-handle").drag_to(page.locator("#f-1"), target_position={"x": 10, "y": 2})

    expect(rows.first).to_have_attribute("data-number", "4")
    page.reload()
    expect(page.locator("#backlog-results tr[data-number]").first).to_have_attribute("data-number", "4")
    order = list(Feature.objects.filter(product__key="MOB").order_by("rank").values_list("number", flat=True))
    assert order == [4, 1, 2, 3]
    screenshot(page, "backlog-after")
