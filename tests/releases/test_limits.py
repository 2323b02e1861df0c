"""Input limits of delivery records: dates between 1900 and 2199 (and a release page that
stays small whatever dates a row holds), capped text, tags, comments and id lists. Bad
input gets a 400 naming the field, in forms and in the API alike, and stores nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from releases import services
from releases.models import Comment, Feature, Milestone, Release
from strategy.limits import COMMENT_MAX_LENGTH, TAGS_MAX_COUNT, TEXT_MAX_LENGTH
from tests.api_urls import api_url

pytestmark = pytest.mark.django_db

RELEASES = api_url("releases-api:release-list")
FEATURES = api_url("releases-api:feature-list")
MILESTONES = api_url("releases-api:milestone-list")
BULK = api_url("releases-api:feature-bulk")


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _release(actor, product, **fields) -> Release:
    fields.setdefault("start_date", timezone.localdate() - timedelta(days=5))
    fields.setdefault("release_date", timezone.localdate() + timedelta(days=20))
    return services.release_create(actor=actor, product=product, name="Spring", **fields)


def _release_input(product, **overrides) -> dict:
    return {"product": product.pk, "name": "Spring", "start_date": "2026-03-01", "release_date": "2026-03-31",
            **overrides}


# --- dates --------------------------------------------------------------------


@pytest.mark.parametrize("field, value", [("release_date", "9999-12-31"), ("start_date", "0001-01-01"),
                                          ("release_date", "2200-01-01"), ("start_date", "1899-12-31")])
def test_the_api_refuses_release_dates_outside_1900_to_2199_naming_the_range(editor, product, field, value):
    response = _api(editor).post(RELEASES, _release_input(product, **{field: value}), format="json")

    assert response.status_code == 400
    assert response.json()[field] == ["Enter a date between 1900-01-01 and 2199-12-31."]
    assert not Release.objects.exists()


def test_the_first_and_last_supported_days_are_accepted(editor, product):
    response = _api(editor).post(
        RELEASES, _release_input(product, start_date="1900-01-01", release_date="2199-12-31"), format="json")

    assert response.status_code == 201, response.content


def test_an_impossible_date_is_an_invalid_date_not_a_wrong_format(editor, product):
    response = _api(editor).post(RELEASES, _release_input(product, start_date="2023-14-05"), format="json")

    assert response.status_code == 400
    assert response.json()["start_date"] == ["Enter a valid date: that day does not exist."]


def test_a_misspelt_date_is_still_a_wrong_format(editor, product):
    response = _api(editor).post(RELEASES, _release_input(product, start_date="tomorrow"), format="json")

    assert response.status_code == 400
    assert "wrong format" in response.json()["start_date"][0]


def test_the_release_form_refuses_a_date_out_of_range(client_as_editor, workspace, product):
    response = client_as_editor.post(reverse("releases:release_create", args=[workspace.slug, product.key]), {
        "name": "Far away", "start_date": "2026-01-05", "release_date": "9999-12-31", "status": "planned"})

    assert response.status_code == 400
    assert response.context["form"].errors["release_date"] == ["Enter a date between 1900-01-01 and 2199-12-31."]
    assert not Release.objects.exists()


@pytest.mark.parametrize("path, data", [
    ("features", {"title": "Old", "start_date": "1066-10-14"}),
    ("milestones", {"name": "Beta", "date": "3000-01-01"}),
])
def test_feature_and_milestone_dates_are_bounded_too(editor, product, path, data):
    release = _release(editor, product)
    parent = {"features": {"product": product.pk}, "milestones": {"release": release.pk}}[path]

    response = _api(editor).post(api_url(f"releases-api:{path[:-1]}-list"), {**parent, **data}, format="json")

    assert response.status_code == 400
    assert "1900-01-01 and 2199-12-31" in str(response.json())
    assert not Feature.objects.exists() and not Milestone.objects.exists()


def test_services_refuse_dates_out_of_range_whoever_calls_them(editor, product):
    with pytest.raises(ValidationError) as refused:
        _release(editor, product, start_date=date(1, 1, 1))

    assert "1900-01-01 and 2199-12-31" in str(refused.value.message_dict["start_date"])


def test_a_release_stored_with_extreme_dates_draws_its_page_and_burn_up_from_its_history(
        client_as_editor, editor, workspace, product, today):
    release = _release(editor, product)
    services.feature_create(actor=editor, product=product, title="Saved carts", release=release)
    # A row written before the range existed.
    Release.objects.filter(pk=release.pk).update(start_date=date(1, 1, 1), release_date=date(9999, 12, 31))

    page = client_as_editor.get(reverse("releases:release_detail", args=[workspace.slug, product.key, release.pk]))
    burn_up = _api(editor).get(api_url("releases-api:release-burn-up", args=[release.pk]))

    assert page.status_code == 200
    assert burn_up.status_code == 200
    assert [point["day"] for point in burn_up.json()["points"]] == [today.isoformat()]
    assert len(page.content) < 200_000


# --- text and lists -------------------------------------------------------------


def test_the_api_refuses_a_description_over_the_limit_and_accepts_one_at_it(editor, product):
    client = _api(editor)

    too_long = client.post(
        FEATURES, {"product": product.pk, "title": "Long", "description": "x" * (TEXT_MAX_LENGTH + 1)}, format="json")
    at_limit = client.post(
        FEATURES, {"product": product.pk, "title": "Long", "description": "x" * TEXT_MAX_LENGTH}, format="json")

    assert too_long.status_code == 400
    assert "description" in too_long.json()
    assert at_limit.status_code == 201
    assert Feature.objects.count() == 1


def test_100000_tags_are_refused(editor, product):
    response = _api(editor).post(FEATURES, {"product": product.pk, "title": "Tagged", "tags": ["t"] * 100_000},
                                 format="json")

    assert response.status_code == 400
    assert "tags" in response.json()
    assert not Feature.objects.exists()


def test_a_feature_keeps_at_most_the_tag_limit_through_the_api_the_form_and_bulk_edits(
        client_as_editor, editor, product, workflow):
    tags = [f"tag{n}" for n in range(TAGS_MAX_COUNT + 1)]

    api = _api(editor).post(FEATURES, {"product": product.pk, "title": "Tagged", "tags": tags}, format="json")
    form = client_as_editor.post(reverse("releases:feature_create", args=[product.workspace.slug, product.key]), {
        "title": "Tagged", "status": workflow["Backlog"].pk, "tags": ", ".join(tags)})
    full = services.feature_create(actor=editor, product=product, title="Full", tags=tags[:TAGS_MAX_COUNT])
    bulk = _api(editor).post(BULK, {"features": [full.pk], "add_tag": "one-more"}, format="json")

    assert api.status_code == 400 and "tags" in api.json()
    assert form.status_code == 400 and "tags" in form.context["form"].errors
    assert bulk.status_code == 400
    full.refresh_from_db()
    assert len(full.tags) == TAGS_MAX_COUNT
    assert Feature.objects.count() == 1


def test_a_list_of_more_ids_than_allowed_is_refused_before_looking_any_up(editor, product,
                                                                          django_assert_max_num_queries):
    feature = services.feature_create(actor=editor, product=product, title="Named often")
    client = _api(editor)

    with django_assert_max_num_queries(15):
        response = client.post(BULK, {"features": [feature.pk] * 5_000, "add_tag": "x"}, format="json")

    assert response.status_code == 400
    assert "features" in response.json()


def test_a_one_megabyte_comment_is_refused(editor, product):
    feature = services.feature_create(actor=editor, product=product, title="Discussed")

    response = _api(editor).post(api_url("releases-api:feature-comments", args=[feature.pk]),
                                 {"body": "x" * 1_000_000}, format="json")

    assert response.status_code == 400
    assert "body" in response.json()
    with pytest.raises(ValidationError):
        services.comment_create(actor=editor, feature=feature, body="x" * (COMMENT_MAX_LENGTH + 1))
    assert not Comment.objects.exists()
