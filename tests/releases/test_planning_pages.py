"""The planning pages of a product: backlog, board and value/effort matrix, and the writes
they post to (rank moves, bulk changes, board moves)."""

import json
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from releases import ranking, services
from releases.filters import FeatureFilterSet
from releases.models import Feature
from releases.render import BIG_BETS, FILL_INS, MONEY_PITS, QUICK_WINS
from releases.selectors import BACKLOG_WINDOW, BOARD_WINDOW
from strategy.models import Initiative
from tests.conftest import count_queries
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db

FETCH = {"HTTP_X_REQUESTED_WITH": "fetch"}


def url(name, product, **query):
    path = reverse(f"releases:{name}", args=[product.workspace.slug, product.key])
    if query:
        from urllib.parse import urlencode

        path += "?" + urlencode(query, doseq=True)
    return path


def keys_in(html: str) -> list[str]:
    """Feature keys in the order the rows or cards appear."""
    return re.findall(r'data-key="([A-Z]+-\d+)"', html)


def ranks(product) -> dict[int, str]:
    return dict(Feature.objects.filter(product=product).values_list("number", "rank"))


def order(product) -> list[int]:
    return list(Feature.objects.filter(product=product).order_by("rank", "id").values_list("number", flat=True))


@pytest.fixture
def features(editor, product, workflow):
    """Five open features, MOB-1 … MOB-5, in that order."""
    return [services.feature_create(actor=editor, product=product, title=f"Feature {i}", status=workflow["Backlog"])
            for i in range(1, 6)]


# --- rendering ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ["backlog", "board", "value_effort"])
def test_planning_pages_render_for_a_viewer(client_as_viewer, product, features, name):
    response = client_as_viewer.get(url(name, product))

    assert response.status_code == 200
    html = response.content.decode()
    assert "MOB-1" in html and "Feature 3" in html
    # Viewers read; they get no ranking, bulk or move controls.
    assert "bulk-form" not in html
    assert 'name="move"' not in html
    assert "data-move-form" not in html
    assert 'draggable="true"' not in html


def test_editors_get_the_ranking_and_bulk_controls(client_as_editor, product, features):
    html = client_as_editor.get(url("backlog", product)).content.decode()

    assert 'id="bulk-form"' in html
    assert 'class="drag-handle"' in html
    assert 'name="numbers" value="3" form="bulk-form"' in html


def test_board_has_one_column_per_active_status_in_workflow_order(client_as_viewer, product, features, workflow):
    html = client_as_viewer.get(url("board", product)).content.decode()

    names = re.findall(r'<h2 class="kcol__name">([^<]+)</h2>', html)
    assert names == ["Idea", "Backlog", "Planned", "In design", "In development", "In review", "Shipped",
                     "Won&#x27;t do"]


def test_board_column_headers_count_features_and_sum_estimates(client_as_viewer, editor, product, workflow):
    for estimate in (3, 5, None):
        services.feature_create(actor=editor, product=product, title="x", status=workflow["Planned"],
                                estimate=Decimal(estimate) if estimate else None)

    html = client_as_viewer.get(url("board", product)).content.decode()

    planned = html.split(f'data-status="{workflow["Planned"].pk}" aria-label="Planned: ')[1]
    assert planned.startswith("3 features, 8 points")
    assert '<span class="count" data-count>3</span>' in planned.split("</header>")[0]
    assert '<span data-sum>8</span>' in planned.split("</header>")[0]


def test_retired_status_with_features_is_a_greyed_column_at_the_end(client_as_viewer, admin, editor, product,
                                                                     workflow):
    services.feature_create(actor=editor, product=product, title="Old flow", status=workflow["In review"])
    services.workflow_status_retire(actor=admin, status=workflow["In review"])

    html = client_as_viewer.get(url("board", product)).content.decode()

    names = re.findall(r'<h2 class="kcol__name">([^<]+)</h2>', html)
    assert names[-1] == "In review"
    assert names.count("In review") == 1
    assert 'class="kcol kcol--doing kcol--retired"' in html


