"""Windows of the backlog and the board: a big product's pages send the first rows or cards with
the true totals, and the browser fetches the rest as the person scrolls (htmx); sorting,
filters and bulk changes still apply to the whole list."""

import re
from datetime import date
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.urls import reverse

from releases import services
from releases.models import Feature
from releases.selectors import BACKLOG_WINDOW, BOARD_LANE_WINDOW, BOARD_WINDOW
from tests.conftest import count_queries
from tests.factories import ProductFactory
from tests.releases.test_planning_pages import _bulk_features, keys_in, order, url

pytestmark = pytest.mark.django_db

STATUSES = ("Idea", "Backlog", "Planned", "In design", "In development")  # _bulk_features's, in turn


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def next_url(html: str) -> str | None:
    """The backlog window's "next" row: the URL htmx fetches."""
    found = re.search(r'<tr class="brow-more" data-more hx-get="([^"]+)"', html)
    return found.group(1).replace("&amp;", "&") if found else None


def numbers_in(html: str) -> list[int]:
    return [int(key.split("-")[1]) for key in keys_in(html)]


def all_windows(client, html: str) -> list[int]:
    """The numbers of the first window and of every window fetched after it, in order."""
    numbers = numbers_in(html)
    more = next_url(html)
    while more:
        fragment = client.get(more, HTTP_HX_REQUEST="true")
        assert fragment.status_code == 200
        numbers += numbers_in(fragment.content.decode())
        more = next_url(fragment.content.decode())
    return numbers


@pytest.fixture
def big(product, workflow):
    """600 open features, 120 in each of five statuses."""
    _bulk_features(product, workflow, 600)
    return product


# --- backlog ---------------------------------------------------------------------------------


def test_the_backlog_sends_a_window_of_a_long_list_with_its_total(client_as_editor, big):
    response = client_as_editor.get(url("backlog", big))
    html = response.content.decode()

    assert numbers_in(html) == order(big)[:BACKLOG_WINDOW]
    assert f"Showing {BACKLOG_WINDOW} of 600 open features" in text_of(html)
    assert "Select all 600 open features" in text_of(html)
    assert next_url(html) == url("backlog_rows", big) + f"?offset={BACKLOG_WINDOW}"
    # The whole list would be about 700 KB; the window is the page's weight.
    assert len(response.content) < 300_000


def test_the_windows_follow_each_other_through_the_whole_backlog(client_as_editor, big):
    html = client_as_editor.get(url("backlog", big)).content.decode()

    assert all_windows(client_as_editor, html) == order(big)


def test_the_windows_keep_the_filters_and_the_order(client_as_editor, big):
    query = {"tag": "bulk", "ordering": "-rice_score"}  # 400 of the 600, highest score (the latest) first
    html = client_as_editor.get(url("backlog", big, **query)).content.decode()
    expected = list(Feature.objects.filter(product=big, tags__contains=["bulk"]).order_by("-rice_score", "rank")
                    .values_list("number", flat=True))

    assert f"Showing {BACKLOG_WINDOW} of 400 matching features (600 open)" in text_of(html)
    assert dict(parse_qsl(urlsplit(next_url(html)).query)) == {**query, "offset": str(BACKLOG_WINDOW)}
    assert all_windows(client_as_editor, html) == expected


def test_a_later_window_draws_move_buttons_naming_its_neighbours_outside_it(client_as_editor, big):
    ranked = order(big)
    start = BACKLOG_WINDOW
    fragment = client_as_editor.get(url("backlog_rows", big, offset=start)).content.decode()

    up = re.search(rf'value="{ranked[start]}:(\d*):(\d*)" data-move="up"', fragment)
    assert up and (int(up.group(1)), int(up.group(2))) == (ranked[start - 2], ranked[start - 1])
    last = ranked[2 * start - 1]
    down = re.search(rf'value="{last}:(\d*):(\d*)" data-move="down"', fragment)
    assert down and (int(down.group(1)), int(down.group(2))) == (ranked[2 * start], ranked[2 * start + 1])


def test_a_row_of_a_later_window_can_be_ranked_and_edited(client_as_editor, big, workflow):
    ranked = order(big)
    moved, after = ranked[450], ranked[10]
    client_as_editor.get(url("backlog_rows", big, offset=400))

    response = client_as_editor.post(url("feature_rank_move", big),
                                     {"feature": moved, "after": after, "before": ranked[11]},
                                     HTTP_X_REQUESTED_WITH="fetch")

    assert response.status_code == 204
    assert order(big)[11] == moved


def test_the_window_of_the_page_itself_without_javascript(client_as_editor, big):
    html = client_as_editor.get(url("backlog", big, offset=550)).content.decode()

    assert numbers_in(html) == order(big)[550:600]
    assert "Showing 551–600 of 600 open features" in text_of(html)
    assert next_url(html) is None


