"""Two people editing the same strategy record: the second save is refused, naming who
changed what, on the service, the page and the API alike."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from strategy import services
from strategy.models import Goal, Persona, Role
from tests.api_urls import api_url

from ..factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def colleague(workspace):
    return MembershipFactory(workspace=workspace, role=Role.EDITOR, user__full_name="Ada Colleague").user


@pytest.fixture
def goal(workspace, editor, product):
    return services.goal_create(actor=editor, workspace=workspace, product=product, name="Grow",
                                start_date=date(2026, 1, 1), end_date=date(2026, 12, 31))


def test_a_goal_saved_from_a_stale_copy_is_refused_naming_who_and_what(goal, editor, colleague):
    services.goal_update(actor=colleague, goal=goal, version=goal.version, name="Grow faster")

    with pytest.raises(ValidationError) as exc:
        services.goal_update(actor=editor, goal=goal, version=goal.version, description="Mine")

    assert exc.value.code == "stale"
    assert "Ada Colleague" in exc.value.messages[0]
    assert "goal" in exc.value.messages[0]
    goal.refresh_from_db()
    assert (goal.name, goal.description) == ("Grow faster", "")


def test_saving_with_the_current_version_goes_through_and_bumps_it(goal, editor):
    updated = services.goal_update(actor=editor, goal=goal, version=goal.version, name="Grow more")
    assert updated.version == goal.version + 1


def test_a_persona_edit_form_refuses_a_stale_save_keeps_the_input_and_rearms(client, workspace, product, editor,
                                                                             colleague):
    persona = services.persona_create(actor=editor, product=product, name="Maya", role="Merchant")
    url = reverse("strategy:persona_edit", args=[workspace.slug, product.key, persona.pk])
    services.persona_update(actor=colleague, persona=persona, version=persona.version, role="Owner")
    client.force_login(editor)

    data = {"name": "Maya M.", "role": "Merchant", "importance": "primary", "colour": "#6366f1",
            "version": persona.version}
    response = client.post(url, data)

    assert response.status_code == 400
    form = response.context["form"]
    assert "Ada Colleague" in str(form.non_field_errors())
    assert form.data["name"] == "Maya M."
    assert int(form.data["version"]) == persona.version + 1
    assert Persona.objects.get(pk=persona.pk).name == "Maya"
    again = client.post(url, {**data, "version": form.data["version"]})
    assert again.status_code == 302
    assert Persona.objects.get(pk=persona.pk).name == "Maya M."


def test_the_goal_edit_page_carries_the_version(client_as_editor, workspace, goal):
    response = client_as_editor.get(reverse("strategy:goal_edit", args=[workspace.slug, goal.pk]))
    assert response.context["form"].initial["version"] == goal.version


def test_the_api_answers_409_with_the_current_goal_to_a_stale_update(goal, editor, colleague):
    services.goal_update(actor=colleague, goal=goal, version=goal.version, name="Theirs")
    client = APIClient()
    client.force_authenticate(editor)

    response = client.patch(api_url("strategy-api:goal-detail", args=[goal.pk]),
                            {"name": "Mine", "version": goal.version}, format="json")

    assert response.status_code == 409
    assert response.json()["current"]["name"] == "Theirs"
    assert Goal.objects.get(pk=goal.pk).name == "Theirs"


def test_api_creates_ignore_a_version(editor, product):
    client = APIClient()
    client.force_authenticate(editor)
    response = client.post(api_url("strategy-api:persona-list"),
                           {"product": product.pk, "name": "Sam", "version": 7}, format="json")
    assert response.status_code == 201
    assert response.json()["version"] == 1
