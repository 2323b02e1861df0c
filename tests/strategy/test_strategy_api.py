"""The /api/v1/ endpoints of a product's strategy: vision, personas, competitors and the
comparison, goals with key results and check-ins, and initiatives. Happy paths check the
database; then filters, field-keyed 400s, 403 for viewers, 404 across workspaces, the 409
of a stale vision, and list query counts that do not grow with rows."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from strategy import services
from strategy.models import (
    CheckIn,
    ComparisonCriterion,
    Competitor,
    CompetitorRating,
    Goal,
    Initiative,
    KeyResult,
    Persona,
    Role,
    Vision,
)
from tests.api_urls import api_url
from tests.conftest import count_queries
from tests.factories import MembershipFactory, ProductFactory, UserFactory

pytestmark = pytest.mark.django_db

PERSONAS = api_url("strategy-api:persona-list")
COMPETITORS = api_url("strategy-api:competitor-list")
CRITERIA = api_url("strategy-api:criterion-list")
GOALS = api_url("strategy-api:goal-list")
KEY_RESULTS = api_url("strategy-api:key-result-list")
INITIATIVES = api_url("strategy-api:initiative-list")



def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _detail(name: str, record) -> str:
    return api_url(f"strategy-api:{name}-detail", args=[record.pk])


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def _boss(workspace):
    """The admin of another workspace, to create records there."""
    return workspace.memberships.get(role=Role.ADMIN).user


def _goal(actor, workspace, name="Grow revenue", start=None, end=None, **fields) -> Goal:
    today = timezone.localdate()
    return services.goal_create(
        actor=actor, workspace=workspace, name=name,
        start_date=start or today - timedelta(days=50), end_date=end or today + timedelta(days=50), **fields,
    )


def _key_result(actor, goal, name="Paying customers", start="0", target="100", **fields) -> KeyResult:
    return services.key_result_create(
        actor=actor, goal=goal, name=name, start_value=Decimal(start), target_value=Decimal(target), **fields)


@pytest.fixture
def web(workspace):
    return ProductFactory(workspace=workspace, name="Web App", key="WEB")


# --- personas -----------------------------------------------------------------


def test_an_editor_creates_a_persona(editor, product):
    response = _api(editor).post(PERSONAS, {
        "product": product.pk, "name": " Priya the PM ", "role": "Product manager", "colour": "#112233",
        "importance": "secondary", "quote": "Show me what ships next.",
    }, format="json")

    persona = Persona.objects.get(product=product)
    assert response.status_code == 201
    assert response.json()["id"] == persona.pk
    assert response.json()["importance"] == "secondary"
    assert (persona.name, persona.role, persona.colour, persona.importance, persona.workspace_id) == (
        "Priya the PM", "Product manager", "#112233", "secondary", product.workspace_id)
    assert persona.history.first().history_user == editor


def test_a_persona_left_without_optional_fields_gets_the_models_defaults(editor, product):
    response = _api(editor).post(PERSONAS, {"product": product.pk, "name": "Sam"}, format="json")

    assert response.status_code == 201
    assert (response.json()["colour"], response.json()["importance"]) == ("#6366f1", "primary")


def test_personas_filter_by_product_and_importance(viewer, editor, product, web):
    pat = services.persona_create(actor=editor, product=product, name="Pat")
    sue = services.persona_create(actor=editor, product=product, name="Sue", importance="secondary")
    wes = services.persona_create(actor=editor, product=web, name="Wes")
    client = _api(viewer)

    assert sorted(_ids(client.get(PERSONAS))) == sorted([pat.pk, sue.pk, wes.pk])
    assert _ids(client.get(PERSONAS, {"product": product.pk})) == [pat.pk, sue.pk]
    assert _ids(client.get(PERSONAS, {"product": product.pk, "importance": "secondary"})) == [sue.pk]
    assert client.get(PERSONAS, {"importance": "tertiary"}).status_code == 400


def test_an_editor_patches_and_puts_a_persona(editor, product):
    persona = services.persona_create(actor=editor, product=product, name="Pat", pains="Too many tools")
    client = _api(editor)

    patched = client.patch(_detail("persona", persona), {"role": "Founder"}, format="json")
    put = client.put(_detail("persona", persona), {"product": product.pk, "name": "Patricia"}, format="json")

    persona.refresh_from_db()
    assert (patched.status_code, put.status_code) == (200, 200)
    assert patched.json()["role"] == "Founder"
    assert put.json()["name"] == "Patricia"
    assert (persona.name, persona.role, persona.pains) == ("Patricia", "Founder", "Too many tools")


def test_an_editor_deletes_a_persona(editor, product):
    persona = services.persona_create(actor=editor, product=product, name="Pat")

    response = _api(editor).delete(_detail("persona", persona))

    assert response.status_code == 204
    assert not Persona.objects.filter(pk=persona.pk).exists()


def test_every_bad_persona_field_is_named_in_one_answer(editor, product):
    response = _api(editor).post(PERSONAS, {
        "product": product.pk, "name": "  ", "colour": "blue", "importance": "vital", "quote": "x" * 301,
    }, format="json")

    assert response.status_code == 400
    assert set(response.json()) == {"name", "colour", "importance", "quote"}
    assert not Persona.objects.exists()


def test_a_persona_cannot_move_to_another_product(editor, product, web):
    persona = services.persona_create(actor=editor, product=product, name="Pat")

    response = _api(editor).patch(_detail("persona", persona), {"product": web.pk, "name": "Moved"}, format="json")

    persona.refresh_from_db()
    assert response.status_code == 400
    assert set(response.json()) == {"product"}
    assert (persona.product, persona.name) == (product, "Pat")


def test_a_persona_for_another_workspaces_product_is_a_400_on_product(editor, product, other_product):
    response = _api(editor).post(PERSONAS, {"product": other_product.pk, "name": "Spy"}, format="json")

    assert response.status_code == 400
    assert set(response.json()) == {"product"}
    assert "Secret" not in response.content.decode()
    assert not Persona.objects.exists()


# --- competitors ----------------------------------------------------------------


def test_an_editor_creates_changes_and_deletes_a_competitor(editor, product):
    client = _api(editor)

    created = client.post(COMPETITORS, {
        "product": product.pk, "name": "Roadmunk", "website": "https://roadmunk.example", "threat": "high",
    }, format="json")
    competitor = Competitor.objects.get(product=product)
    patched = client.patch(_detail("competitor", competitor), {"threat": "low", "strengths": "Cheap"}, format="json")
    competitor.refresh_from_db()

    assert (created.status_code, patched.status_code) == (201, 200)
    assert created.json()["website"] == "https://roadmunk.example"
    assert (competitor.name, competitor.threat, competitor.strengths) == ("Roadmunk", "low", "Cheap")

    deleted = client.delete(_detail("competitor", competitor))

    assert deleted.status_code == 204
    assert not Competitor.objects.filter(pk=competitor.pk).exists()


def test_competitors_filter_by_product_and_threat_and_list_the_most_threatening_first(viewer, editor, product, web):
    low = services.competitor_create(actor=editor, product=product, name="Aha", threat="low")
    high = services.competitor_create(actor=editor, product=product, name="Zeta", threat="high")
    other = services.competitor_create(actor=editor, product=web, name="Jira")
    client = _api(viewer)

    assert _ids(client.get(COMPETITORS, {"product": product.pk})) == [high.pk, low.pk]
    assert _ids(client.get(COMPETITORS, {"threat": "medium"})) == [other.pk]


def test_a_duplicate_competitor_and_a_bad_website_are_400s_on_their_fields(editor, product):
    services.competitor_create(actor=editor, product=product, name="Roadmunk")
    client = _api(editor)

    duplicate = client.post(COMPETITORS, {"product": product.pk, "name": "ROADMUNK"}, format="json")
    bad = client.post(COMPETITORS, {"product": product.pk, "name": "Aha", "website": "not a url",
                                    "threat": "extreme"}, format="json")

    assert (duplicate.status_code, bad.status_code) == (400, 400)
    assert set(duplicate.json()) == {"name"}
    assert set(bad.json()) == {"website", "threat"}
    assert Competitor.objects.count() == 1


# --- the comparison ------------------------------------------------------------------


def _comparison_url(product) -> str:
    return api_url("strategy-api:comparison-detail", args=[product.pk])


@pytest.fixture
def grid(editor, product):
    """Two criteria and two competitors of `product`."""
    setup = services.criterion_create(actor=editor, product=product, name="Ease of setup")
    price = services.criterion_create(actor=editor, product=product, name="Price")
    aha = services.competitor_create(actor=editor, product=product, name="Aha", threat="high")
    jira = services.competitor_create(actor=editor, product=product, name="Jira", threat="low")
    return setup, price, aha, jira


def test_an_editor_creates_lists_and_deletes_comparison_criteria(editor, viewer, product, web):
    client = _api(editor)

    first = client.post(CRITERIA, {"product": product.pk, "name": "Ease of setup"}, format="json")
    second = client.post(CRITERIA, {"product": product.pk, "name": "Price"}, format="json")
    services.criterion_create(actor=editor, product=web, name="Speed")

    criteria = list(ComparisonCriterion.objects.filter(product=product))
    assert (first.status_code, second.status_code) == (201, 201)
    assert [(c.name, c.position) for c in criteria] == [("Ease of setup", 1), ("Price", 2)]
    assert _ids(_api(viewer).get(CRITERIA, {"product": product.pk})) == [c.pk for c in criteria]

    deleted = client.delete(_detail("criterion", criteria[0]))

    assert deleted.status_code == 204
    assert list(ComparisonCriterion.objects.filter(product=product)) == [criteria[1]]


def test_a_duplicate_criterion_is_a_400_on_name(editor, product):
    services.criterion_create(actor=editor, product=product, name="Price")

    response = _api(editor).post(CRITERIA, {"product": product.pk, "name": "price"}, format="json")

    assert response.status_code == 400
    assert set(response.json()) == {"name"}
    assert ComparisonCriterion.objects.count() == 1


def test_the_comparison_reads_criteria_and_a_column_per_competitor_after_the_product(viewer, editor, product, grid):
    setup, price, aha, jira = grid
    services.comparison_rate(actor=editor, product=product, ratings=[(setup, None, 5), (price, aha, 2)])

    response = _api(viewer).get(_comparison_url(product))

    data = response.json()
    assert response.status_code == 200
    assert [c["id"] for c in data["criteria"]] == [setup.pk, price.pk]
    assert [(c["competitor"], c["name"], c["scores"]) for c in data["columns"]] == [
        (None, "Mobile App", [5, None]),
        (aha.pk, "Aha", [None, 2]),
        (jira.pk, "Jira", [None, None]),
    ]
    assert data["columns"][0]["average"] == 5.0


def test_an_editor_rates_the_comparison_and_an_empty_score_clears_a_cell(editor, product, grid):
    setup, price, aha, jira = grid
    services.comparison_rate(actor=editor, product=product, ratings=[(price, jira, 4)])

    response = _api(editor).put(_comparison_url(product), {"ratings": [
        {"criterion": setup.pk, "competitor": None, "score": 3},
        {"criterion": setup.pk, "competitor": aha.pk, "score": 5},
        {"criterion": price.pk, "score": 1},
        {"criterion": price.pk, "competitor": jira.pk, "score": None},
    ]}, format="json")

    cells = {(r.criterion_id, r.competitor_id): r.score for r in CompetitorRating.objects.all()}
    assert response.status_code == 200
    assert cells == {(setup.pk, None): 3, (setup.pk, aha.pk): 5, (price.pk, None): 1}
    assert response.json()["columns"][0]["scores"] == [3, 1]


def test_a_score_of_6_is_a_400_naming_the_cell_and_nothing_is_written(editor, product, grid):
    setup, price, aha, jira = grid

    response = _api(editor).put(_comparison_url(product), {"ratings": [
        {"criterion": setup.pk, "competitor": None, "score": 4},
        {"criterion": price.pk, "competitor": aha.pk, "score": 6},
    ]}, format="json")

    assert response.status_code == 400
    assert {cell: set(errors) for cell, errors in response.json()["ratings"].items()} == {"1": {"score"}}
    assert not CompetitorRating.objects.exists()


def test_ratings_name_only_the_products_own_criteria_and_competitors(editor, product, web, grid):
    setup, price, aha, jira = grid
    elsewhere = services.criterion_create(actor=editor, product=web, name="Speed")
    rival = services.competitor_create(actor=editor, product=web, name="Rival")

    response = _api(editor).put(_comparison_url(product), {"ratings": [
        {"criterion": elsewhere.pk, "competitor": None, "score": 4},
        {"criterion": setup.pk, "competitor": rival.pk, "score": 4},
    ]}, format="json")

    assert response.status_code == 400
    assert {cell: set(errors) for cell, errors in response.json()["ratings"].items()} == {
        "0": {"criterion"}, "1": {"competitor"}}
    assert not CompetitorRating.objects.exists()


# --- goals ----------------------------------------------------------------------------


def test_an_editor_creates_a_company_wide_goal_and_a_product_goal(editor, admin, workspace, product):
    client = _api(editor)

    company = client.post(GOALS, {
        "workspace": "acme", "name": "Become profitable", "start_date": "2030-01-01", "end_date": "2030-12-31",
    }, format="json")
    product_goal = client.post(GOALS, {
        "workspace": "acme", "product": product.pk, "name": "Win mobile", "owner": admin.pk,
        "start_date": "2030-01-01", "end_date": "2030-03-31", "description": "Top 10 in the store",
    }, format="json")

    assert (company.status_code, product_goal.status_code) == (201, 201)
    goal = Goal.objects.get(pk=product_goal.json()["id"])
    assert Goal.objects.get(pk=company.json()["id"]).product is None
    assert (goal.workspace, goal.product, goal.owner, goal.end_date) == (workspace, product, admin, date(2030, 3, 31))
    data = product_goal.json()
    assert (data["workspace"], data["product"], data["owner"]["email"]) == ("acme", product.pk, "admin@acme.test")
    assert (data["progress"], data["status"], data["key_results"]) == (None, "no_key_results", [])


def test_a_goal_reads_with_its_health_and_each_key_results_progress(viewer, editor, workspace):
    goal = _goal(editor, workspace)
    half = _key_result(editor, goal, name="Customers", start="0", target="200", current_value=Decimal("100"))
    down = _key_result(editor, goal, name="Churn", start="10", target="5", current_value=Decimal("9"))

    data = _api(viewer).get(_detail("goal", goal)).json()

    assert [(kr["id"], kr["progress"], kr["direction"]) for kr in data["key_results"]] == [
        (half.pk, "50.0", "up"), (down.pk, "20.0", "down")]
    assert (data["progress"], data["expected"]) == ("35.0", "50.0")
    assert (data["status"], data["status_label"]) == ("at_risk", "At risk")


@pytest.fixture
def goals(editor, admin, workspace, product, web):
    return {
        "company": _goal(editor, workspace, "Company", date(2030, 1, 1), date(2030, 12, 31)),
        "mobile_q1": _goal(editor, workspace, "Mobile Q1", date(2030, 1, 1), date(2030, 3, 31), product=product,
                           owner=admin),
        "mobile_q2": _goal(editor, workspace, "Mobile Q2", date(2030, 4, 1), date(2030, 6, 30), product=product),
        "web_h2": _goal(editor, workspace, "Web H2", date(2030, 7, 1), date(2030, 12, 31), product=web, owner=admin),
    }


@pytest.mark.parametrize(
    ("params", "names"),
    [
        ({}, ["Mobile Q1", "Mobile Q2", "Company", "Web H2"]),
        ({"workspace": "acme"}, ["Mobile Q1", "Mobile Q2", "Company", "Web H2"]),
        ({"workspace": "globex"}, []),
        ({"company_wide": "true"}, ["Company"]),
        ({"company_wide": "false"}, ["Mobile Q1", "Mobile Q2", "Web H2"]),
        ({"active_on": "2030-04-01"}, ["Mobile Q2", "Company"]),
        ({"active_on": "2030-03-31"}, ["Mobile Q1", "Company"]),
        ({"active_on": "2031-01-01"}, []),
        ({"starts_after": "2030-04-01"}, ["Mobile Q2", "Web H2"]),
        ({"ends_before": "2030-06-30"}, ["Mobile Q1", "Mobile Q2"]),
        ({"starts_after": "2030-02-01", "ends_before": "2030-07-01"}, ["Mobile Q2"]),
    ],
)
def test_the_goal_list_filters_by_workspace_scope_and_time_frame(viewer, goals, params, names):
    response = _api(viewer).get(GOALS, params)

    assert response.status_code == 200
    assert [row["name"] for row in response.json()["results"]] == names


def test_the_goal_list_filters_by_product_and_owner(viewer, admin, goals, product):
    client = _api(viewer)

    assert _ids(client.get(GOALS, {"product": product.pk})) == [goals["mobile_q1"].pk, goals["mobile_q2"].pk]
    assert _ids(client.get(GOALS, {"owner": admin.pk})) == [goals["mobile_q1"].pk, goals["web_h2"].pk]
    assert client.get(GOALS, {"active_on": "someday"}).status_code == 400


def test_an_end_before_the_start_is_named_with_the_other_bad_fields(editor, workspace):
    response = _api(editor).post(GOALS, {
        "workspace": "acme", "name": "", "start_date": "2030-06-01", "end_date": "2030-05-01",
    }, format="json")

    assert response.status_code == 400
    assert set(response.json()) == {"name", "end_date"}
    assert not Goal.objects.exists()


def test_a_patched_end_before_the_stored_start_is_a_400_on_end_date(editor, workspace):
    goal = _goal(editor, workspace, start=date(2030, 6, 1), end=date(2030, 9, 1))

    response = _api(editor).patch(_detail("goal", goal), {"end_date": "2030-05-01"}, format="json")

    goal.refresh_from_db()
    assert response.status_code == 400
    assert set(response.json()) == {"end_date"}
    assert goal.end_date == date(2030, 9, 1)


def test_a_goal_names_only_visible_products_and_members_of_its_workspace(editor, workspace, other_workspace,
                                                                         other_product):
    outsider = _boss(other_workspace)

    foreign = _api(editor).post(GOALS, {
        "workspace": "acme", "product": other_product.pk, "owner": outsider.pk,
        "start_date": "2030-01-01", "end_date": "2030-02-01", "name": "Steal",
    }, format="json")
    into_other = _api(editor).post(GOALS, {
        "workspace": "globex", "start_date": "2030-01-01", "end_date": "2030-02-01", "name": "Steal",
    }, format="json")

    assert (foreign.status_code, into_other.status_code) == (400, 400)
    assert set(foreign.json()) == {"product", "owner"}
    assert set(into_other.json()) == {"workspace"}
    assert not Goal.objects.exists()


def test_a_goals_owner_must_belong_to_the_goals_workspace(editor, workspace):
    elsewhere = MembershipFactory(user=editor, role=Role.ADMIN).workspace
    colleague = MembershipFactory(workspace=elsewhere, role=Role.EDITOR).user
    goal = _goal(editor, workspace)

    response = _api(editor).patch(_detail("goal", goal), {"owner": colleague.pk}, format="json")

    goal.refresh_from_db()
    assert response.status_code == 400
    assert set(response.json()) == {"owner"}
    assert goal.owner is None


def test_an_editor_patches_puts_and_deletes_a_goal(editor, admin, workspace, product):
    goal = _goal(editor, workspace, description="Keep me")
    _key_result(editor, goal)
    client = _api(editor)

    patched = client.patch(_detail("goal", goal), {"product": product.pk, "owner": admin.pk}, format="json")
    put = client.put(_detail("goal", goal), {
        "workspace": "acme", "product": None, "name": "Renamed", "start_date": "2030-01-01", "end_date": "2030-02-01",
    }, format="json")
    goal.refresh_from_db()

    assert (patched.status_code, put.status_code) == (200, 200)
    assert patched.json()["product"] == product.pk
    assert len(put.json()["key_results"]) == 1
    assert (goal.name, goal.product, goal.owner, goal.start_date) == ("Renamed", None, admin, date(2030, 1, 1))

    deleted = client.delete(_detail("goal", goal))

    assert deleted.status_code == 204
    assert not Goal.objects.filter(pk=goal.pk).exists()
    assert not KeyResult.objects.exists()


def test_a_goal_cannot_move_to_another_workspace(editor, workspace):
    elsewhere = MembershipFactory(user=editor, role=Role.ADMIN).workspace
    goal = _goal(editor, workspace)

    response = _api(editor).patch(_detail("goal", goal), {"workspace": elsewhere.slug}, format="json")

    goal.refresh_from_db()
    assert response.status_code == 400
    assert set(response.json()) == {"workspace"}
    assert goal.workspace == workspace


# --- key results and check-ins -------------------------------------------------------


def test_an_editor_adds_a_key_result_to_a_goal(editor, workspace):
    goal = _goal(editor, workspace)

    response = _api(editor).post(KEY_RESULTS, {
        "goal": goal.pk, "name": "Churn", "unit": "%", "start_value": "8", "target_value": "4",
        "current_value": "7",
    }, format="json")

    key_result = KeyResult.objects.get(goal=goal)
    assert response.status_code == 201
    assert (response.json()["direction"], response.json()["progress"]) == ("down", "25.0")
    assert (key_result.direction, key_result.current_value, key_result.unit) == ("down", Decimal("7"), "%")
    assert list(key_result.check_ins.values_list("value", flat=True)) == [Decimal("7")]


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({"target_value": "10"}, {"target_value"}),
        ({"target_value": "20", "direction": "down"}, {"direction"}),
        ({"target_value": "10", "name": "", "unit": "x" * 21}, {"target_value", "name", "unit"}),
        ({"target_value": "ten", "direction": "sideways"}, {"target_value", "direction"}),
    ],
)
def test_bad_key_result_input_is_a_400_naming_each_field(editor, workspace, payload, fields):
    goal = _goal(editor, workspace)

    response = _api(editor).post(
        KEY_RESULTS, {"goal": goal.pk, "name": "Users", "start_value": "10", **payload}, format="json")

    assert response.status_code == 400
    assert set(response.json()) == fields
    assert not KeyResult.objects.exists()


def test_a_key_result_for_another_workspaces_goal_is_a_400_on_goal(editor, workspace, other_workspace):
    foreign = _goal(_boss(other_workspace), other_workspace, name="Their secret goal")

    response = _api(editor).post(KEY_RESULTS, {
        "goal": foreign.pk, "name": "Users", "start_value": "0", "target_value": "10",
    }, format="json")

    assert response.status_code == 400
    assert set(response.json()) == {"goal"}
    assert "secret" not in response.content.decode()
    assert not KeyResult.objects.exists()


def test_an_editor_patches_and_deletes_a_key_result_but_not_its_current_value(editor, workspace):
    goal = _goal(editor, workspace)
    key_result = _key_result(editor, goal)
    client = _api(editor)

    patched = client.patch(_detail("key-result", key_result), {"name": "Paying teams", "target_value": "80"},
                           format="json")
    refused = client.patch(_detail("key-result", key_result), {"current_value": "60"}, format="json")
    key_result.refresh_from_db()

    assert (patched.status_code, refused.status_code) == (200, 400)
    assert set(refused.json()) == {"current_value"}
    assert (key_result.name, key_result.target_value, key_result.current_value) == (
        "Paying teams", Decimal("80"), Decimal("0"))

    deleted = client.delete(_detail("key-result", key_result))

    assert deleted.status_code == 204
    assert not KeyResult.objects.filter(pk=key_result.pk).exists()


def test_the_key_result_list_filters_by_goal(viewer, editor, workspace):
    first, second = _goal(editor, workspace, "First"), _goal(editor, workspace, "Second")
    mine = [_key_result(editor, first, name=f"KR {i}") for i in range(2)]
    _key_result(editor, second)

    assert _ids(_api(viewer).get(KEY_RESULTS, {"goal": first.pk})) == [kr.pk for kr in mine]


def test_a_check_in_changes_the_current_value_and_the_progress(editor, viewer, workspace):
    goal = _goal(editor, workspace)
    key_result = _key_result(editor, goal, start="0", target="200")
    url = api_url("strategy-api:key-result-check-ins", args=[key_result.pk])

    response = _api(editor).post(url, {"value": "150", "note": "Launch week"}, format="json")

    key_result.refresh_from_db()
    assert response.status_code == 201
    assert (response.json()["value"], response.json()["author"]["email"]) == ("150.00", "editor@acme.test")
    assert key_result.current_value == Decimal("150")
    assert CheckIn.objects.filter(key_result=key_result).latest("id").note == "Launch week"
    client = _api(viewer)
    assert client.get(_detail("key-result", key_result)).json()["progress"] == "75.0"
    assert client.get(_detail("goal", goal)).json()["progress"] == "75.0"


def test_check_ins_are_listed_oldest_first(editor, viewer, workspace):
    key_result = _key_result(editor, _goal(editor, workspace))
    for value in ("10", "30", "20"):
        services.key_result_check_in(actor=editor, key_result=key_result, value=Decimal(value))

    response = _api(viewer).get(api_url("strategy-api:key-result-check-ins", args=[key_result.pk]))

    assert response.status_code == 200
    assert [row["value"] for row in response.json()["results"]] == ["0.00", "10.00", "30.00", "20.00"]


def test_a_check_in_without_a_number_is_a_400_on_value(editor, workspace):
    key_result = _key_result(editor, _goal(editor, workspace))

    response = _api(editor).post(
        api_url("strategy-api:key-result-check-ins", args=[key_result.pk]), {"value": "lots"}, format="json")

    assert response.status_code == 400
    assert set(response.json()) == {"value"}
    assert key_result.check_ins.count() == 1


# --- initiatives ----------------------------------------------------------------------


def test_an_editor_creates_an_initiative_serving_goals(editor, workspace, product):
    served = [_goal(editor, workspace, "Activation"), _goal(editor, workspace, "Retention", product=product)]

    response = _api(editor).post(INITIATIVES, {
        "product": product.pk, "name": "Self-serve onboarding", "status": "active", "colour": "#22c55e",
        "start_date": "2030-01-01", "end_date": "2030-06-30", "goals": [g.pk for g in served],
    }, format="json")

    initiative = Initiative.objects.get(product=product)
    assert response.status_code == 201
    assert sorted(response.json()["goals"]) == sorted(g.pk for g in served)
    assert (initiative.name, initiative.status, initiative.colour) == ("Self-serve onboarding", "active", "#22c55e")
    assert set(initiative.goals.all()) == set(served)


def test_an_editor_changes_an_initiatives_goals_and_deletes_it(editor, workspace, product):
    first, second = _goal(editor, workspace, "First"), _goal(editor, workspace, "Second")
    initiative = services.initiative_create(actor=editor, product=product, name="Onboarding", goals=[first])
    client = _api(editor)

    kept = client.patch(_detail("initiative", initiative), {"status": "done"}, format="json")
    changed = client.patch(_detail("initiative", initiative), {"goals": [second.pk]}, format="json")
    initiative.refresh_from_db()

    assert (kept.json()["goals"], changed.json()["goals"]) == ([first.pk], [second.pk])
    assert (initiative.status, list(initiative.goals.all())) == ("done", [second])

    deleted = client.delete(_detail("initiative", initiative))

    assert deleted.status_code == 204
    assert not Initiative.objects.filter(pk=initiative.pk).exists()
    assert Goal.objects.filter(pk=second.pk).exists()


def test_bad_initiative_fields_are_named_together(editor, product):
    response = _api(editor).post(INITIATIVES, {
        "product": product.pk, "name": "Onboarding", "colour": "green", "status": "paused",
        "start_date": "2030-06-01", "end_date": "2030-01-01",
    }, format="json")

    assert response.status_code == 400
    assert set(response.json()) == {"colour", "status", "end_date"}
    assert not Initiative.objects.exists()


def test_an_initiative_serving_another_workspaces_goal_is_a_400_on_goals(editor, product, other_workspace):
    foreign = _goal(_boss(other_workspace), other_workspace)
    initiative = services.initiative_create(actor=editor, product=product, name="Onboarding")

    created = _api(editor).post(
        INITIATIVES, {"product": product.pk, "name": "Growth", "goals": [foreign.pk]}, format="json")
    patched = _api(editor).patch(_detail("initiative", initiative), {"goals": [foreign.pk]}, format="json")

    assert (created.status_code, patched.status_code) == (400, 400)
    assert (set(created.json()), set(patched.json())) == ({"goals"}, {"goals"})
    assert Initiative.objects.count() == 1
    assert not initiative.goals.exists()


def test_initiatives_filter_by_product_status_and_date(viewer, editor, product, web):
    spring = services.initiative_create(actor=editor, product=product, name="Spring", status="active",
                                        start_date=date(2030, 3, 1), end_date=date(2030, 5, 31))
    open_ended = services.initiative_create(actor=editor, product=product, name="Open", start_date=date(2030, 1, 1))
    services.initiative_create(actor=editor, product=product, name="Undated")
    web_one = services.initiative_create(actor=editor, product=web, name="Web", status="active",
                                         end_date=date(2030, 2, 1))
    client = _api(viewer)

    assert _ids(client.get(INITIATIVES, {"product": web.pk})) == [web_one.pk]
    assert _ids(client.get(INITIATIVES, {"status": "active", "product": product.pk})) == [spring.pk]
    assert _ids(client.get(INITIATIVES, {"active_on": "2030-04-15"})) == [open_ended.pk, spring.pk]
    assert _ids(client.get(INITIATIVES, {"active_on": "2030-01-15"})) == [open_ended.pk, web_one.pk]
    assert _ids(client.get(INITIATIVES, {"active_on": "2029-12-31"})) == [web_one.pk]
    assert client.get(INITIATIVES, {"status": "paused"}).status_code == 400


# --- vision ---------------------------------------------------------------------------


def _vision_url(product, name="vision-detail") -> str:
    return api_url(f"strategy-api:{name}", args=[product.pk])


def test_a_product_without_a_vision_reads_as_an_empty_one_at_version_0(viewer, product):
    response = _api(viewer).get(_vision_url(product))

    assert response.status_code == 200
    assert (response.json()["product"], response.json()["statement"], response.json()["version"]) == (
        product.pk, "", 0)
    assert not Vision.objects.exists()


def test_an_editor_writes_the_vision_and_its_version_goes_up(editor, product):
    client = _api(editor)

    created = client.put(_vision_url(product), {"statement": "Roadmaps people trust"}, format="json")
    updated = client.put(_vision_url(product), {"target_market": "Scale-ups", "version": 1}, format="json")

    vision = Vision.objects.get(product=product)
    assert (created.status_code, updated.status_code) == (200, 200)
    assert (created.json()["version"], updated.json()["version"]) == (1, 2)
    assert (vision.statement, vision.target_market, vision.version) == ("Roadmaps people trust", "Scale-ups", 2)


def test_a_stale_vision_save_is_a_409_with_the_current_vision(workspace, product):
    first = MembershipFactory(workspace=workspace, role=Role.EDITOR,
                              user=UserFactory(email="fiona@acme.test", full_name="Fiona First")).user
    second = MembershipFactory(workspace=workspace, role=Role.EDITOR, user=UserFactory(email="sam@acme.test")).user
    services.vision_save(actor=first, product=product, statement="Original")
    version = _api(second).get(_vision_url(product)).json()["version"]
    assert _api(first).put(_vision_url(product), {"statement": "Fiona's", "version": version},
                           format="json").status_code == 200

    response = _api(second).put(_vision_url(product), {"statement": "Sam's", "version": version}, format="json")

    vision = Vision.objects.get(product=product)
    assert response.status_code == 409
    assert "Fiona First" in response.json()["detail"]
    assert (response.json()["current"]["statement"], response.json()["current"]["version"]) == ("Fiona's", 2)
    assert (vision.statement, vision.version) == ("Fiona's", 2)


def test_the_vision_versions_are_listed_newest_first_and_one_can_be_restored(editor, viewer, product):
    for statement in ("First", "Second", "Third"):
        services.vision_save(actor=editor, product=product, statement=statement)
    versions = _api(viewer).get(_vision_url(product, "vision-versions"))
    first = versions.json()[-1]

    restored = _api(editor).post(_vision_url(product, "vision-restore"), {"history_id": first["history_id"]},
                                 format="json")

    vision = Vision.objects.get(product=product)
    assert versions.status_code == 200
    assert [(v["statement"], v["version"]) for v in versions.json()] == [("Third", 3), ("Second", 2), ("First", 1)]
    assert versions.json()[0]["history_user"]["email"] == "editor@acme.test"
    assert restored.status_code == 200
    assert (restored.json()["statement"], restored.json()["version"]) == ("First", 4)
    assert (vision.statement, vision.version) == ("First", 4)


def test_restoring_a_version_of_another_vision_is_a_400_on_history_id(editor, product, web):
    services.vision_save(actor=editor, product=product, statement="Ours")
    services.vision_save(actor=editor, product=web, statement="Web's")
    foreign = Vision.objects.get(product=web).history.first()

    response = _api(editor).post(_vision_url(product, "vision-restore"), {"history_id": foreign.history_id},
                                 format="json")
    without_vision = _api(editor).post(_vision_url(ProductFactory(workspace=product.workspace), "vision-restore"),
                                       {"history_id": foreign.history_id}, format="json")

    assert (response.status_code, without_vision.status_code) == (400, 400)
    assert (set(response.json()), set(without_vision.json())) == ({"history_id"}, {"history_id"})
    assert Vision.objects.get(product=product).statement == "Ours"


# --- viewers and other workspaces ------------------------------------------------------


@pytest.fixture
def records(editor, workspace, product, grid):
    """One record of each kind in the viewer's workspace."""
    goal = _goal(editor, workspace)
    services.vision_save(actor=editor, product=product, statement="Ours")
    return {
        "persona": services.persona_create(actor=editor, product=product, name="Pat"),
        "competitor": grid[2],
        "criterion": grid[0],
        "goal": goal,
        "key-result": _key_result(editor, goal),
        "initiative": services.initiative_create(actor=editor, product=product, name="Onboarding"),
    }


