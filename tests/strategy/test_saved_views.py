"""Saved views: a person's named query string of a product's backlog, board or timeline,
private or shared with the workspace, listed in the sidebar under the product."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from strategy import services
from strategy.models import SavedView
from strategy.services.saved_views import clean_query
from tests.conftest import count_queries
from tests.factories import ProductFactory, UserFactory

pytestmark = pytest.mark.django_db

API = "/api/v1/saved-views/"


def save(user, product, name="My work", kind="backlog", query="assignee=3&status=4", shared=False):
    return services.saved_view_create(actor=user, product=product, kind=kind, name=name, query=query, shared=shared)


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


# --- service ------------------------------------------------------------------------------


def test_a_member_saves_a_view_with_the_page_query_string(viewer, product):
    view = save(viewer, product, query="?status=4&status=5&page=2&q=")

    assert view.owner == viewer and view.workspace_id == product.workspace_id
    assert view.query == "status=4&status=5"  # no "?", empty values or page number
    assert view.url == "/w/acme/products/MOB/backlog/?status=4&status=5"


@pytest.mark.parametrize("kind, path", [("board", "/board/"), ("timeline", "/roadmap/")])
def test_each_kind_opens_its_page(editor, product, kind, path):
    assert path in save(editor, product, kind=kind).url


def test_names_are_unique_per_person_and_page_ignoring_case(editor, admin, product):
    save(editor, product, name="My work")

    with pytest.raises(ValidationError) as refused:
        save(editor, product, name="  my WORK ")
    assert "name" in refused.value.message_dict
    # Another page, or another person, may use the name.
    save(editor, product, name="My work", kind="board")
    save(admin, product, name="My work")


@pytest.mark.parametrize("fields, field", [
    ({"name": "  "}, "name"),
    ({"name": "x" * 81}, "name"),
    ({"kind": "matrix"}, "kind"),
    ({"query": "q=" + "x" * 2100}, "query"),
])
def test_bad_input_is_refused_by_field(editor, product, fields, field):
    with pytest.raises(ValidationError) as refused:
        services.saved_view_create(actor=editor, product=product, **{
            "kind": "backlog", "name": "Fine", "query": "", **fields})
    assert field in refused.value.message_dict
    assert not SavedView.objects.exists()


def test_someone_outside_the_workspace_cannot_save_a_view(other_product, viewer):
    with pytest.raises(PermissionDenied):
        save(viewer, other_product)


def test_only_the_owner_renames_or_shares_a_view(editor, admin, product):
    view = save(editor, product, shared=True)

    with pytest.raises(PermissionDenied):
        services.saved_view_update(actor=admin, view=view, name="Taken over")
    services.saved_view_update(actor=editor, view=view, name="Renamed", shared=False)
    view.refresh_from_db()
    assert view.name == "Renamed" and not view.shared


def test_an_admin_may_delete_a_shared_view_but_not_a_private_one(editor, admin, viewer, product):
    shared, private = save(editor, product, name="Shared", shared=True), save(editor, product, name="Mine")

    with pytest.raises(PermissionDenied):
        services.saved_view_delete(actor=viewer, view=shared)
    with pytest.raises(PermissionDenied):
        services.saved_view_delete(actor=admin, view=private)
    services.saved_view_delete(actor=admin, view=shared)
    services.saved_view_delete(actor=editor, view=private)
    assert not SavedView.objects.exists()


def test_clean_query_keeps_repeated_parameters_in_order():
    assert clean_query("status=1&status=2&csrfmiddlewaretoken=x&view=3&zoom=month") == "status=1&status=2&zoom=month"


# --- pages ----------------------------------------------------------------------------------


def test_saving_from_the_page_opens_the_view(client_as_viewer, product):
    response = client_as_viewer.post(reverse("strategy:saved_view_create", args=["acme", "MOB"]), {
        "name": "Unscheduled", "kind": "board", "query": "release=none", "shared": "on"})

    view = SavedView.objects.get()
    assert response.status_code == 302 and response.url == "/w/acme/products/MOB/board/?release=none"
    assert view.shared and view.kind == "board"


def test_saving_without_a_name_shows_the_form_with_the_error_and_keeps_the_filters(client_as_editor, product):
    response = client_as_editor.post(reverse("strategy:saved_view_create", args=["acme", "MOB"]), {
        "name": "", "kind": "backlog", "query": "status=4"})

    assert response.status_code == 400
    html = response.content.decode()
    assert "Name the view." in html
    assert 'name="query" value="status=4"' in html
    assert not SavedView.objects.exists()


def test_a_duplicate_name_comes_back_at_the_name_field(client_as_editor, editor, product):
    save(editor, product, name="Mine")

    response = client_as_editor.post(reverse("strategy:saved_view_create", args=["acme", "MOB"]), {
        "name": "mine", "kind": "backlog", "query": ""})

    assert response.status_code == 400
    assert "You already have a view called mine here." in response.content.decode()


def test_the_sidebar_lists_my_views_and_shared_ones_under_the_product(client_as_viewer, viewer, editor, product):
    save(viewer, product, name="Mine private")
    save(editor, product, name="Team board", kind="board", shared=True)
    save(editor, product, name="Editor private")

    html = client_as_viewer.get(reverse("releases:backlog", args=["acme", "MOB"])).content.decode()

    assert 'aria-label="Saved views"' in html
    assert "Mine private" in html and "Team board" in html
    assert "Editor private" not in html


def test_the_sidebar_costs_one_query_however_many_views(client_as_viewer, viewer, editor, product):
    url = reverse("releases:backlog", args=["acme", "MOB"])
    save(viewer, product, name="First")
    client_as_viewer.get(url)
    few = count_queries(lambda: client_as_viewer.get(url))
    for i in range(12):
        save(viewer, product, name=f"Mine {i}", kind="board")
        save(editor, product, name=f"Shared {i}", shared=True)
    html = client_as_viewer.get(url).content.decode()
    assert html.count("nav__link--view") == 25
    assert count_queries(lambda: client_as_viewer.get(url)) == few


def test_the_sidebar_reads_the_views_only_of_a_product_that_has_some_i_may_open(client_as_viewer, viewer, editor,
                                                                              product):
    url = reverse("releases:backlog", args=["acme", "MOB"])
    client_as_viewer.get(url)
    none = count_queries(lambda: client_as_viewer.get(url))
    save(editor, product, name="Editor private")  # not the viewer's to open: still nothing to read
    assert count_queries(lambda: client_as_viewer.get(url)) == none
    assert 'aria-label="Saved views"' not in client_as_viewer.get(url).content.decode()

    save(viewer, product, name="Mine")
    assert count_queries(lambda: client_as_viewer.get(url)) == none + 1
    assert "Mine" in client_as_viewer.get(url).content.decode()


def test_the_views_page_lists_them_with_rename_and_delete_for_the_owner(client_as_viewer, viewer, editor, product):
    save(viewer, product, name="Mine")
    save(editor, product, name="Theirs", shared=True)

    html = client_as_viewer.get(reverse("strategy:saved_view_list", args=["acme", "MOB"])).content.decode()

    assert "Mine" in html and "Theirs" in html and f"by {editor.display_name}" in html
    assert html.count("Rename<span") == 1 and html.count("Delete<span") == 1


def test_renaming_and_deleting_from_the_pages(client_as_editor, editor, product):
    view = save(editor, product)
    edit = reverse("strategy:saved_view_edit", args=["acme", "MOB", view.pk])

    assert client_as_editor.post(edit, {"name": ""}).status_code == 400
    assert client_as_editor.post(edit, {"name": "Renamed", "shared": "on"}).status_code == 302
    view.refresh_from_db()
    assert view.name == "Renamed" and view.shared
    delete = reverse("strategy:saved_view_delete", args=["acme", "MOB", view.pk])
    assert client_as_editor.get(delete).status_code == 200
    assert client_as_editor.post(delete).status_code == 302
    assert not SavedView.objects.exists()


def test_someone_elses_private_view_is_not_found_and_a_shared_one_cannot_be_renamed(client_as_viewer, editor,
                                                                                     product):
    private, shared = save(editor, product, name="Private"), save(editor, product, name="Shared", shared=True)

    assert client_as_viewer.get(reverse("strategy:saved_view_edit", args=["acme", "MOB", private.pk])).status_code \
        == 404
    assert client_as_viewer.post(reverse("strategy:saved_view_edit", args=["acme", "MOB", shared.pk]),
                                 {"name": "Mine now"}).status_code == 403


@pytest.mark.parametrize("page", ["releases:backlog", "releases:board", "roadmap:product_timeline"])
def test_pages_offer_save_view(client_as_editor, editor, product, page):
    from releases import services as release_services

    release_services.feature_create(actor=editor, product=product, title="Something")
    html = client_as_editor.get(reverse(page, args=["acme", "MOB"])).content.decode()

    assert "data-save-view" in html


# --- API --------------------------------------------------------------------------------------


def test_the_api_creates_lists_renames_and_deletes_views(viewer, product):
    client = api(viewer)

    created = client.post(API, {"product": product.pk, "kind": "timeline", "name": "Quarter",
                                "query": "zoom=quarter", "shared": True}, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["mine"] and body["url"] == "/w/acme/products/MOB/roadmap/?zoom=quarter"
    listed = client.get(API, {"product": product.pk, "kind": "timeline"}).json()
    assert [v["name"] for v in listed["results"]] == ["Quarter"]
    renamed = client.patch(f"{API}{body['id']}/", {"name": "This quarter"}, format="json")
    assert renamed.status_code == 200 and renamed.json()["name"] == "This quarter"
    assert client.delete(f"{API}{body['id']}/").status_code == 204


def test_the_api_names_each_bad_field(editor, product, other_product):
    response = api(editor).post(API, {"product": other_product.pk, "kind": "matrix", "name": ""}, format="json")

    assert response.status_code == 400
    assert {"product", "kind", "name"} <= set(response.json())


def test_the_api_hides_other_peoples_private_views_and_refuses_changes_to_shared_ones(editor, viewer, product):
    private, shared = save(editor, product, name="Private"), save(editor, product, name="Shared", shared=True)
    client = api(viewer)

    assert [v["name"] for v in client.get(API).json()["results"]] == ["Shared"]
    assert client.get(f"{API}{private.pk}/").status_code == 404
    assert client.patch(f"{API}{shared.pk}/", {"name": "Mine"}, format="json").status_code == 403
    assert client.delete(f"{API}{shared.pk}/").status_code == 403


def test_the_api_list_costs_the_same_however_many_views(editor, product):
    client = api(editor)
    save(editor, product)
    few = count_queries(lambda: client.get(API))
    other = ProductFactory(workspace=product.workspace, key="WEB")
    for i in range(15):
        save(editor, other, name=f"View {i}", shared=bool(i % 2))
    assert count_queries(lambda: client.get(API)) == few


def test_someone_without_a_workspace_sees_no_views(editor, product):
    save(editor, product, shared=True)
    assert api(UserFactory()).get(API).json()["results"] == []


def test_saved_views_are_in_the_openapi_schema():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)

    assert {"get", "post"} <= set(schema["paths"]["/api/v1/w/{ws}/saved-views/"])
    assert {"get", "patch", "delete"} <= set(schema["paths"]["/api/v1/w/{ws}/saved-views/{id}/"])
    fields = schema["components"]["schemas"]["SavedViewInputRequest"]["properties"]
    assert {"product", "kind", "name", "query", "shared"} <= set(fields)
