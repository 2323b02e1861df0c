"""Inline edits on the backlog: status, release, assignee, estimate and the RICE parts change
in place through `feature_update` (the form's service, validation and stale-edit refusal),
and the confirmation's "Undo" restores the previous values the same way."""

import json
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from releases import services
from releases.models import Feature
from tests.conftest import count_queries
from tests.factories import ReleaseFactory, UserFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def cell_url(product, number, cell):
    return reverse("releases:backlog_cell", args=[product.workspace.slug, product.key, number, cell])


def backlog_url(product, **query):
    path = reverse("releases:backlog", args=[product.workspace.slug, product.key])
    return path + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


@pytest.fixture
def features(editor, product, workflow):
    """Three open features, MOB-1 … MOB-3."""
    return [services.feature_create(actor=editor, product=product, title=f"Feature {i}", status=workflow["Backlog"])
            for i in range(1, 4)]


def trigger(response) -> dict:
    return json.loads(response.headers["HX-Trigger"])["feature-edited"]


# --- the page ---------------------------------------------------------------------------


def test_editors_see_editable_cells_that_link_to_the_full_form(client_as_editor, product, features):
    html = client_as_editor.get(backlog_url(product)).content.decode()

    for cell in ("status", "release", "assignee", "estimate", "rice"):
        # Without JavaScript the cell is a link to the feature's form (relative to the backlog).
        assert f'<a href="../features/1/edit/" data-cell="{cell}">' in html
    # The row carries the version the page shows, for the stale-edit check.
    assert 'data-number="1" data-key="MOB-1" data-v="1"' in html


def test_viewers_get_no_editable_cells(client_as_viewer, product, features):
    html = client_as_viewer.get(backlog_url(product)).content.decode()

    assert "data-cell=" not in html
    assert "bcell" not in html


def test_the_editor_of_a_cell_is_the_form_field_with_a_label(client_as_editor, product, features, workflow):
    response = client_as_editor.get(cell_url(product, 1, "status") + "?version=1", **HTMX)

    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<td class="bcell bcell--editing brow__status" id="c-1-status">')
    assert '<label for="ce-1-status" class="sr-only">Status of MOB-1</label>' in html
    assert f'<option value="{workflow["Backlog"].pk}" selected>' in html
    assert 'name="version" value="1"' in html


def test_the_rice_editor_has_the_four_parts(client_as_editor, product, features):
    html = client_as_editor.get(cell_url(product, 1, "rice") + "?version=1", **HTMX).content.decode()

    for name in ("reach", "impact", "confidence", "effort"):
        assert f'id="ce-1-{name}"' in html
    assert "Reach" in html and "Confidence" in html


def test_opening_a_cell_without_javascript_goes_to_the_full_form(client_as_editor, product, features):
    response = client_as_editor.get(cell_url(product, 1, "status"))

    assert response.status_code == 302
    assert response.url.endswith("/features/1/edit/")


def test_an_unknown_cell_is_not_found(client_as_editor, product, features):
    assert client_as_editor.get(cell_url(product, 1, "title"), **HTMX).status_code == 404


def test_a_viewer_cannot_open_or_save_a_cell(client_as_viewer, product, features, workflow):
    assert client_as_viewer.get(cell_url(product, 1, "status"), **HTMX).status_code == 403
    response = client_as_viewer.post(cell_url(product, 1, "status"), {"status": workflow["Planned"].pk}, **HTMX)
    assert response.status_code == 403
    assert Feature.objects.get(number=1).status == workflow["Backlog"]


# --- saving -------------------------------------------------------------------------------


