"""The product manager's small changes in a real browser: an inline edit on the backlog and
its undo, the same edit with the keyboard only, a board move undone, the board's swimlanes,
compact cards and remembered collapsed columns, and a saved view reopened from the sidebar."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from releases import services as release_services
from releases.models import Feature
from strategy import services
from strategy.models import SavedView, User

from .conftest import screenshot, sign_in
from .test_accessibility import axe_violations

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a-long-passphrase"


@pytest.fixture
def plan():
    pm = User.objects.create_user("pm@example.com", PASSWORD, full_name="Pat Manager")
    workspace = services.workspace_create(actor=pm, name="Initech")
    product = services.product_create(actor=pm, workspace=workspace, name="Mobile App", key="MOB")
    growth = services.initiative_create(actor=pm, product=product, name="Self-serve growth")
    for title, estimate, initiative in [
        ("Saved carts that survive a reinstall and sync across every device", 3, growth),
        ("One-tap pay", 5, None), ("Wish lists", 2, growth), ("Push offers", 8, None),
    ]:
        release_services.feature_create(actor=pm, product=product, title=title, estimate=estimate,
                                        initiative=initiative)
    return product


def feature(number: int) -> Feature:
    return Feature.objects.select_related("status").get(product__key="MOB", number=number)


def test_an_inline_status_edit_and_its_undo(page, plan):
    sign_in(page, "pm@example.com", PASSWORD)
    page.goto("/w/initech/products/MOB/backlog/")
    # The long title is not cut short at 1,440 px.
    title = page.locator("#f-1 .row-link")
    assert title.evaluate("el => el.scrollWidth <= el.clientWidth && el.scrollHeight <= el.clientHeight + 1"), (
        "the title is truncated")
    assert title.evaluate("el => el.clientWidth") >= 352  # 22rem

    page.locator("#c-2-status a[data-cell]").click()
    editor = page.locator("#c-2-status [data-cell-editor]")
    expect(editor).to_be_visible()
    editor.get_by_label("Status of MOB-2", exact=True).select_option(label="In design")
    screenshot(page, "backlog-inline-editor")
    editor.get_by_role("button", name="Save").click()

    expect(page.locator("#c-2-status")).to_contain_text("In design")
    toast = page.locator("#planning-toast")
    expect(toast).to_contain_text("MOB-2: status Idea → In design.")
    assert feature(2).status.name == "In design"

    toast.get_by_role("button", name="Undo").click()
    expect(page.locator("#c-2-status")).to_contain_text("Idea")
    expect(toast).to_contain_text("MOB-2: status back to Idea.")
    assert feature(2).status.name == "Idea" and feature(2).version == 3


def test_an_inline_edit_refused_as_stale_keeps_the_input(page, plan):
    sign_in(page, "pm@example.com", PASSWORD)
    page.goto("/w/initech/products/MOB/backlog/")
    pm = User.objects.get(email="pm@example.com")
    release_services.feature_update(actor=pm, feature=feature(3), title="Wish lists, renamed elsewhere")

    page.locator("#c-3-estimate a[data-cell]").click()
    field = page.get_by_label("Estimate of MOB-3", exact=True)
    field.fill("13")
    field.press("Enter")

    error = page.locator("#c-3-estimate .bcell__error")
    expect(error).to_contain_text("after you opened this")
    expect(page.get_by_label("Estimate of MOB-3", exact=True)).to_have_value("13")
    assert feature(3).estimate == Decimal(2)


def test_keyboard_only_inline_edit(page, plan):
    sign_in(page, "pm@example.com", PASSWORD)
    page.goto("/w/initech/products/MOB/backlog/")
    page.locator("#f-4 .row-link").focus()
    # Tab from the title to the estimate cell of the same row.
    for _ in range(8):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest('#c-4-estimate') !== null"):
            break
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == (
        "Estimate (points) of MOB-4: 8. Change")

    page.keyboard.press("Enter")
    field = page.get_by_label("Estimate of MOB-4", exact=True)
    expect(field).to_be_focused()
    assert axe_violations(page) == []  # the open editor meets WCAG 2.1 AA too
    page.keyboard.type("13")
    page.keyboard.press("Escape")  # Escape gives the cell back unchanged, focus on it
    expect(page.locator("#c-4-estimate a[data-cell]")).to_be_focused()
    assert feature(4).estimate == Decimal(8)

    page.keyboard.press("Enter")
    expect(page.get_by_label("Estimate of MOB-4", exact=True)).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type("13")
    page.keyboard.press("Enter")
    expect(page.locator("#c-4-estimate")).to_contain_text("13")
    expect(page.locator("#c-4-estimate a[data-cell]")).to_be_focused()
    assert feature(4).estimate == Decimal(13)

    # A bad value comes back at the cell, with what was typed.
    page.keyboard.press("Enter")
    expect(page.get_by_label("Estimate of MOB-4", exact=True)).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type("-1")
    page.keyboard.press("Enter")
    expect(page.locator("#c-4-estimate .bcell__error")).to_contain_text("An estimate cannot be negative.")
    expect(page.get_by_label("Estimate of MOB-4", exact=True)).to_have_value("-1")
    assert feature(4).estimate == Decimal(13)


def test_a_board_move_can_be_undone(page, plan):
    sign_in(page, "pm@example.com", PASSWORD)
    page.goto("/w/initech/products/MOB/board/")
    page.locator("#card-2").drag_to(page.locator('section.kcol[aria-label^="In design"] .kcol__body'))
    toast = page.locator("#planning-toast")
    expect(toast).to_contain_text("MOB-2 moved to In design.")
    assert feature(2).status.name == "In design"

    toast.get_by_role("button", name="Undo").click()
    expect(page.locator('section.kcol[aria-label^="Idea"] #card-2')).to_be_visible()
    expect(toast).to_contain_text("MOB-2 moved back to Idea.")
    assert feature(2).status.name == "Idea"


def test_board_swimlanes_compact_cards_and_a_remembered_collapsed_column(page, plan):
    sign_in(page, "pm@example.com", PASSWORD)
    page.goto("/w/initech/products/MOB/board/")
    page.get_by_label("Swimlanes").select_option("initiative")
    expect(page.locator(".lane")).to_have_count(2)
    page.get_by_label("Cards").select_option("compact")
    expect(page.locator(".board--compact")).to_be_visible()
    assert re.search(r"lanes=initiative", page.url) and "cards=compact" in page.url

    page.locator('.lane').first.get_by_role("button", name="Collapse Idea").click()
    expect(page.locator('.kcol.is-collapsed[aria-label^="Idea"]')).to_have_count(2)
    page.reload()
    expect(page.locator('.kcol.is-collapsed[aria-label^="Idea"]')).to_have_count(2)
    expect(page.locator('.lane').first.get_by_role("button", name="Expand Idea")).to_be_visible()
    screenshot(page, "board-swimlanes-compact")

    # Expanded again, a card moves within its lane; the move still works with the board in lanes.
    page.locator('.lane').first.get_by_role("button", name="Expand Idea").click()
    expect(page.locator('.kcol.is-collapsed')).to_have_count(0)
    lane = page.locator(".lane").first
    lane.locator("#card-1").drag_to(lane.locator('section.kcol[aria-label^="Planned"] .kcol__body'))
    expect(lane.locator('section.kcol[aria-label^="Planned"] #card-1')).to_be_visible()
    page.wait_for_function("() => !document.querySelector('.kcard.is-pending')")
    assert feature(1).status.name == "Planned"


def test_every_column_is_reachable_while_dragging(page, plan):
    page.set_viewport_size({"width": 900, "height": 800})
    sign_in(page, "pm@example.com", PASSWORD)
    page.goto("/w/initech/products/MOB/board/")
    board = page.locator("[data-board]")
    assert board.evaluate("el => el.scrollWidth > el.clientWidth")
    box = board.bounding_box()
    card = page.locator("#card-2").bounding_box()
    page.mouse.move(card["x"] + 20, card["y"] + 10)
    page.mouse.down()
    for _ in range(40):  # hold the card at the board's right edge
        page.mouse.move(box["x"] + box["width"] - 8, box["y"] + 80)
        page.wait_for_timeout(25)
    assert board.evaluate("el => el.scrollLeft") > 0
    page.mouse.up()
    # The drop saves the move: let it finish before the test's data is emptied.
    page.wait_for_function("() => !document.querySelector('.kcard.is-pending')")
    page.wait_for_load_state("networkidle")


def test_saving_a_view_and_reopening_it_from_the_sidebar(page, plan):
    sign_in(page, "pm@example.com", PASSWORD)
    page.goto("/w/initech/products/MOB/backlog/")
    page.locator("#backlog-initiative").select_option(label="Self-serve growth")
    expect(page.locator("#backlog-results tr[data-number]")).to_have_count(2)

    page.get_by_text("Save view", exact=True).first.click()
    page.get_by_label("Name of the view").fill("Growth work")
    page.get_by_label("Share with the workspace").check()
    page.get_by_role("button", name="Save view").click()

    expect(page.locator(".flashes")).to_contain_text("View Growth work saved.")
    view = SavedView.objects.get()
    assert view.shared and view.kind == "backlog" and view.query.startswith("initiative=")

    page.goto("/w/initech/products/MOB/board/")
    page.locator('nav [aria-label="Saved views"]').get_by_role("link", name="Growth work").click()
    expect(page).to_have_url(re.compile(r"/backlog/\?initiative=\d+$"))
    expect(page.locator("#backlog-results tr[data-number]")).to_have_count(2)
    expect(page.locator("#backlog-initiative")).to_have_value(str(view.query.split("=")[1]))


def test_screenshots_of_the_demo_backlog_and_board(page):
    """Not a journey: the pictures in the docs, from the demo data, looked at before release."""
    from releases import demo as releases_demo
    from strategy import demo

    workspace = demo.seed_workspace()
    demo.seed_strategy(workspace)
    releases_demo.seed_releases(workspace)
    sign_in(page, demo.DEMO_EMAIL, demo.DEMO_PASSWORD)
    page.goto("/w/northwind-labs/products/SHOP/backlog/")
    first = page.locator("#backlog-results tr[data-number]").first
    first.locator("td.brow__rice a[data-cell]").click()
    expect(first.locator("[data-cell-editor]")).to_be_visible()
    screenshot(page, "backlog-inline-edit")
    page.goto("/w/northwind-labs/products/SHOP/board/?lanes=assignee&cards=compact")
    expect(page.locator(".lane").first).to_be_visible()
    for css in (".kcol--done", ".kcol--wont", ".kcol--todo"):  # collapse Done, Won't do and Idea
        page.locator(f".lane:first-child {css} [data-collapse]").first.click()
    expect(page.locator(".kcol.is-collapsed").first).to_be_visible()
    screenshot(page, "board-swimlanes-compact")
