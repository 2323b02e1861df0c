"""Search in a real browser: Ctrl-K from any page, type a feature's key, land on the feature;
type words, see the dropdown's highlighted matches and open the results page."""

import pytest
from playwright.sync_api import expect

from releases import services as release_services
from strategy import services
from strategy.models import User

from .conftest import screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def plan():
    pm = User.objects.create_user("pm@example.com", "a-long-passphrase", full_name="Pat Manager")
    workspace = services.workspace_create(actor=pm, name="Initech")
    product = services.product_create(actor=pm, workspace=workspace, name="Mobile App", key="MOB")
    for title in ["Saved carts", "One-tap pay", "Wish lists", "Export invoices", "Push offers"]:
        release_services.feature_create(actor=pm, product=product, title=title,
                                        description=f"{title} for every shopper.")
    return product


def test_ctrl_k_and_a_key_lands_on_the_feature(page, plan):
    sign_in(page, "pm@example.com", "a-long-passphrase")
    page.goto("/w/initech/products/MOB/")

    page.keyboard.press("Control+k")
    search = page.locator("#topbar-search")
    expect(search).to_be_focused()
    search.type("mob-4")
    expect(page.locator("#search-drop")).to_contain_text("Go to feature")
    search.press("Enter")

    expect(page).to_have_url("/w/initech/products/MOB/features/4/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Export invoices")


def test_words_show_matches_in_the_dropdown_and_on_the_results_page(page, plan):
    sign_in(page, "pm@example.com", "a-long-passphrase")
    page.goto("/w/initech/products/MOB/backlog/")

    page.keyboard.press("Control+k")
    page.keyboard.type("invo")
    drop = page.locator("#search-drop")
    expect(drop.locator("mark").first).to_have_text("invoices")
    page.keyboard.press("ArrowDown")
    expect(drop.locator("a.search-hit").first).to_be_focused()
    page.keyboard.press("Escape")
    expect(drop).to_be_empty()

    page.locator("#topbar-search").press("Enter")
    expect(page).to_have_url("/w/initech/search/?q=invo")
    expect(page.locator("#search-feature")).to_contain_text("Features")
    expect(page.locator(".search-results mark").first).to_have_text("invoices")
    screenshot(page, "search-results")