def test_changing_the_status_in_place_saves_it_and_answers_the_row_cells(client_as_editor, product, features,
                                                                         workflow):
    response = client_as_editor.post(cell_url(product, 2, "status"), {
        "status": workflow["In design"].pk, "version": 1}, **HTMX)

    assert response.status_code == 200
    feature = Feature.objects.get(number=2)
    assert feature.status == workflow["In design"] and feature.version == 2
    html = response.content.decode()
    # The edited cell first, then the others of the row out of band, all with the new version.
    assert html.startswith('<td class="brow__status bcell" id="c-2-status" data-v="2">')
    assert 'id="c-2-release" data-v="2" hx-swap-oob="true"' in html
    assert 'id="c-2-end" hx-swap-oob="true"' in html
    detail = trigger(response)
    assert detail["message"] == "MOB-2: status Backlog → In design."
    assert detail["undo"]["values"]["status"] == str(workflow["Backlog"].pk)
    assert detail["undo"]["values"]["version"] == 2


def test_release_assignee_and_estimate_change_in_place(client_as_editor, editor, product, features):
    release = ReleaseFactory(product=product, name="Spring")
    for cell, value in (("release", release.pk), ("assignee", editor.pk), ("estimate", "5")):
        version = Feature.objects.get(number=1).version
        response = client_as_editor.post(cell_url(product, 1, cell), {cell: value, "version": version}, **HTMX)
        assert response.status_code == 200, response.content
    feature = Feature.objects.get(number=1)
    assert feature.release == release and feature.assignee == editor and feature.estimate == Decimal(5)
    assert feature.version == 4


def test_rice_parts_change_in_place_and_the_score_is_recomputed(client_as_editor, product, features):
    response = client_as_editor.post(cell_url(product, 1, "rice"), {
        "reach": "1000", "impact": "2", "confidence": "80", "effort": "2", "version": 1}, **HTMX)

    assert response.status_code == 200
    feature = Feature.objects.get(number=1)
    assert feature.rice_score == Decimal(800)
    assert ">800</span>" in response.content.decode()
    assert "RICE score not scored → 800" in trigger(response)["message"]


def test_other_fields_are_left_alone(client_as_editor, editor, product, features):
    services.feature_update(actor=editor, feature=features[0], estimate=3, tags=["mobile"])

    client_as_editor.post(cell_url(product, 1, "assignee"), {"assignee": editor.pk, "version": 2}, **HTMX)

    feature = Feature.objects.get(number=1)
    assert feature.estimate == Decimal(3) and feature.tags == ["mobile"] and feature.title == "Feature 1"


# --- bad input and refusals ---------------------------------------------------------------


@pytest.mark.parametrize("cell, data, message", [
    ("estimate", {"estimate": "-2"}, "An estimate cannot be negative."),
    ("estimate", {"estimate": "lots"}, "Enter a number."),
    ("rice", {"reach": "10", "impact": "2", "confidence": "140", "effort": "1"},
     "Confidence is a percentage from 0 to 100."),
    ("status", {"status": "999999"}, "Select a valid choice."),
])
def test_bad_input_comes_back_in_the_editor_with_the_field_error(client_as_editor, product, features, cell, data,
                                                                message):
    response = client_as_editor.post(cell_url(product, 1, cell), {**data, "version": 1}, **HTMX)

    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="bcell__error"' in html and message in html
    assert 'aria-invalid="true"' in html
    # What was typed is kept.
    first_name, first_value = next(iter(data.items()))
    assert f'value="{first_value}"' in html or f'<option value="{first_value}" selected' in html or cell == "status"
    assert Feature.objects.get(number=1).version == 1


def test_a_release_of_another_product_is_refused(client_as_editor, product, other_product, features):
    foreign = ReleaseFactory(product=other_product)

    response = client_as_editor.post(cell_url(product, 1, "release"), {"release": foreign.pk, "version": 1}, **HTMX)

    assert response.status_code == 400
    assert Feature.objects.get(number=1).release is None


def test_a_stale_inline_edit_is_refused_like_the_form(client_as_editor, editor, product, features, workflow):
    services.feature_update(actor=editor, feature=features[0], title="Renamed meanwhile")

    response = client_as_editor.post(cell_url(product, 1, "status"), {
        "status": workflow["Planned"].pk, "version": 1}, **HTMX)

    assert response.status_code == 409
    html = response.content.decode()
    assert "after you opened this" in html and "title" in html
    # The editor is re-armed with the current version: saving again is a deliberate overwrite.
    assert 'name="version" value="2"' in html
    assert f'<option value="{workflow["Planned"].pk}" selected>' in html
    assert Feature.objects.get(number=1).status == workflow["Backlog"]


