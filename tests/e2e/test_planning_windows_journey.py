"""A long backlog and board in a real browser: the page holds a window of the features; scrolling
fetches the next (htmx), and a row or card fetched later is dragged, edited and undone like one
of the first; "select all matching" changes the features never loaded."""

import pytest
from playwright.sync_api import expect

from releases import ranking
from releases.models import Feature, WorkflowStatus
from releases.selectors import BACKLOG_WINDOW, BOARD_WINDOW
from strategy import services
from strategy.models import User

from .conftest import screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a-long-passphrase"
COUNT = 260  # more than two backlog windows; the first column holds more than two board windows


@pytest.fixture
def long_plan():
    pm = User.objects.create_user("pm@example.com", PASSWORD, full_name="Pat Manager")
    workspace = services.workspace_create(actor=pm, name="Initech")
    product = services.product_create(actor=pm, workspace=workspace, name="Mobile App", key="MOB")
    statuses = {s.name: s for s in WorkflowStatus.objects.filter(workspace=workspace)}
    # Two in three in "Idea" (173: four board windows), the others in "Backlog".
    Feature.objects.bulk_create([
        Feature(workspace=workspace, product=product, number=i + 1, title=f"Feature {i + 1}",
                status=statuses["Idea"] if i % 3 else statuses["Backlog"], rank=rank, estimate=1,
                tags=["mobile"] if i % 2 else [])
        for i, rank in enumerate(ranking.spread(COUNT))
    ])
    return product


def ranked() -> list[int]:
    return list(Feature.objects.order_by("rank", "id").values_list("number", flat=True))


def test_scrolling_the_backlog_loads_the_next_window_whose_rows_drag_and_edit(page, long_plan):
    sign_in(page, "pm@example.com", PASSWORD)
    page.goto("/w/initech/products/MOB/backlog/")
    rows = page.locator("#backlog-results tr[data-number]")
    expect(rows).to_have_count(BACKLOG_WINDOW)
    expect(page.locator("[data-window-count]")).to_contain_text(f"Showing {BACKLOG_WINDOW} of {COUNT} open features")

    page.locator("tr[data-more]").scroll_into_view_if_needed()
    expect(rows).to_have_count(2 * BACKLOG_WINDOW)
    expect(page.locator("[data-shown]")).to_have_text(str(2 * BACKLOG_WINDOW))
    screenshot(page, "backlog-second-window")

    # A row of the second window goes above the last rows of the first.
    before = ranked()
    later, target = before[BACKLOG_WINDOW + 2], before[BACKLOG_WINDOW - 2]
    page.locator(f"#f-{target}").scroll_into_view_if_needed()
    with page.expect_response(lambda response: "/backlog/move/" in response.url):
        page.locator(f"#f-{later} .drag-handle").drag_to(page.locator(f"#f-{target}"),
                                                         target_position={"x": 10, "y": 2})
    expect(rows.nth(BACKLOG_WINDOW - 2)).to_have_attribute("data-number", str(later))
    assert ranked().index(later) == BACKLOG_WINDOW - 2

    # Another row of the second window, edited in place, then undone.
    edited = ranked()[BACKLOG_WINDOW + 40]
    page.locator(f"#f-{edited} td.brow__estimate a[data-cell]").click()
    field = page.get_by_label(f"Estimate of MOB-{edited}", exact=True)
    field.fill("13")
    field.press("Enter")
    toast = page.locator("#planning-toast")
    expect(toast).to_contain_text(f"MOB-{edited}: estimate 1 pts → 13 pts.")
    assert Feature.objects.get(number=edited).estimate == 13
    toast.get_by_role("button", name="Undo").click()
    expect(toast).to_contain_text(f"MOB-{edited}: estimate back to 1 pts.")
    assert Feature.objects.get(number=edited).estimate == 1


def test_select_all_matching_changes_the_features_not_loaded(page, long_plan):
    sign_in(page, "pm@example.com", PASSWORD)
    page.goto("/w/initech/products/MOB/backlog/?tag=mobile")
    expect(page.locator("[data-window-count]")).to_contain_text(
        f"Showing {BACKLOG_WINDOW} of {COUNT // 2} matching features")

    page.get_by_label("Select every feature shown").check()
    page.get_by_role("button", name=f"Select all {COUNT // 2} matching features").click()
    expect(page.locator("[data-selected-count]")).to_have_text(f"All {COUNT // 2} features selected")
    page.locator("#bulk-action").select_option("tag")
    page.locator("#bulk-tag").fill("q3")
    page.locator("#bulk-form").get_by_role("button", name="Apply").click()

    expect(page.get_by_text(f"{COUNT // 2} features tagged q3.")).to_be_visible()
    assert Feature.objects.filter(tags__contains=["q3"]).count() == COUNT // 2
    assert not Feature.objects.filter(tags__contains=["q3"]).exclude(tags__contains=["mobile"]).exists()


def test_a_board_column_loads_more_cards_and_one_of_them_is_dragged(page, long_plan):
    sign_in(page, "pm@example.com", PASSWORD)
    page.goto("/w/initech/products/MOB/board/")
    idea = page.locator('section.kcol[aria-label^="Idea"]')
    in_idea = Feature.objects.filter(status__name="Idea").count()
    expect(idea.locator(".kcard")).to_have_count(BOARD_WINDOW)
    expect(idea.locator("[data-count]")).to_have_text(str(in_idea))
    expect(idea.locator(".kcol__shown")).to_have_text(f"{BOARD_WINDOW} of {in_idea}")

    idea.get_by_role("button", name="Show more").click()
    expect(idea.locator(".kcard")).to_have_count(2 * BOARD_WINDOW)
    screenshot(page, "board-more-cards")

    # A card of the second window, to "In design": both counts stay the columns' true totals.
    numbers = list(Feature.objects.filter(status__name="Idea").order_by("rank", "id").values_list("number", flat=True))
    card = idea.locator(f"#card-{numbers[BOARD_WINDOW + 5]}")
    target = page.locator('section.kcol[aria-label^="In design"] .kcol__body')
    card.drag_to(target)

    expect(target.locator(f"#card-{numbers[BOARD_WINDOW + 5]}")).to_be_visible()
    expect(page.locator('section.kcol[aria-label^="In design"] [data-count]')).to_have_text("1")
    expect(idea.locator("[data-count]")).to_have_text(str(in_idea - 1))
    page.wait_for_function("() => !document.querySelector('.kcard.is-pending')")
    assert Feature.objects.get(number=numbers[BOARD_WINDOW + 5]).status.name == "In design"


def test_a_card_moves_from_the_keyboard_through_the_boards_one_move_form(page, long_plan):
    sign_in(page, "pm@example.com", PASSWORD)
    page.goto("/w/initech/products/MOB/board/")
    first = Feature.objects.filter(status__name="Backlog").order_by("rank", "id").first()
    card = page.locator(f"#card-{first.number}")

    card.locator("summary").click()
    card.get_by_label(f"New status of MOB-{first.number}").select_option(label="Planned")
    card.get_by_role("button", name="Move").click()

    expect(page.locator(f'section.kcol[aria-label^="Planned"] #card-{first.number}')).to_be_visible()
    page.wait_for_function("() => !document.querySelector('.kcard.is-pending')")
    assert Feature.objects.get(pk=first.pk).status.name == "Planned"
