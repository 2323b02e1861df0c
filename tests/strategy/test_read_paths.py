"""Pages and the API read goals the same way: one GoalFilterSet (product by id, key or
"company"; status from computed health), one selector that adds health in a fixed number
of queries, and role refusals at the page gate before any input is read."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from strategy import selectors, services
from strategy.models import Goal
from tests.api_urls import api_url
from tests.conftest import count_queries

pytestmark = pytest.mark.django_db

GOALS = api_url("strategy-api:goal-list")


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["name"] for row in response.json()["results"]]


def _goal(editor, workspace, name, *, product=None, days_ago=10, days_left=80, key_result=False) -> Goal:
    today = timezone.localdate()
    goal = services.goal_create(actor=editor, workspace=workspace, name=name, product=product,
                                start_date=today - timedelta(days=days_ago),
                                end_date=today + timedelta(days=days_left))
    if key_result:
        services.key_result_create(actor=editor, goal=goal, name=f"{name} KR", start_value=Decimal(0),
                                   target_value=Decimal(100))
    return goal


def test_the_goals_api_takes_a_product_key_or_company_as_the_page_does(viewer, editor, workspace, product):
    _goal(editor, workspace, "Mobile goal", product=product)
    _goal(editor, workspace, "Company goal")
    client = _api(viewer)

    assert _names(client.get(GOALS, {"product": "mob"})) == ["Mobile goal"]
    assert _names(client.get(GOALS, {"product": str(product.pk)})) == ["Mobile goal"]
    assert _names(client.get(GOALS, {"product": "company"})) == ["Company goal"]


def test_the_goals_api_lists_ended_goals_while_the_page_hides_them(client_as_viewer, viewer, editor, workspace):
    _goal(editor, workspace, "Ended goal", days_ago=100, days_left=-10)
    _goal(editor, workspace, "Running goal")

    assert _names(_api(viewer).get(GOALS)) == ["Ended goal", "Running goal"]
    page = client_as_viewer.get(reverse("strategy:goal_list", args=[workspace.slug])).content.decode()
    assert "Running goal" in page and "Ended goal" not in page


def test_the_goals_api_filters_by_computed_status(viewer, editor, workspace):
    _goal(editor, workspace, "Measured", key_result=True)
    _goal(editor, workspace, "Unmeasured")
    client = _api(viewer)

    response = client.get(GOALS, {"status": "no_key_results"})

    assert _names(response) == ["Unmeasured"]
    assert response.json()["count"] == 1
    assert response.json()["results"][0]["status"] == "no_key_results"
    assert client.get(GOALS, {"status": "sideways"}).status_code == 400


def test_the_goals_api_filtered_by_status_costs_the_same_queries_for_2_or_20_goals(viewer, editor, workspace):
    for i in range(2):
        _goal(editor, workspace, f"Goal {i}", key_result=True)
    client = _api(viewer)
    url = f"{GOALS}?status=on_track"
    few = count_queries(lambda: client.get(url))

    for i in range(2, 20):
        _goal(editor, workspace, f"Goal {i}", key_result=True)

    assert count_queries(lambda: client.get(url)) == few


def test_goals_with_health_reads_key_results_in_one_query_for_goals_not_yet_loaded(editor, workspace,
                                                                                  django_assert_num_queries):
    for i in range(5):
        _goal(editor, workspace, f"Goal {i}", key_result=True)
    goals = list(Goal.objects.all())

    with django_assert_num_queries(1):
        views = selectors.goals_with_health(goals)

    assert [len(view.key_results) for view in views] == [1] * 5


def test_a_viewers_check_in_is_refused_before_its_goal_is_looked_up(client_as_viewer, workspace):
    url = reverse("strategy:key_result_check_in", args=[workspace.slug, 999999, 999999])

    assert client_as_viewer.post(url, {"value": "not a number"}).status_code == 403


def test_a_viewers_comparison_save_is_refused_before_its_product_is_looked_up(client_as_viewer, workspace):
    url = reverse("strategy:competitor_comparison", args=[workspace.slug, "NOPE"])

    assert client_as_viewer.post(url, {}).status_code == 403
    assert client_as_viewer.get(url).status_code == 404