def _counts() -> list[int]:
    return [model.objects.count() for model in (Persona, Competitor, ComparisonCriterion, Goal, KeyResult, CheckIn,
                                                Initiative, CompetitorRating)]


def test_a_viewer_reads_everything_but_changes_nothing(viewer, product, records, grid):
    client = _api(viewer)
    before = _counts()
    goal = records["goal"]
    creations = {
        PERSONAS: {"product": product.pk, "name": "Sue"},
        COMPETITORS: {"product": product.pk, "name": "Asana"},
        CRITERIA: {"product": product.pk, "name": "Speed"},
        GOALS: {"workspace": "acme", "name": "Ours", "start_date": "2030-01-01", "end_date": "2030-02-01"},
        KEY_RESULTS: {"goal": goal.pk, "name": "Users", "start_value": "0", "target_value": "5"},
        INITIATIVES: {"product": product.pk, "name": "Growth"},
    }

    reads = [client.get(_detail(name, record)).status_code for name, record in records.items()]
    writes = [client.post(url, body, format="json").status_code for url, body in creations.items()]
    writes += [client.patch(_detail(name, record), {"name": "Hijacked"}, format="json").status_code
               for name, record in records.items() if name != "criterion"]
    writes += [client.delete(_detail(name, record)).status_code for name, record in records.items()]
    writes += [
        client.post(api_url("strategy-api:key-result-check-ins", args=[records["key-result"].pk]), {"value": "3"},
                    format="json").status_code,
        client.put(_vision_url(product), {"statement": "Hijacked"}, format="json").status_code,
        client.post(_vision_url(product, "vision-restore"),
                    {"history_id": Vision.objects.get().history.first().history_id}, format="json").status_code,
        client.put(_comparison_url(product), {"ratings": [{"criterion": grid[0].pk, "score": 1}]},
                   format="json").status_code,
    ]

    assert reads == [200] * 6
    assert writes == [403] * len(writes)
    assert _counts() == before
    assert Vision.objects.get().statement == "Ours"
    assert not Persona.objects.filter(name="Hijacked").exists()