def test_board_cards_flag_conflicts_and_unfinished_dependencies(client_as_viewer, editor, product, workflow):
    release = services.release_create(actor=editor, product=product, name="Spring", start_date=date(2030, 1, 1),
                                      release_date=date(2030, 3, 1))
    late = services.feature_create(actor=editor, product=product, title="Late", release=release,
                                   end_date=date(2030, 4, 1))
    blocked = services.feature_create(actor=editor, product=product, title="Blocked")
    services.dependency_add(actor=editor, feature=blocked, depends_on=late)

    html = client_as_viewer.get(url("board", product)).content.decode()

    late_card = html.split(f'id="card-{late.number}"')[1].split("</article>")[0]
    blocked_card = html.split(f'id="card-{blocked.number}"')[1].split("</article>")[0]
    assert "flag--conflict" in late_card and "after Spring ships" in late_card
    assert f"Blocked by {late.key}" in blocked_card


def test_backlog_flags_conflicts_with_the_message_as_tooltip(client_as_viewer, editor, product, workflow):
    release = services.release_create(actor=editor, product=product, name="Spring", start_date=date(2030, 1, 1),
                                      release_date=date(2030, 3, 1))
    services.feature_create(actor=editor, product=product, title="Late", release=release, end_date=date(2030, 4, 1))

    html = client_as_viewer.get(url("backlog", product)).content.decode()

    assert "brow--conflict" in html
    assert 'title="Conflict: MOB-1 ends 01 Apr 2030, after Spring ships on 01 Mar 2030."' in html


def test_titles_and_tags_are_escaped(client_as_viewer, editor, product, workflow):
    services.feature_create(actor=editor, product=product, title="<script>alert(1)</script>", tags=["<b>x</b>"])

    for name in ("backlog", "board", "value_effort"):
        html = client_as_viewer.get(url(name, product)).content.decode()
        assert "<script>alert(1)" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_backlog_leaves_out_closed_features(client_as_viewer, editor, product, workflow):
    services.feature_create(actor=editor, product=product, title="Open one")
    services.feature_create(actor=editor, product=product, title="Shipped one", status=workflow["Shipped"])
    services.feature_create(actor=editor, product=product, title="Dropped one", status=workflow["Won't do"])

    html = client_as_viewer.get(url("backlog", product)).content.decode()

    assert keys_in(html) == ["MOB-1"]


def test_empty_backlog_says_what_it_is_for(client_as_editor, product, workflow):
    html = client_as_editor.get(url("backlog", product)).content.decode()

    assert "The backlog is empty" in html
    assert reverse("releases:feature_create", args=["acme", "MOB"]) in html


def test_planning_pages_of_another_workspace_are_not_found(client_as_viewer, other_product):
    for name in ("backlog", "board", "value_effort"):
        assert client_as_viewer.get(url(name, other_product)).status_code == 404


# --- filters and sorting ---------------------------------------------------------------


@pytest.fixture
def mixed(editor, viewer, product, workflow):
    """Features that differ in status, tags and assignee."""
    make = services.feature_create
    return {
        "match": make(actor=editor, product=product, title="Match", status=workflow["Planned"], tags=["mobile"],
                      assignee=viewer),
        "other_status": make(actor=editor, product=product, title="Other status", status=workflow["Backlog"],
                             tags=["mobile"], assignee=viewer),
        "other_tag": make(actor=editor, product=product, title="Other tag", status=workflow["Planned"],
                          tags=["web"], assignee=viewer),
        "other_person": make(actor=editor, product=product, title="Other person", status=workflow["Planned"],
                             tags=["mobile"], assignee=editor),
        "second_status": make(actor=editor, product=product, title="Second status", status=workflow["In design"],
                              tags=["mobile", "web"], assignee=viewer),
    }


def test_backlog_filters_combine(client_as_viewer, product, mixed, workflow, viewer):
    response = client_as_viewer.get(url("backlog", product, status=[workflow["Planned"].pk, workflow["In design"].pk],
                                        tag="mobile", assignee=viewer.pk))

    assert keys_in(response.content.decode()) == [mixed["match"].key, mixed["second_status"].key]


