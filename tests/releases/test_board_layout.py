"""The board fits: swimlanes by initiative, release or assignee, compact cards, and columns
that collapse (each column carries its collapse button; planning.js remembers them)."""

import re

import pytest
from django.urls import reverse

from releases import services
from releases.render import board_lanes
from tests.conftest import count_queries
from tests.factories import InitiativeFactory, ReleaseFactory

pytestmark = pytest.mark.django_db


def board_url(product, **query):
    path = reverse("releases:board", args=[product.workspace.slug, product.key])
    return path + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


@pytest.fixture
def plan(editor, product, workflow):
    growth = InitiativeFactory(product=product, name="Growth")
    spring = ReleaseFactory(product=product, name="Spring")
    make = services.feature_create
    make(actor=editor, product=product, title="Saved carts", status=workflow["Backlog"], initiative=growth,
         release=spring, assignee=editor)
    make(actor=editor, product=product, title="One-tap pay", status=workflow["In design"], initiative=growth)
    make(actor=editor, product=product, title="Wish lists", status=workflow["Backlog"])
    return {"growth": growth, "spring": spring}


def lanes_in(html: str) -> list[str]:
    return re.findall(r'<section class="lane" data-lane="([^"]+)"', html)


def active(workflow) -> int:
    return sum(1 for status in workflow.values() if status.retired_at is None)


def test_swimlanes_by_initiative_put_features_without_one_last(client_as_viewer, product, plan, workflow):
    html = client_as_viewer.get(board_url(product, lanes="initiative")).content.decode()

    assert lanes_in(html) == [f"initiative-{plan['growth'].pk}", "initiative-none"]
    assert 'aria-label="Growth: 2 features"' in html and 'aria-label="No initiative: 1 feature"' in html
    assert "board--lanes" in html
    # Every lane has every active column.
    assert html.count('class="kcol kcol--') == 2 * active(workflow)


@pytest.mark.parametrize("by, expected", [("release", ["Spring", "Unscheduled"]),
                                          ("assignee", ["editor", "Unassigned"])])
def test_swimlanes_by_release_or_assignee(client_as_viewer, product, plan, by, expected, editor):
    html = client_as_viewer.get(board_url(product, lanes=by)).content.decode()

    names = re.findall(r'<span class="lane__name">([^<]+)</span>', html)
    expected = [editor.display_name if name == "editor" else name for name in expected]
    assert names == expected


def test_an_unknown_lane_choice_draws_the_plain_board(client_as_viewer, product, plan):
    html = client_as_viewer.get(board_url(product, lanes="colour")).content.decode()

    assert "board--lanes" not in html and lanes_in(html) == []


def test_compact_cards_are_a_class_of_the_board(client_as_viewer, product, plan):
    html = client_as_viewer.get(board_url(product, cards="compact")).content.decode()

    assert 'class="board board--compact"' in html
    assert '<option value="compact" selected>' in html


def test_every_column_has_a_collapse_button(client_as_viewer, product, plan, workflow):
    html = client_as_viewer.get(board_url(product)).content.decode()

    assert html.count("data-collapse") == active(workflow)
    assert 'aria-label="Collapse In design"' in html


def test_the_htmx_filter_answers_only_the_board(client_as_viewer, product, plan):
    response = client_as_viewer.get(board_url(product, lanes="release"), HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert html.lstrip().startswith('<div id="board-results"') and "board--lanes" in html


def test_board_lanes_keeps_retired_columns_only_in_lanes_that_use_them():
    rows = [{"id": 1, "status_id": 9, "initiative_id": None, "initiative__name": None},
            {"id": 2, "status_id": 1, "initiative_id": 5, "initiative__name": "Growth", "initiative__colour": "#f00"}]
    lanes = board_lanes(rows, [(1, "Backlog", "not_started", False), (9, "Old", "not_started", True)], "initiative")

    assert [lane.name for lane in lanes] == ["Growth", "No initiative"]
    assert [c.name for c in lanes[0].columns] == ["Backlog"]
    assert [c.name for c in lanes[1].columns] == ["Backlog", "Old"]
    assert lanes[0].colour == "#f00"


@pytest.mark.parametrize("by", ["initiative", "release", "assignee"])
def test_swimlanes_cost_the_same_however_many_features(client_as_editor, editor, product, workflow, plan, by):
    url = board_url(product, lanes=by)
    client_as_editor.get(url)
    few = count_queries(lambda: client_as_editor.get(url))
    for i in range(20):
        services.feature_create(actor=editor, product=product, title=f"More {i}", status=workflow["Planned"],
                                initiative=InitiativeFactory(product=product) if i % 4 == 0 else None,
                                release=ReleaseFactory(product=product) if i % 5 == 0 else None)
    client_as_editor.get(url)  # the plan changed: the first visit recomputes its conflicts, once
    assert count_queries(lambda: client_as_editor.get(url)) == few