def test_a_viewer_is_refused_before_their_input_is_checked(viewer, product, records):
    client = _api(viewer)
    bad = {"name": "", "colour": "blue", "start_date": "soon", "target_value": "lots"}
    before = _counts()

    responses = [
        client.post(PERSONAS, {**bad, "product": product.pk}, format="json"),
        client.post(COMPETITORS, {**bad, "product": product.pk}, format="json"),
        client.post(CRITERIA, {**bad, "product": product.pk}, format="json"),
        client.post(INITIATIVES, {**bad, "product": product.pk}, format="json"),
        client.post(GOALS, {**bad, "workspace": "acme"}, format="json"),
        client.post(KEY_RESULTS, {**bad, "goal": records["goal"].pk}, format="json"),
        client.patch(_detail("persona", records["persona"]), bad, format="json"),
        client.put(_detail("goal", records["goal"]), bad, format="json"),
        client.post(api_url("strategy-api:key-result-check-ins", args=[records["key-result"].pk]), {"value": "x"},
                    format="json"),
        client.put(_vision_url(product), {"version": "old"}, format="json"),
        client.post(_vision_url(product, "vision-restore"), {}, format="json"),
        client.put(_comparison_url(product), {"ratings": [{"score": 9}]}, format="json"),
    ]

    assert [r.status_code for r in responses] == [403] * len(responses)
    assert _counts() == before