def test_backlog_windows_cost_a_flat_pinned_number_of_queries(client_as_editor, product, workflow,
                                                              django_assert_num_queries):
    _bulk_features(product, workflow, 10)
    client_as_editor.get(url("backlog", product))
    few = count_queries(lambda: client_as_editor.get(url("backlog_rows", product, offset=5)))
    Feature.objects.all().delete()
    _bulk_features(product, workflow, 1_000)
    client_as_editor.get(url("backlog", product))

    # session and user, workspace and membership, product, the rows, the top feature, the plan cache
    with django_assert_num_queries(7):
        response = client_as_editor.get(url("backlog_rows", product, offset=400))
    assert len(keys_in(response.content.decode())) == BACKLOG_WINDOW
    assert few == 7


# --- select all matching ------------------------------------------------------------------------


def test_a_bulk_change_to_every_matching_feature_reaches_the_ones_not_loaded(client_as_editor, editor, big):
    release = services.release_create(actor=editor, product=big, name="Autumn", start_date=date(2029, 6, 1),
                                      release_date=date(2030, 12, 1))

    response = client_as_editor.post(url("backlog_bulk", big), {
        "all": "1", "matching": "tag=bulk&ordering=-rice_score", "numbers": ["3"], "action": "release",
        "value": release.pk}, HTTP_X_REQUESTED_WITH="fetch")

    assert response.status_code == 200
    assert response.json()["count"] == 400
    tagged = Feature.objects.filter(product=big, tags__contains=["bulk"])
    assert tagged.filter(release=release).count() == 400
    assert Feature.objects.filter(product=big, release=release).count() == 400


def test_a_bulk_change_to_every_matching_feature_is_all_or_nothing(client_as_editor, editor, big, workspace):
    elsewhere = ProductFactory(workspace=workspace, name="Web", key="WEB")
    foreign = services.release_create(actor=editor, product=elsewhere, name="Elsewhere",
                                      start_date=date(2029, 1, 1), release_date=date(2030, 12, 1))

    response = client_as_editor.post(url("backlog_bulk", big), {
        "all": "1", "matching": "", "action": "release", "value": foreign.pk}, HTTP_X_REQUESTED_WITH="fetch")

    assert response.status_code == 400
    assert "Nothing was changed" in response.json()["error"]
    assert not Feature.objects.filter(release=foreign).exists()


def test_select_all_matching_is_refused_for_a_viewer(client_as_viewer, big, workflow):
    response = client_as_viewer.post(url("backlog_bulk", big), {
        "all": "1", "matching": "", "action": "status", "value": workflow["Planned"].pk})

    assert response.status_code == 403
    assert Feature.objects.filter(product=big, status=workflow["Planned"]).count() == 120


# --- board -----------------------------------------------------------------------------------------


def column_of(html: str, status_id: int) -> str:
    start = html.index('<section class="kcol kcol--', html.index(f'data-status="{status_id}" aria-label'))
    return html[html.rindex("<section", 0, start + 1):html.index("</section>", start)]


def more_url(html: str) -> str | None:
    found = re.search(r'<div class="kcol__more" data-more>.*?hx-get="([^"]+)"', html)
    return found.group(1).replace("&amp;", "&") if found else None


def test_each_board_column_sends_its_first_cards_with_the_true_count(client_as_editor, big, workflow):
    response = client_as_editor.get(url("board", big))
    html = response.content.decode()

    assert len(keys_in(html)) == 5 * BOARD_WINDOW
    planned = workflow["Planned"].pk
    section = html[html.index(f'data-status="{planned}" aria-label'):]
    section = section[:section.index("</section>")]
    assert 'aria-label="Planned: 120 features' in html
    assert '<span class="count" data-count>120</span>' in section
    assert f"{BOARD_WINDOW} of 120</span>" in section
    expected = list(Feature.objects.filter(product=big, status_id=planned).order_by("rank", "id")
                    .values_list("number", flat=True))
    assert numbers_in(section) == expected[:BOARD_WINDOW]
    assert len(response.content) < 200_000  # all 600 cards would be about 500 KB


def test_a_board_column_loads_the_rest_of_its_cards_in_rank_order(client_as_editor, big, workflow):
    planned = workflow["Planned"].pk
    html = client_as_editor.get(url("board", big)).content.decode()
    section = html[html.index(f'data-status="{planned}" aria-label'):]
    section = section[:section.index("</section>")]
    numbers = numbers_in(section)
    more = more_url(section)
    while more:
        fragment = client_as_editor.get(more, HTTP_HX_REQUEST="true").content.decode()
        numbers += numbers_in(fragment)
        more = more_url(fragment)

    assert numbers == list(Feature.objects.filter(product=big, status_id=planned).order_by("rank", "id")
                           .values_list("number", flat=True))
    assert f"{2 * BOARD_WINDOW} of 120</span>" in client_as_editor.get(more_url(section)).content.decode()