def test_an_assignee_from_outside_the_workspace_is_refused(client_as_editor, product, features):
    stranger = UserFactory()

    response = client_as_editor.post(cell_url(product, 1, "assignee"), {"assignee": stranger.pk, "version": 1},
                                     **HTMX)

    assert response.status_code == 400
    assert Feature.objects.get(number=1).assignee is None


# --- undo ----------------------------------------------------------------------------------


def test_undo_restores_the_previous_values_through_the_same_service(client_as_editor, product, features, workflow):
    done = client_as_editor.post(cell_url(product, 1, "status"), {"status": workflow["Planned"].pk, "version": 1},
                                 **HTMX)
    undo = trigger(done)["undo"]

    response = client_as_editor.post(undo["url"], undo["values"], **HTMX)

    assert response.status_code == 200
    feature = Feature.objects.get(number=1)
    assert feature.status == workflow["Backlog"] and feature.version == 3
    detail = trigger(response)
    assert detail["message"] == "MOB-1: status back to Backlog."
    assert "undo" not in detail


def test_undo_of_rice_parts_restores_every_part(client_as_editor, product, features):
    first = client_as_editor.post(cell_url(product, 1, "rice"), {
        "reach": "100", "impact": "1", "confidence": "50", "effort": "1", "version": 1}, **HTMX)
    second = client_as_editor.post(cell_url(product, 1, "rice"), {
        "reach": "900", "impact": "3", "confidence": "100", "effort": "3", "version": 2}, **HTMX)
    assert first.status_code == second.status_code == 200

    undo = trigger(second)["undo"]
    client_as_editor.post(undo["url"], undo["values"], **HTMX)

    feature = Feature.objects.get(number=1)
    assert (feature.reach, feature.impact, feature.confidence, feature.effort) == (
        100, Decimal(1), 50, Decimal(1))


def test_undo_is_refused_cleanly_when_someone_changed_the_feature_meanwhile(client_as_editor, editor, product,
                                                                           features, workflow):
    done = client_as_editor.post(cell_url(product, 1, "status"), {"status": workflow["Planned"].pk, "version": 1},
                                 **HTMX)
    undo = trigger(done)["undo"]
    services.feature_update(actor=editor, feature=Feature.objects.get(number=1), estimate=8)

    response = client_as_editor.post(undo["url"], undo["values"], **HTMX)

    assert response.status_code == 409
    assert "was not changed back" in json.loads(response.content)["error"]
    feature = Feature.objects.get(number=1)
    assert feature.status == workflow["Planned"] and feature.estimate == Decimal(8)


# --- cost -------------------------------------------------------------------------------


def test_saving_a_cell_costs_the_same_however_long_the_backlog(client_as_editor, editor, product, features,
                                                               workflow):
    def save(number):
        version = Feature.objects.get(product=product, number=number).version
        return lambda: client_as_editor.post(cell_url(product, number, "estimate"),
                                             {"estimate": "2", "version": version}, **HTMX)

    save(3)()  # the first request of a session does some one-off work
    few = count_queries(save(1))
    for i in range(30):
        services.feature_create(actor=editor, product=product, title=f"More {i}", status=workflow["Backlog"],
                                estimate=i)
    assert count_queries(save(2)) == few


def test_the_backlog_costs_the_same_with_editable_cells_however_many_rows(client_as_editor, editor, product,
                                                                           features, workflow):
    client_as_editor.get(backlog_url(product))  # the first request of a session does some one-off work
    few = count_queries(lambda: client_as_editor.get(backlog_url(product)))
    for i in range(30):
        services.feature_create(actor=editor, product=product, title=f"More {i}", status=workflow["Backlog"])
    html = client_as_editor.get(backlog_url(product)).content.decode()
    assert len(re.findall(r'data-cell="status"', html)) == 33
    assert count_queries(lambda: client_as_editor.get(backlog_url(product))) == few