def test_another_workspaces_strategy_is_not_found(admin, other_workspace, other_product):
    boss = _boss(other_workspace)
    goal = _goal(boss, other_workspace)
    foreign = {
        "persona": services.persona_create(actor=boss, product=other_product, name="Their persona"),
        "competitor": services.competitor_create(actor=boss, product=other_product, name="Their rival"),
        "criterion": services.criterion_create(actor=boss, product=other_product, name="Their row"),
        "goal": goal,
        "key-result": _key_result(boss, goal),
        "initiative": services.initiative_create(actor=boss, product=other_product, name="Their plan"),
    }
    services.vision_save(actor=boss, product=other_product, statement="Secret vision")
    client = _api(admin)
    before = _counts()

    responses = []
    for name, record in foreign.items():
        url = _detail(name, record)
        responses += [client.get(url), client.delete(url)]
        if name != "criterion":  # criteria are created and deleted, never changed
            responses.append(client.patch(url, {"name": "Hijacked"}, format="json"))
    responses += [
        client.get(api_url("strategy-api:key-result-check-ins", args=[foreign["key-result"].pk])),
        client.post(api_url("strategy-api:key-result-check-ins", args=[foreign["key-result"].pk]), {"value": "1"},
                    format="json"),
        client.get(_vision_url(other_product)),
        client.put(_vision_url(other_product), {"statement": "Hijacked"}, format="json"),
        client.get(_vision_url(other_product, "vision-versions")),
        client.post(_vision_url(other_product, "vision-restore"), {"history_id": 1}, format="json"),
        client.get(_comparison_url(other_product)),
        client.put(_comparison_url(other_product), {"ratings": []}, format="json"),
    ]
    lists = [client.get(url).json()["results"] for url in (PERSONAS, COMPETITORS, CRITERIA, GOALS, KEY_RESULTS,
                                                           INITIATIVES)]

    assert [r.status_code for r in responses] == [404] * len(responses)
    assert "Secret" not in "".join(r.content.decode() for r in responses)
    assert lists == [[]] * 6
    assert _counts() == before
    assert Vision.objects.get(product=other_product).statement == "Secret vision"