def test_a_card_moved_meanwhile_neither_repeats_nor_goes_missing(client_as_editor, big, workflow):
    planned = workflow["Planned"].pk
    section = client_as_editor.get(url("board", big)).content.decode()
    section = section[section.index(f'data-status="{planned}" aria-label'):]
    section = section[:section.index("</section>")]
    shown = numbers_in(section)
    # A card shown in the column goes to another: the next cards start after the last shown all the same.
    client_as_editor.post(url("board_move", big), {"feature": shown[0], "status": workflow["Idea"].pk},
                          HTTP_X_REQUESTED_WITH="fetch")

    fragment = client_as_editor.get(more_url(section)).content.decode()

    rest = list(Feature.objects.filter(product=big, status_id=planned).order_by("rank", "id")
                .values_list("number", flat=True))
    assert numbers_in(fragment) == rest[BOARD_WINDOW - 1:2 * BOARD_WINDOW - 1]


def test_swimlanes_window_each_lane_and_count_every_card(client_as_editor, big, workflow, viewer):
    Feature.objects.filter(product=big, number__lte=300).update(assignee=viewer)
    html = client_as_editor.get(url("board", big, lanes="assignee")).content.decode()

    assert "Unassigned</span><span class=\"count\">300</span>" in html
    # Each column of each lane shows a few cards; the rest come when asked, not as the lanes scroll by.
    assert len(keys_in(html)) == 2 * 5 * BOARD_LANE_WINDOW
    assert "intersect" not in html and f"{BOARD_LANE_WINDOW} of " in html
    planned = workflow["Planned"].pk
    more = next(u for u in re.findall(r'hx-get="([^"]+)"', html.replace("&amp;", "&"))
                if f"status={planned}" in u and "lane=none" in u)
    fragment = client_as_editor.get(more).content.decode()
    numbers = numbers_in(fragment)
    assert len(numbers) == BOARD_LANE_WINDOW and all(n > 300 for n in numbers)
    assert not Feature.objects.filter(number__in=numbers).exclude(status_id=planned).exists()
    assert f"{2 * BOARD_LANE_WINDOW} of " in fragment and "intersect" not in fragment


def test_board_column_windows_cost_a_flat_pinned_number_of_queries(client_as_editor, product, workflow,
                                                                   django_assert_num_queries):
    def column_url():
        html = client_as_editor.get(url("board", product)).content.decode()
        return more_url(html[html.index(f'data-status="{workflow["Idea"].pk}" aria-label'):])

    _bulk_features(product, workflow, 300)
    few_url = column_url()
    few = count_queries(lambda: client_as_editor.get(few_url))
    Feature.objects.all().delete()
    _bulk_features(product, workflow, 2_000)
    many_url = column_url()

    # session and user, workspace and membership, product, the cards, statuses, the plan cache
    # (which holds the blockers too)
    with django_assert_num_queries(7):
        response = client_as_editor.get(many_url)
    assert len(keys_in(response.content.decode())) == BOARD_WINDOW
    assert few == 7


def test_the_column_window_of_another_workspace_is_not_found(client_as_viewer, other_product):
    path = reverse("releases:board_column", args=[other_product.workspace.slug, other_product.key])

    assert client_as_viewer.get(path + "?status=1&after=1&after_rank=a").status_code == 404


# --- a product line's backlog, grouped by product ----------------------------------------------------


def test_a_line_backlog_windows_its_groups_without_repeating_a_heading(client_as_viewer, workspace, workflow):
    from releases.selectors import LINE_BACKLOG_WINDOW
    from strategy.models import Product

    line = ProductFactory(workspace=workspace, key="NWC", name="Northwind Commerce", kind=Product.Kind.LINE)
    first = ProductFactory(workspace=workspace, key="AAA", name="Apps", parent=line)
    second = ProductFactory(workspace=workspace, key="BBB", name="Billing", parent=line)
    _bulk_features(first, workflow, 60)
    Feature.objects.bulk_create([Feature(workspace=workspace, product=second, number=i, title=f"Bill {i}",
                                         status=workflow["Idea"], rank=f"{i:04d}") for i in range(1, 91)])
    page = reverse("releases:backlog", args=[workspace.slug, line.key])

    html = client_as_viewer.get(page).content.decode()
    keys = keys_in(html)
    assert len(keys) == LINE_BACKLOG_WINDOW and keys[0] == "AAA-1" and keys[-1] == "BBB-40"
    assert f"Showing {LINE_BACKLOG_WINDOW} of 150" in text_of(html)
    fragment = client_as_viewer.get(next_url(html), HTTP_HX_REQUEST="true").content.decode()

    assert keys_in(fragment) == [f"BBB-{i}" for i in range(41, 91)]
    assert 'class="line-group"' not in fragment  # Billing's heading is on the first window
    assert next_url(fragment) is None
