"""The /api/v1/ endpoints of going to market: phase types (admins), release phases, launch
to-dos (ticked by their viewer), templates applied as an action (twice adds nothing),
messaging and release notes published once; field-keyed 400s, 403s, 404s across
workspaces, flat list query counts, and all of it in the OpenAPI schema."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from releases import services
from releases.models import LaunchTodo, ReleaseNote, ReleasePhase
from tests.conftest import count_queries
from tests.factories import CompetitorFactory, PersonaFactory, ReleaseFactory

pytestmark = pytest.mark.django_db


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _url(name: str, *args) -> str:
    return reverse(f"releases-api:{name}", args=args)


@pytest.fixture
def phase_types(workspace):
    return {t.name: t for t in services.phase_types_defaults_create(workspace=workspace)}


@pytest.fixture
def release(product):
    return ReleaseFactory(product=product, name="Spring", start_date=date(2030, 3, 1), release_date=date(2030, 5, 1))


def test_admins_manage_phase_types_and_editors_may_not(admin, editor, workspace, phase_types):
    created = _api(admin).post(_url("phase-type-list"), {"workspace": "acme", "name": "Pilot", "colour": "#0f766e",
                                                          "position": 1}, format="json")
    assert created.status_code == 201, created.content
    assert (created.json()["name"], created.json()["position"]) == ("Pilot", 1)
    assert _api(editor).post(_url("phase-type-list"), {"workspace": "acme", "name": "X"},
                             format="json").status_code == 403
    clash = _api(admin).post(_url("phase-type-list"), {"workspace": "acme", "name": "beta"}, format="json")
    assert clash.status_code == 400 and "name" in clash.json()
    assert _api(editor).get(_url("phase-type-list")).json()["count"] == 5


def test_release_phases_with_their_conflict_flag(editor, release, phase_types):
    api = _api(editor)
    late = api.post(_url("release-phase-list"), {"release": release.pk, "phase_type": phase_types["Launch"].pk,
                                                  "start_date": "2030-04-20", "end_date": "2030-05-09"}, format="json")
    assert late.status_code == 201, late.content
    assert late.json()["ends_after_release"] is True
    bad = api.post(_url("release-phase-list"), {"release": release.pk, "phase_type": phase_types["Beta"].pk,
                                                 "start_date": "2030-04-20", "end_date": "2030-04-01"}, format="json")
    assert bad.status_code == 400 and "end_date" in bad.json()
    conflicts = api.get(_url("release-detail", release.pk)).json()["conflict_count"]
    assert conflicts == 1


def test_a_phase_type_of_another_workspace_is_refused_like_a_missing_one(editor, release, other_workspace):
    foreign = services.phase_types_defaults_create(workspace=other_workspace)[0]
    answer = _api(editor).post(_url("release-phase-list"), {"release": release.pk, "phase_type": foreign.pk,
                                                             "start_date": "2030-04-01", "end_date": "2030-04-02"},
                               format="json")
    assert answer.status_code == 400 and "phase_type" in answer.json()
    assert not ReleasePhase.objects.exists()


def test_to_dos_relative_and_fixed_and_ticked_by_their_viewer(editor, viewer, release):
    api = _api(editor)
    relative = api.post(_url("launch-todo-list"), {"release": release.pk, "title": "Brief sales", "team": "Sales",
                                                    "offset_days": -5, "assignee": viewer.pk}, format="json")
    assert relative.status_code == 201, relative.content
    assert (relative.json()["due_date"], relative.json()["offset_days"]) == ("2030-04-26", -5)
    both = api.post(_url("launch-todo-list"), {"release": release.pk, "title": "X", "due_date": "2030-01-01",
                                                "offset_days": 3}, format="json")
    assert both.status_code == 400 and "due_date" in both.json()
    far = api.post(_url("launch-todo-list"), {"release": release.pk, "title": "X", "due_date": "2400-01-01"},
                   format="json")
    assert far.status_code == 400 and "due_date" in far.json()
    todo_id = relative.json()["id"]
    ticked = _api(viewer).post(_url("launch-todo-done", todo_id), {"done": True}, format="json")
    assert ticked.status_code == 200 and ticked.json()["state"] == "done"
    assert _api(viewer).patch(_url("launch-todo-detail", todo_id), {"title": "Mine now"},
                              format="json").status_code == 403


def test_templates_apply_once_and_say_so(editor, viewer, release, workspace):
    api = _api(editor)
    created = api.post(_url("launch-template-list"), {"workspace": "acme", "name": "Standard", "items": [
        {"title": "Brief sales", "team": "Sales", "offset_days": -14},
        {"title": "Publish docs", "team": "Docs", "offset_days": 0}]}, format="json")
    assert created.status_code == 201, created.content
    template_id = created.json()["id"]
    assert [i["title"] for i in created.json()["items"]] == ["Brief sales", "Publish docs"]
    first = api.post(_url("launch-template-apply", template_id), {"release": release.pk}, format="json")
    assert first.status_code == 200, first.content
    assert [t["due_date"] for t in first.json()["created"]] == ["2030-04-17", "2030-05-01"]
    second = api.post(_url("launch-template-apply", template_id), {"release": release.pk}, format="json")
    assert second.json()["created"] == [] and second.json()["already_there"] == 2
    assert "nothing was added" in second.json()["detail"]
    assert LaunchTodo.objects.count() == 2
    assert _api(viewer).post(_url("launch-template-apply", template_id), {"release": release.pk},
                             format="json").status_code == 403


def test_messaging_by_release(editor, viewer, release, product, workspace):
    persona = PersonaFactory(product=product, workspace=workspace)
    rival = CompetitorFactory(product=product, workspace=workspace)
    target = _url("release-messaging-detail", release.pk)
    assert _api(viewer).get(target).json()["personas"] == []
    saved = _api(editor).put(target, {"key_messages": "Faster", "personas": [persona.pk],
                                      "competitors": [rival.pk]}, format="json")
    assert saved.status_code == 200, saved.content
    assert saved.json()["personas"] == [{"id": persona.pk, "name": persona.name}]
    assert _api(viewer).put(target, {"key_messages": "No"}, format="json").status_code == 403


def test_release_notes_are_published_once_and_need_an_editor(editor, viewer, release):
    target = _url("release-note-detail", release.pk)
    assert _api(editor).post(_url("release-note-publish", release.pk)).status_code == 400
    saved = _api(editor).put(target, {"body": "## New\n\n<script>x()</script>Fast."}, format="json")
    assert saved.status_code == 200 and "<script>" not in saved.json()["html"]
    assert _api(viewer).post(_url("release-note-publish", release.pk)).status_code == 403
    first = _api(editor).post(_url("release-note-publish", release.pk))
    assert first.status_code == 200 and first.json()["published_at"]
    second = _api(editor).post(_url("release-note-publish", release.pk))
    assert second.json()["published_at"] == first.json()["published_at"]
    assert "already published" in second.json()["detail"]
    assert ReleaseNote.objects.get().published_by == editor


def test_another_workspace_s_records_are_not_found(editor, other_product):
    foreign = ReleaseFactory(product=other_product)
    boss = other_product.workspace.memberships.get().user
    todo = services.todo_create(actor=boss, release=foreign, title="Secret")
    api = _api(editor)
    assert api.get(_url("launch-todo-detail", todo.pk)).status_code == 404
    assert api.post(_url("launch-todo-done", todo.pk), {"done": True}, format="json").status_code == 404
    assert api.get(_url("release-note-detail", foreign.pk)).status_code == 404
    assert api.get(_url("release-messaging-detail", foreign.pk)).status_code == 404


def test_to_do_and_phase_lists_do_not_grow_with_rows(editor, viewer, product, phase_types):
    api = _api(viewer)

    def add(n):
        for i in range(n):
            release = ReleaseFactory(product=product)
            services.todo_create(actor=editor, release=release, title=f"T{i}", assignee=viewer)
            services.release_phase_create(actor=editor, release=release, phase_type=phase_types["Beta"],
                                          start_date=release.start_date, end_date=release.release_date)

    add(2)
    api.get(_url("launch-todo-list"))  # the first request of a client reads what later ones reuse
    few = [count_queries(lambda u=u: api.get(u)) for u in (_url("launch-todo-list"), _url("release-phase-list"))]
    add(8)
    assert [count_queries(lambda u=u: api.get(u)) for u in (_url("launch-todo-list"),
                                                           _url("release-phase-list"))] == few


def test_the_schema_documents_going_to_market(client):
    schema = client.get("/api/schema/").content.decode()
    for path in ("/phase-types/", "/release-phases/", "/launch-todos/{id}/done/",
                 "/launch-templates/{id}/apply/", "/release-messaging/{release}/",
                 "/release-notes/{release}/publish/"):
        assert f"/api/v1/w/{{ws}}{path}" in schema