def test_a_non_numeric_id_is_not_found(viewer):
    assert _api(viewer).get(f"{PERSONAS}abc/").status_code == 404


# --- query counts ----------------------------------------------------------------------


def _fill(editor, workspace, product, n: int, start: int = 0) -> None:
    """`n` of each record, goals with 3 key results and 2 extra check-ins each."""
    for i in range(start, start + n):
        services.persona_create(actor=editor, product=product, name=f"Persona {i}")
        rival = services.competitor_create(actor=editor, product=product, name=f"Rival {i}")
        criterion = services.criterion_create(actor=editor, product=product, name=f"Criterion {i}")
        services.comparison_rate(actor=editor, product=product, ratings=[(criterion, rival, 3), (criterion, None, 4)])
        goal = _goal(editor, workspace, f"Goal {i}", owner=editor, product=product if i % 2 else None)
        for k in range(3):
            key_result = _key_result(editor, goal, name=f"KR {k}")
            for value in ("20", "40"):
                services.key_result_check_in(actor=editor, key_result=key_result, value=Decimal(value))
        services.initiative_create(actor=editor, product=product, name=f"Initiative {i}", goals=[goal])
        services.vision_save(actor=editor, product=product, statement=f"Vision {i}")


def test_list_endpoints_cost_the_same_queries_for_2_or_20_rows(viewer, editor, workspace, product):
    _fill(editor, workspace, product, 2)
    first_kr = KeyResult.objects.order_by("id").first()
    urls = [
        PERSONAS, COMPETITORS, CRITERIA, GOALS, KEY_RESULTS, INITIATIVES,
        api_url("strategy-api:key-result-check-ins", args=[first_kr.pk]),
        _vision_url(product, "vision-versions"),
        _comparison_url(product),
    ]
    client = _api(viewer)
    few = [count_queries(lambda url=url: client.get(url)) for url in urls]

    _fill(editor, workspace, product, 18, start=2)
    for value in range(18):
        services.key_result_check_in(actor=editor, key_result=first_kr, value=Decimal(value))

    responses = [client.get(url).json() for url in urls]
    assert [len(r["results"]) for r in responses[:7]] == [20, 20, 20, 20, 50, 20, 21]
    assert all(len(goal["key_results"]) == 3 for goal in responses[3]["results"])
    assert len(responses[7]) == 20
    assert len(responses[8]["columns"]) == 21
    assert [count_queries(lambda url=url: client.get(url)) for url in urls] == few