def test_backlog_filters_stay_in_the_form_and_the_url(client_as_viewer, product, mixed, workflow, viewer):
    page = url("backlog", product, status=workflow["Planned"].pk, tag="mobile", assignee=viewer.pk,
               ordering="-rice_score")
    html = client_as_viewer.get(page).content.decode()

    assert f'name="status" value="{workflow["Planned"].pk}" checked' in html
    assert '<option value="mobile" selected>' in html
    assert f'<option value="{viewer.pk}" selected>' in html
    assert '<option value="-rice_score" selected>' in html
    # The form is a GET form (so filters are a shareable URL); htmx pushes that URL.
    assert 'method="get"' in html and 'hx-push-url="true"' in html
    assert "1 of 5 open features" in re.sub(r"<[^>]+>", "", html)


def test_htmx_filtering_answers_only_the_results(client_as_viewer, product, mixed, viewer):
    response = client_as_viewer.get(url("backlog", product, tag="web"), HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert html.lstrip().startswith('<div id="backlog-results"')
    assert keys_in(html) == [mixed["other_tag"].key, mixed["second_status"].key]
    assert "HX-Request" in response["Vary"]


def test_unscheduled_and_unassigned_and_search_filters(client_as_viewer, editor, viewer, product, workflow):
    release = services.release_create(actor=editor, product=product, name="R", start_date=date(2030, 1, 1),
                                      release_date=date(2030, 2, 1))
    scheduled = services.feature_create(actor=editor, product=product, title="Checkout redesign", release=release,
                                        assignee=viewer)
    loose = services.feature_create(actor=editor, product=product, title="Dark mode")
    features = Feature.objects.filter(product=product)

    def numbers(**query):
        return [f.number for f in FeatureFilterSet(query, queryset=features).qs]

    assert numbers(release="none") == [loose.number]
    assert numbers(release=str(release.pk)) == [scheduled.number]
    assert numbers(assignee="none") == [loose.number]
    assert numbers(q="checkout") == [scheduled.number]
    assert numbers(q="MOB-2") == [loose.number]
    assert numbers(q="2") == [loose.number]
    assert numbers(status=f"{scheduled.status_id}") == [scheduled.number, loose.number]
    assert numbers(category="not_started", release="none") == [loose.number]


def test_backlog_sorts_by_rice_score(client_as_viewer, editor, product, workflow):
    low = services.feature_create(actor=editor, product=product, title="Low", reach=100, impact=Decimal(1),
                                  confidence=100, effort=Decimal(1))
    unscored = services.feature_create(actor=editor, product=product, title="Unscored")
    high = services.feature_create(actor=editor, product=product, title="High", reach=1000, impact=Decimal(2),
                                   confidence=100, effort=Decimal(1))

    by_score = client_as_viewer.get(url("backlog", product, ordering="-rice_score")).content.decode()
    by_rank = client_as_viewer.get(url("backlog", product)).content.decode()
    ascending = client_as_viewer.get(url("backlog", product, ordering="rice_score")).content.decode()

    assert keys_in(by_score) == [high.key, low.key, unscored.key]
    assert keys_in(ascending) == [low.key, high.key, unscored.key]
    assert keys_in(by_rank) == [low.key, unscored.key, high.key]


def test_manual_ranking_is_offered_only_in_rank_order(client_as_editor, product, features):
    by_score = client_as_editor.get(url("backlog", product, ordering="-rice_score")).content.decode()
    by_rank = client_as_editor.get(url("backlog", product)).content.decode()

    assert "drag-handle" not in by_score and 'name="move"' not in by_score
    assert "sort by rank</a> to reorder" in by_score
    assert "drag-handle" in by_rank and 'name="move"' in by_rank


def test_backlog_sorts_by_end_date(client_as_viewer, editor, product, workflow):
    late = services.feature_create(actor=editor, product=product, title="Late", end_date=date(2030, 6, 1))
    undated = services.feature_create(actor=editor, product=product, title="Undated")
    soon = services.feature_create(actor=editor, product=product, title="Soon", end_date=date(2030, 1, 1))

    html = client_as_viewer.get(url("backlog", product, ordering="end")).content.decode()

    assert keys_in(html) == [soon.key, late.key, undated.key]


# --- ranking -----------------------------------------------------------------------------


def test_rank_move_writes_only_that_feature_and_changes_the_order(client_as_editor, product, features):
    before = ranks(product)

    response = client_as_editor.post(url("feature_rank_move", product), {"feature": 5, "after": 1, "before": 2},
                                     **FETCH)

    assert response.status_code == 204
    after = ranks(product)
    assert {n: r for n, r in after.items() if n != 5} == {n: r for n, r in before.items() if n != 5}
    assert after[5] != before[5]
    assert order(product) == [1, 5, 2, 3, 4]


def test_rank_move_to_the_top_and_bottom(client_as_editor, product, features):
    client_as_editor.post(url("feature_rank_move", product), {"feature": 3, "after": "", "before": 1}, **FETCH)
    assert order(product) == [3, 1, 2, 4, 5]

    client_as_editor.post(url("feature_rank_move", product), {"feature": 1, "after": 5, "before": ""}, **FETCH)
    assert order(product) == [3, 2, 4, 5, 1]


def test_rank_move_answers_htmx_with_204(client_as_editor, product, features):
    response = client_as_editor.post(url("feature_rank_move", product), {"feature": 2, "after": 4, "before": 5},
                                     HTTP_HX_REQUEST="true")

    assert response.status_code == 204
    assert order(product) == [1, 3, 4, 2, 5]


def test_rank_move_without_a_place_is_refused_as_json(client_as_editor, product, features):
    before = ranks(product)

    response = client_as_editor.post(url("feature_rank_move", product), {"feature": 2, "after": "", "before": ""},
                                     **FETCH)

    assert response.status_code == 400
    assert "MOB-2" in json.loads(response.content)["error"]
    assert ranks(product) == before


def test_rank_move_is_refused_for_a_viewer(client_as_viewer, product, features):
    before = ranks(product)

    response = client_as_viewer.post(url("feature_rank_move", product), {"feature": 5, "after": "", "before": 1},
                                     **FETCH)

    assert response.status_code == 403
    assert ranks(product) == before


def _move_button_value(html: str, number: int, direction: str) -> str:
    row = html.split(f'id="f-{number}"')[1].split("</tr>")[0]
    return re.search(rf'name="move" value="([^"]*)" data-move="{direction}"', row).group(1)


def test_no_js_move_up_down_and_top_buttons(client_as_editor, product, features):
    page = url("backlog", product)

    html = client_as_editor.get(page).content.decode()
    response = client_as_editor.post(url("feature_rank_move", product),
                                     {"move": _move_button_value(html, 3, "up"), "next": page})
    assert response.status_code == 302
    assert response["Location"] == f"{page}#f-3"
    assert order(product) == [1, 3, 2, 4, 5]

    html = client_as_editor.get(page).content.decode()
    client_as_editor.post(url("feature_rank_move", product), {"move": _move_button_value(html, 1, "down")})
    assert order(product) == [3, 1, 2, 4, 5]

    html = client_as_editor.get(page).content.decode()
    client_as_editor.post(url("feature_rank_move", product), {"move": _move_button_value(html, 4, "top")})
    assert order(product) == [4, 3, 1, 2, 5]

    # The first row has nowhere to go up; its button is there for planning.js but hidden.
    html = client_as_editor.get(page).content.decode()
    first = html.split('id="f-4"')[1].split("</tr>")[0]
    assert re.search(r'value="" data-move="up"[^>]*hidden', first)


def test_top_button_of_a_filtered_backlog_goes_above_the_whole_backlog(client_as_editor, product, features,
                                                                      workflow, editor):
    services.feature_update(actor=editor, feature=features[3], status=workflow["Planned"])
    page = url("backlog", product, status=workflow["Planned"].pk)

    html = client_as_editor.get(page).content.decode()
    client_as_editor.post(url("feature_rank_move", product), {"move": _move_button_value(html, 4, "top")})

    assert order(product)[0] == 4


def test_no_js_move_redirect_ignores_foreign_next(client_as_editor, product, features):
    response = client_as_editor.post(url("feature_rank_move", product),
                                     {"feature": 2, "after": 3, "before": 4, "next": "https://evil.test/"})

    assert response["Location"] == url("backlog", product) + "#f-2"


# --- bulk actions -----------------------------------------------------------------------------


def test_bulk_move_to_release_applies_to_every_selected_feature(client_as_editor, editor, product, features):
    release = services.release_create(actor=editor, product=product, name="Spring", start_date=date(2030, 1, 1),
                                      release_date=date(2030, 3, 1))

    response = client_as_editor.post(url("backlog_bulk", product), {
        "numbers": [1, 3, 4], "action": "release", "value": release.pk}, follow=True)

    assert response.status_code == 200
    assert set(Feature.objects.filter(release=release).values_list("number", flat=True)) == {1, 3, 4}
    assert Feature.objects.filter(release__isnull=True).count() == 2
    assert "3 features moved to Spring." in response.content.decode()


@pytest.mark.parametrize("action", ["status", "initiative", "tag"])
def test_other_bulk_actions(client_as_editor, editor, product, features, workflow, action):
    initiative = Initiative.objects.create(workspace=product.workspace, product=product, name="Growth")
    value = {"status": workflow["In design"].pk, "initiative": initiative.pk, "tag": "Q3"}[action]

    response = client_as_editor.post(url("backlog_bulk", product), {
        "numbers": [2, 5], "action": action, f"value_{action}": value}, **FETCH)

    assert response.status_code == 200
    assert json.loads(response.content)["count"] == 2
    changed = Feature.objects.filter(product=product, number__in=[2, 5])
    untouched = Feature.objects.filter(product=product).exclude(number__in=[2, 5])
    if action == "status":
        assert {f.status_id for f in changed} == {workflow["In design"].pk}
        assert {f.status_id for f in untouched} == {workflow["Backlog"].pk}
    elif action == "initiative":
        assert {f.initiative_id for f in changed} == {initiative.pk}
        assert not untouched.filter(initiative__isnull=False).exists()
    else:
        assert all(f.tags == ["q3"] for f in changed)
        assert all(f.tags == [] for f in untouched)


def test_bulk_change_with_a_release_of_another_product_changes_nothing_and_names_the_feature(
        client_as_editor, editor, product, features, workspace):
    elsewhere = ProductFactory(workspace=workspace, name="Web", key="WEB")
    foreign = services.release_create(actor=editor, product=elsewhere, name="Web 1", start_date=date(2030, 1, 1),
                                      release_date=date(2030, 3, 1))
    versions = dict(Feature.objects.values_list("number", "version"))

    response = client_as_editor.post(url("backlog_bulk", product), {
        "numbers": [2, 3], "action": "release", "value": foreign.pk}, follow=True)

    assert not Feature.objects.filter(release__isnull=False).exists()
    assert dict(Feature.objects.values_list("number", "version")) == versions
    text = response.content.decode()
    assert "MOB-2: Choose a release of Mobile App. Nothing was changed." in text


def test_bulk_change_refusal_answers_json_for_javascript(client_as_editor, editor, product, features, workspace):
    elsewhere = ProductFactory(workspace=workspace, name="Web", key="WEB")
    foreign = services.release_create(actor=editor, product=elsewhere, name="Web 1", start_date=date(2030, 1, 1),
                                      release_date=date(2030, 3, 1))

    response = client_as_editor.post(url("backlog_bulk", product), {
        "numbers": [4], "action": "release", "value": foreign.pk}, **FETCH)

    assert response.status_code == 400
    assert json.loads(response.content)["error"].startswith("MOB-4:")


def test_bulk_change_is_refused_for_a_viewer(client_as_viewer, product, features, workflow):
    response = client_as_viewer.post(url("backlog_bulk", product), {
        "numbers": [1], "action": "status", "value": workflow["Planned"].pk})

    assert response.status_code == 403
    assert not Feature.objects.filter(status=workflow["Planned"]).exists()


def test_bulk_change_without_selection_changes_nothing(client_as_editor, product, features, workflow):
    response = client_as_editor.post(url("backlog_bulk", product), {"action": "status",
                                                                     "value": workflow["Planned"].pk}, follow=True)

    assert "Select the features to change first." in response.content.decode()
    assert not Feature.objects.filter(status=workflow["Planned"]).exists()


# --- board moves -------------------------------------------------------------------------------


def test_board_move_changes_the_status_and_answers_the_card(client_as_editor, product, features, workflow):
    feature = features[1]

    response = client_as_editor.post(url("board_move", product), {
        "feature": feature.number, "status": workflow["In design"].pk, "version": feature.version}, **FETCH)

    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith(f'<article class="kcard" id="card-{feature.number}"')
    assert f'data-status="{workflow["In design"].pk}"' in html
    assert f'data-version="{feature.version + 1}"' in html
    feature.refresh_from_db()
    assert feature.status == workflow["In design"]


def test_board_move_without_javascript_redirects_back_with_a_message(client_as_editor, product, features, workflow):
    board = url("board", product, release="none")

    response = client_as_editor.post(url("board_move", product), {
        "feature": 1, "status": workflow["Shipped"].pk, "next": board})

    assert response.status_code == 302
    assert response["Location"] == f"{board}#card-1"
    assert Feature.objects.get(number=1).status == workflow["Shipped"]
    assert "MOB-1 moved to Shipped." in client_as_editor.get(response["Location"]).content.decode()


def test_board_move_is_refused_for_a_viewer(client_as_viewer, product, features, workflow):
    response = client_as_viewer.post(url("board_move", product), {
        "feature": 1, "status": workflow["Shipped"].pk}, **FETCH)

    assert response.status_code == 403
    assert Feature.objects.get(number=1).status == workflow["Backlog"]
    assert Feature.objects.get(number=1).version == 1


def test_board_move_of_a_stale_card_is_refused(client_as_editor, editor, product, features, workflow):
    feature = features[0]
    services.feature_update(actor=editor, feature=feature, title="Renamed meanwhile")

    response = client_as_editor.post(url("board_move", product), {
        "feature": 1, "status": workflow["Planned"].pk, "version": 1}, **FETCH)

    assert response.status_code == 409
    error = json.loads(response.content)["error"]
    assert "changed by someone else" in error and "title" in error
    assert Feature.objects.get(number=1).status == workflow["Backlog"]


def test_board_move_to_a_retired_or_foreign_status_is_refused(client_as_editor, admin, product, features, workflow,
                                                              other_workspace):
    from releases.services import workflow_defaults_create

    foreign = workflow_defaults_create(workspace=other_workspace)[0]
    services.workflow_status_retire(actor=admin, status=workflow["Idea"])

    for status in (foreign, workflow["Idea"]):
        response = client_as_editor.post(url("board_move", product), {"feature": 1, "status": status.pk}, **FETCH)
        assert response.status_code == 400
    assert Feature.objects.get(number=1).status == workflow["Backlog"]


def test_board_filters_by_release(client_as_viewer, editor, product, workflow):
    release = services.release_create(actor=editor, product=product, name="R", start_date=date(2030, 1, 1),
                                      release_date=date(2030, 2, 1))
    inside = services.feature_create(actor=editor, product=product, title="In", release=release)
    outside = services.feature_create(actor=editor, product=product, title="Out")

    html = client_as_viewer.get(url("board", product, release=release.pk)).content.decode()
    assert keys_in(html) == [inside.key]
    html = client_as_viewer.get(url("board", product, release="none")).content.decode()
    assert keys_in(html) == [outside.key]


# --- value / effort ------------------------------------------------------------------------------


def test_matrix_places_features_in_the_right_quadrant(client_as_viewer, editor, product, workflow):
    def scored(title, reach, effort):
        return services.feature_create(actor=editor, product=product, title=title, reach=reach, impact=Decimal(1),
                                       confidence=100, effort=Decimal(effort))

    quick = scored("Quick", 10_000, "0.5")
    bet = scored("Bet", 20_000, 8)
    filler = scored("Filler", 50, 1)
    pit = scored("Pit", 20, 13)
    unscored = services.feature_create(actor=editor, product=product, title="No parts", reach=300)

    response = client_as_viewer.get(url("value_effort", product))

    placed = {q["name"]: [p["row"]["key"] for p in q["points"]] for q in response.context["quadrants"]}
    assert placed == {QUICK_WINS: [quick.key], BIG_BETS: [bet.key], FILL_INS: [filler.key], MONEY_PITS: [pit.key]}
    assert [u["row"]["key"] for u in response.context["unscored"]] == [unscored.key]
    html = response.content.decode()
    assert "Score these to place them" in html
    assert "impact, confidence, effort" in html
    for label in ("Quick wins", "Big bets", "Fill-ins", "Money pits"):
        assert label in html
    # Values span orders of magnitude (20 to 20,000): the value axis is logarithmic.
    assert response.context["matrix"].log_value


# --- query counts --------------------------------------------------------------------------------


def _bulk_features(product, workflow, count: int, start: int = 1) -> None:
    statuses = [workflow[name] for name in ("Idea", "Backlog", "Planned", "In design", "In development")]
    Feature.objects.bulk_create([
        Feature(workspace=product.workspace, product=product, number=start + i, title=f"Bulk {start + i}",
                status=statuses[i % len(statuses)], rank=rank, tags=["bulk"] if i % 3 else [],
                estimate=Decimal(i % 8) or None, reach=100 + i, impact=Decimal(1), confidence=80,
                effort=Decimal(1 + i % 5), rice_score=Decimal(100 + i),
                end_date=date(2030, 1, 1) + timedelta(days=i % 90))
        for i, rank in enumerate(ranking.spread(count))
    ], batch_size=1000)


@pytest.mark.parametrize("name", ["backlog", "board", "value_effort"])
def test_planning_page_queries_do_not_grow_with_features(client_as_editor, editor, viewer, product, workflow, name):
    release = services.release_create(actor=editor, product=product, name="R", start_date=date(2030, 1, 1),
                                      release_date=date(2030, 2, 1))
    _bulk_features(product, workflow, 10)
    Feature.objects.filter(number__lte=5).update(release=release, assignee=viewer)
    page = url(name, product)
    client_as_editor.get(page)  # the first visit also remembers the workspace in the session

    few = count_queries(lambda: client_as_editor.get(page))
    Feature.objects.all().delete()
    _bulk_features(product, workflow, 2_000)
    Feature.objects.filter(number__lte=1000).update(release=release, assignee=viewer)
    response = client_as_editor.get(page)
    many = count_queries(lambda: client_as_editor.get(page))

    assert response.status_code == 200
    assert many == few
    # The backlog and the board send a window of the 2,000 (tests/releases/test_planning_windows.py).
    shown = {"backlog": BACKLOG_WINDOW, "board": 5 * BOARD_WINDOW, "value_effort": None}[name]
    if shown:
        assert len(keys_in(response.content.decode())) == shown


# The hot pages' exact counts: a change that adds a query to them changes this number on purpose.
# The backlog: 8 (its menus' releases, initiatives, people and tags in one), and 1 for the
# releases with overdue launch to-dos. Neither reads the sidebar's saved views: the product's
# query says it has none. The board: 9 since it sends a window of each column (its conflicts and blockers come from the
# plan cache instead of the whole product's rows), read in two queries: which cards are in it,
# over the features' own columns, then the cards' joined columns.
@pytest.mark.parametrize(("name", "queries"), [("backlog", 9), ("board", 9)])
def test_the_backlog_and_board_cost_exactly_their_pinned_queries(client_as_editor, editor, viewer, product, workflow,
                                                                  name, queries, django_assert_num_queries):
    release = services.release_create(actor=editor, product=product, name="R", start_date=date(2030, 1, 1),
                                      release_date=date(2030, 2, 1))
    _bulk_features(product, workflow, 10)
    Feature.objects.filter(number__lte=5).update(release=release, assignee=viewer)
    page = url(name, product)
    client_as_editor.get(page)  # the first visit also remembers the workspace in the session
    with django_assert_num_queries(queries):
        assert client_as_editor.get(page).status_code == 200


@pytest.mark.parametrize("page", ["backlog", "board"])
def test_a_release_over_capacity_is_flagged_on_the_backlog_and_board(client_as_viewer, editor, product, workflow,
                                                                      page):
    from datetime import date as day

    release = services.release_create(actor=editor, product=product, name="Tight", start_date=day(2026, 1, 1),
                                      release_date=day(2026, 3, 1), capacity=1)
    services.feature_create(actor=editor, product=product, title="Big", release=release, estimate=5)

    response = client_as_viewer.get(url(page, product))

    assert "Tight plans 5 points for a capacity of 1." in response.content.decode()
