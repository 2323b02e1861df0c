"""Input limits of strategy records: goal and initiative dates between 1900 and 2199,
capped Markdown bodies and notes, and at most so many key results per goal, the same in
the pages, the API and the services."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from strategy import services
from strategy.limits import KEY_RESULTS_MAX_COUNT, NOTE_MAX_LENGTH, TEXT_MAX_LENGTH
from strategy.models import Goal, Persona, Vision
from tests.api_urls import api_url

pytestmark = pytest.mark.django_db

GOALS = api_url("strategy-api:goal-list")
PERSONAS = api_url("strategy-api:persona-list")


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _goal(editor, workspace) -> Goal:
    return services.goal_create(actor=editor, workspace=workspace, name="Grow", start_date=date(2026, 1, 1),
                                end_date=date(2026, 12, 31))


def test_the_goal_form_refuses_an_end_date_past_2199(client_as_editor, workspace):
    response = client_as_editor.post(reverse("strategy:goal_create", args=[workspace.slug]), {
        "product": "", "name": "Forever", "description": "", "owner": "",
        "start_date": "2026-10-01", "end_date": "9999-12-31"})

    assert response.context["form"].errors["end_date"] == ["Enter a date between 1900-01-01 and 2199-12-31."]
    assert not Goal.objects.exists()


def test_the_goal_form_calls_an_impossible_date_invalid(client_as_editor, workspace):
    response = client_as_editor.post(reverse("strategy:goal_create", args=[workspace.slug]), {
        "product": "", "name": "Soon", "description": "", "owner": "",
        "start_date": "2023-14-05", "end_date": "2026-12-31"})

    assert response.context["form"].errors["start_date"] == ["Enter a valid date."]


def test_the_api_refuses_goal_and_initiative_dates_out_of_range(editor, workspace, product):
    client = _api(editor)

    goal = client.post(GOALS, {"workspace": workspace.slug, "name": "Old", "start_date": "0001-01-01",
                               "end_date": "2026-01-01"}, format="json")
    initiative = client.post(api_url("strategy-api:initiative-list"), {
        "product": product.pk, "name": "Far", "end_date": "2200-01-01"}, format="json")

    assert goal.status_code == 400
    assert goal.json()["start_date"] == ["Enter a date between 1900-01-01 and 2199-12-31."]
    assert initiative.status_code == 400
    assert initiative.json()["end_date"] == ["Enter a date between 1900-01-01 and 2199-12-31."]
    assert not Goal.objects.exists()


def test_a_persona_description_over_the_limit_is_refused_by_the_api(editor, product):
    response = _api(editor).post(PERSONAS, {"product": product.pk, "name": "Sam",
                                            "description": "x" * (TEXT_MAX_LENGTH + 1)}, format="json")

    assert response.status_code == 400
    assert "description" in response.json()
    assert not Persona.objects.exists()


def test_the_vision_service_refuses_text_over_the_limit(editor, product):
    with pytest.raises(ValidationError) as refused:
        services.vision_save(actor=editor, product=product, statement="x" * (TEXT_MAX_LENGTH + 1))

    assert "statement" in refused.value.message_dict
    assert not Vision.objects.exists()


def test_a_check_in_note_over_the_limit_is_refused_by_the_api(editor, workspace):
    goal = _goal(editor, workspace)
    key_result = services.key_result_create(actor=editor, goal=goal, name="Shoppers", start_value=Decimal(0),
                                            target_value=Decimal(10))

    response = _api(editor).post(api_url("strategy-api:key-result-check-ins", args=[key_result.pk]),
                                 {"value": "3", "note": "x" * (NOTE_MAX_LENGTH + 1)}, format="json")

    assert response.status_code == 400
    assert "note" in response.json()


def test_a_goal_takes_at_most_the_key_result_limit(editor, workspace):
    goal = _goal(editor, workspace)
    for n in range(KEY_RESULTS_MAX_COUNT):
        services.key_result_create(actor=editor, goal=goal, name=f"Metric {n}", start_value=Decimal(0),
                                   target_value=Decimal(10))

    response = _api(editor).post(api_url("strategy-api:key-result-list"), {
        "goal": goal.pk, "name": "One more", "start_value": "0", "target_value": "10"}, format="json")

    assert response.status_code == 400
    assert response.json() == {"non_field_errors": [f"At most {KEY_RESULTS_MAX_COUNT} key results per goal."]}
    assert goal.key_results.count() == KEY_RESULTS_MAX_COUNT