# --- schema -----------------------------------------------------------------------------


def test_the_openapi_schema_describes_the_strategy_endpoints(client):
    content = client.get(reverse("roadmap:api_schema")).content.decode()

    for path in (
        "/api/v1/w/{ws}/products/{id}/vision/", "/api/v1/w/{ws}/products/{id}/vision/versions/",
        "/api/v1/w/{ws}/products/{id}/vision/restore/", "/api/v1/w/{ws}/products/{id}/comparison/",
        "/api/v1/w/{ws}/personas/{id}/", "/api/v1/w/{ws}/competitors/{id}/", "/api/v1/w/{ws}/comparison-criteria/{id}/",
        "/api/v1/w/{ws}/goals/{id}/", "/api/v1/w/{ws}/key-results/{id}/", "/api/v1/w/{ws}/key-results/{id}/check-ins/",
        "/api/v1/w/{ws}/initiatives/{id}/",
    ):
        assert f"{path}:" in content
    assert "active_on" in content
    assert "StaleVision" in content


def test_criteria_are_renamed_and_moved_through_the_api(editor, product):
    from strategy import services as strategy_services

    first = strategy_services.criterion_create(actor=editor, product=product, name="Price")
    second = strategy_services.criterion_create(actor=editor, product=product, name="Setup")
    client = _api(editor)
    detail = api_url("strategy-api:criterion-detail", args=[second.pk])

    renamed = client.patch(detail, {"name": "Ease of setup", "move": "up"}, format="json")
    bad = client.patch(detail, {"move": "sideways"}, format="json")

    assert renamed.status_code == 200 and renamed.json()["name"] == "Ease of setup"
    assert bad.status_code == 400 and "move" in bad.json()
    first.refresh_from_db()
    second.refresh_from_db()
    assert second.position < first.position
