"""The /api/v1/ endpoints of delivery: workflow statuses, releases with milestones and
burn-up, features with rank moves, bulk changes and comments, requirements and
dependencies. Happy paths check the database; then filters, field-keyed 400s, 403 for
viewers before their input is read, 404 across workspaces, 409 for stale updates, and list
query counts that do not grow with rows."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from releases import services
from releases.models import Comment, Dependency, Feature, Milestone, Release, Requirement, WorkflowStatus
from strategy import services as strategy_services
from strategy.models import Role
from tests.api_urls import api_url
from tests.conftest import count_queries
from tests.factories import MembershipFactory, ProductFactory

pytestmark = pytest.mark.django_db

STATUSES = api_url("releases-api:status-list")
RELEASES = api_url("releases-api:release-list")
MILESTONES = api_url("releases-api:milestone-list")
FEATURES = api_url("releases-api:feature-list")
BULK = api_url("releases-api:feature-bulk")
REQUIREMENTS = api_url("releases-api:requirement-list")
DEPENDENCIES = api_url("releases-api:dependency-list")



def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _detail(name: str, record, action: str = "detail") -> str:
    return api_url(f"releases-api:{name}-{action}", args=[record.pk])


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def _boss(workspace):
    """The admin of another workspace, to create records there."""
    return workspace.memberships.get(role=Role.ADMIN).user


def _release(actor, product, name="Spring", start=-10, days=30, **fields) -> Release:
    return services.release_create(
        actor=actor, product=product, name=name, start_date=timezone.localdate() + timedelta(days=start),
        release_date=timezone.localdate() + timedelta(days=start + days), **fields)


def _feature(actor, product, title="Offline mode", **fields) -> Feature:
    return services.feature_create(actor=actor, product=product, title=title, **fields)


def _counts() -> list[int]:
    return [model.objects.count() for model in (WorkflowStatus, Release, Milestone, Feature, Requirement, Dependency,
                                                Comment)]


@pytest.fixture
def web(workspace):
    return ProductFactory(workspace=workspace, name="Web App", key="WEB")


# --- workflow statuses ---------------------------------------------------------


def test_statuses_list_the_workflow_in_order_and_retired_ones_only_when_asked(viewer, admin, workflow, other_workspace):
    services.workflow_status_retire(actor=admin, status=workflow["Idea"])
    client = _api(viewer)

    active = client.get(STATUSES, {"workspace": "acme"}).json()["results"]
    everything = client.get(STATUSES, {"workspace": "acme", "include_retired": "true"}).json()["results"]
    done = client.get(STATUSES, {"category": "done"}).json()["results"]

    assert [s["name"] for s in active] == ["Backlog", "Planned", "In design", "In development", "In review",
                                           "Shipped", "Won't do"]
    assert (everything[0]["name"], everything[0]["retired"]) == ("Idea", True)
    assert active[0]["retired"] is False
    assert active[0]["workspace"] == "acme"
    assert [(s["name"], s["category"]) for s in done] == [("Shipped", "done")]
    assert client.get(STATUSES, {"workspace": "globex"}).json()["results"] == []


def test_an_admin_adds_renames_moves_and_retires_a_status(admin, editor, product, workflow):
    client = _api(admin)
    feature = _feature(editor, product, status=workflow["In review"])

    created = client.post(STATUSES, {"workspace": "acme", "name": "QA", "category": "in_progress"}, format="json")
    qa = WorkflowStatus.objects.get(name="QA")
    renamed = client.patch(_detail("status", qa), {"name": "Testing"}, format="json")
    moved = client.post(_detail("status", qa, "move"), {"position": 2}, format="json")
    retired = client.post(_detail("status", workflow["In review"], "retire"), {"move_to": qa.pk}, format="json")

    qa.refresh_from_db()
    feature.refresh_from_db()
    assert (created.status_code, renamed.status_code, moved.status_code, retired.status_code) == (201, 200, 200, 200)
    assert created.json()["position"] == 9
    assert (qa.name, qa.position) == ("Testing", 2)
    assert [s["name"] for s in moved.json()][:3] == ["Idea", "Testing", "Backlog"]
    assert retired.json()["moved"] == 1
    assert retired.json()["status"]["retired"] is True
    assert feature.status == qa


def test_a_duplicate_status_name_is_a_400_on_name(admin, workflow):
    response = _api(admin).post(STATUSES, {"workspace": "acme", "name": "backlog", "category": "done"}, format="json")

    assert response.status_code == 400
    assert set(response.json()) == {"name"}


def test_only_admins_change_the_workflow_and_are_refused_before_validation(editor, viewer, workflow):
    backlog = workflow["Backlog"]
    for user in (editor, viewer):
        client = _api(user)
        responses = [
            client.post(STATUSES, {"workspace": "acme", "category": "bogus"}, format="json"),
            client.patch(_detail("status", backlog), {"category": "bogus"}, format="json"),
            client.post(_detail("status", backlog, "move"), {"position": "top"}, format="json"),
            client.post(_detail("status", backlog, "retire"), {"move_to": "x"}, format="json"),
        ]
        assert [r.status_code for r in responses] == [403] * 4
    backlog.refresh_from_db()
    assert (backlog.position, backlog.retired_at) == (2, None)


def test_retiring_into_another_workspaces_status_is_a_400_on_move_to(admin, workflow, other_workspace):
    foreign = services.workflow_defaults_create(workspace=other_workspace)[0]

    response = _api(admin).post(_detail("status", workflow["Idea"], "retire"), {"move_to": foreign.pk},
                                format="json")

    assert response.status_code == 400
    assert set(response.json()) == {"move_to"}
    assert WorkflowStatus.objects.get(pk=workflow["Idea"].pk).retired_at is None


# --- releases --------------------------------------------------------------------


def test_an_editor_creates_a_release(editor, product):
    response = _api(editor).post(RELEASES, {
        "product": product.pk, "name": " Spring ", "version_label": "2.4", "start_date": "2030-03-01",
        "release_date": "2030-04-15", "capacity": "20", "status": "in_progress",
    }, format="json")

    release = Release.objects.get()
    assert response.status_code == 201, response.content
    assert (release.product, release.workspace_id, release.name, release.version_label, release.status,
            release.capacity, release.created_by) == (product, product.workspace_id, "Spring", "2.4", "in_progress",
                                                      Decimal(20), editor)
    data = response.json()
    assert (data["id"], data["version"], data["feature_count"], data["planned_estimate"], data["milestones"],
            data["conflict_count"]) == (release.pk, 1, 0, "0.0", [], 0)


def test_a_release_reads_its_feature_counts_estimates_milestones_and_conflicts(viewer, editor, product, workflow,
                                                                               today):
    release = _release(editor, product, capacity=Decimal(5))
    _feature(editor, product, release=release, estimate=Decimal(3), status=workflow["Shipped"])
    _feature(editor, product, release=release, estimate=Decimal(4), end_date=release.release_date + timedelta(days=2))
    _feature(editor, product, release=release, estimate=Decimal(9), status=workflow["Won't do"])
    _feature(editor, product, estimate=Decimal(1))
    beta = services.milestone_create(actor=editor, release=release, name="Beta", date=today)

    data = _api(viewer).get(_detail("release", release)).json()

    assert (data["feature_count"], data["done_count"], data["planned_estimate"], data["done_estimate"]) == (
        2, 1, "7.0", "3.0")
    assert data["milestones"] == [{"id": beta.pk, "name": "Beta", "date": today.isoformat(), "description": ""}]
    assert data["conflict_count"] == 2  # over capacity, and a feature ending after the release date


def test_releases_filter_by_product_status_and_dates(viewer, editor, product, web, today):
    spring = _release(editor, product, "Spring", start=-10, days=30)
    summer = _release(editor, product, "Summer", start=40, days=30, status="planned")
    shipped = _release(editor, product, "Winter", start=-90, days=30, status="released")
    other = _release(editor, web, "Web 1", start=0, days=10)
    client = _api(viewer)

    assert _ids(client.get(RELEASES)) == [shipped.pk, other.pk, spring.pk, summer.pk]
    assert _ids(client.get(RELEASES, {"product": product.pk})) == [shipped.pk, spring.pk, summer.pk]
    assert _ids(client.get(RELEASES, {"status": "released"})) == [shipped.pk]
    assert _ids(client.get(RELEASES, {"active_on": today.isoformat()})) == [other.pk, spring.pk]
    soon = {"ships_after": today.isoformat(), "ships_before": (today + timedelta(days=25)).isoformat()}
    assert _ids(client.get(RELEASES, soon)) == [other.pk, spring.pk]
    assert _ids(client.get(RELEASES, {"starts_after": (today + timedelta(days=1)).isoformat()})) == [summer.pk]
    assert client.get(RELEASES, {"status": "someday"}).status_code == 400
    assert client.get(RELEASES, {"active_on": "soon"}).status_code == 400


def test_a_release_date_before_the_start_is_a_400_on_release_date_with_the_other_bad_fields(editor, product):
    response = _api(editor).post(RELEASES, {
        "product": product.pk, "name": "", "start_date": "2030-05-01", "release_date": "2030-04-01",
        "capacity": "-1",
    }, format="json")

    assert response.status_code == 400
    assert set(response.json()) == {"name", "release_date", "capacity"}
    assert not Release.objects.exists()


def test_a_patched_release_date_before_the_stored_start_is_a_400_on_release_date(editor, product):
    release = _release(editor, product)

    response = _api(editor).patch(_detail("release", release), {"release_date": "2000-01-01"}, format="json")

    assert response.status_code == 400
    assert set(response.json()) == {"release_date"}
    assert Release.objects.get().release_date == release.release_date


def test_an_editor_patches_puts_and_deletes_a_release_and_its_features_stay(editor, product):
    release = _release(editor, product)
    feature = _feature(editor, product, release=release)
    client = _api(editor)

    patched = client.patch(_detail("release", release), {"theme": "Offline first", "version": 1}, format="json")
    put = client.put(_detail("release", release), {
        "product": product.pk, "name": "Spring 2", "start_date": "2030-01-01", "release_date": "2030-02-01",
    }, format="json")

    release.refresh_from_db()
    assert (patched.status_code, put.status_code) == (200, 200)
    assert (patched.json()["version"], put.json()["version"]) == (2, 3)
    assert (release.name, release.theme, release.version, str(release.release_date)) == (
        "Spring 2", "Offline first", 3, "2030-02-01")

    deleted = client.delete(_detail("release", release))

    feature.refresh_from_db()
    assert deleted.status_code == 204
    assert not Release.objects.exists()
    assert feature.release is None


def test_a_release_cannot_move_to_another_product(editor, product, web):
    release = _release(editor, product)

    response = _api(editor).patch(_detail("release", release), {"product": web.pk}, format="json")

    assert response.status_code == 400
    assert set(response.json()) == {"product"}
    assert Release.objects.get().product == product


def test_a_release_for_another_workspaces_product_is_a_400_on_product(editor, other_product):
    response = _api(editor).post(RELEASES, {
        "product": other_product.pk, "name": "Spy", "start_date": "2030-01-01", "release_date": "2030-02-01",
    }, format="json")

    assert response.status_code == 400
    assert set(response.json()) == {"product"}
    assert "Secret" not in response.content.decode()
    assert not Release.objects.exists()


def test_a_stale_release_update_is_a_409_with_the_release_as_it_is_now(editor, admin, product):
    release = _release(editor, product)
    _api(admin).patch(_detail("release", release), {"name": "Renamed by admin", "version": 1}, format="json")

    response = _api(editor).patch(_detail("release", release), {"theme": "Mine", "version": 1}, format="json")

    release.refresh_from_db()
    assert response.status_code == 409
    body = response.json()
    assert body["detail"]
    assert (body["current"]["name"], body["current"]["version"]) == ("Renamed by admin", 2)
    assert (release.theme, release.version) == ("", 2)


def test_the_burn_up_reads_done_and_scope_per_day_from_the_first_day_with_history(viewer, editor, product,
                                                                                   workflow, today):
    release = _release(editor, product, start=-3, days=10)
    _feature(editor, product, release=release, estimate=Decimal(3), status=workflow["Shipped"])
    _feature(editor, product, release=release, estimate=Decimal(5))

    response = _api(viewer).get(_detail("release", release, "burn-up"))

    data = response.json()
    assert response.status_code == 200
    assert (data["release"], data["start_date"]) == (release.pk, release.start_date.isoformat())
    assert data["points"] == [{"day": today.isoformat(), "done": "3.0", "scope": "8.0"}]


# --- milestones ------------------------------------------------------------------


def test_an_editor_creates_changes_lists_and_deletes_milestones(editor, viewer, product, web, today):
    spring = _release(editor, product)
    web_release = _release(editor, web)
    client = _api(editor)

    created = client.post(MILESTONES, {"release": spring.pk, "name": "Beta", "date": "2030-03-10"}, format="json")
    beta = Milestone.objects.get()
    patched = client.patch(_detail("milestone", beta), {"name": "Public beta", "description": "Invite only"},
                           format="json")
    services.milestone_create(actor=editor, release=web_release, name="Launch", date=today)

    beta.refresh_from_db()
    assert (created.status_code, patched.status_code) == (201, 200)
    assert (beta.release, beta.name, beta.description) == (spring, "Public beta", "Invite only")
    assert _ids(_api(viewer).get(MILESTONES, {"release": spring.pk})) == [beta.pk]
    assert _ids(_api(viewer).get(MILESTONES, {"product": product.pk})) == [beta.pk]

    moved = client.patch(_detail("milestone", beta), {"release": web_release.pk}, format="json")
    deleted = client.delete(_detail("milestone", beta))

    assert (moved.status_code, set(moved.json())) == (400, {"release"})
    assert deleted.status_code == 204
    assert not Milestone.objects.filter(pk=beta.pk).exists()


def test_a_milestone_for_another_workspaces_release_is_a_400_on_release(editor, other_workspace, other_product):
    foreign = _release(_boss(other_workspace), other_product)

    response = _api(editor).post(MILESTONES, {"release": foreign.pk, "name": "Spy", "date": "2030-01-01"},
                                 format="json")

    assert (response.status_code, set(response.json())) == (400, {"release"})
    assert not Milestone.objects.exists()


# --- features --------------------------------------------------------------------


def test_an_editor_creates_a_feature_with_everything(editor, admin, workspace, product, workflow, today):
    release = _release(editor, product)
    goal = strategy_services.goal_create(actor=editor, workspace=workspace, name="Retention",
                                         start_date=today, end_date=today + timedelta(days=90))
    initiative = strategy_services.initiative_create(actor=editor, product=product, name="Offline")

    response = _api(editor).post(FEATURES, {
        "product": product.pk, "title": " Offline mode ", "description": "Works **offline**.",
        "status": workflow["Planned"].pk, "release": release.pk, "initiative": initiative.pk, "goals": [goal.pk],
        "estimate": "5", "assignee": admin.pk, "tags": ["Sync", "mobile", "sync"], "reach": 100, "impact": "2",
        "confidence": 80, "effort": "4",
    }, format="json")

    assert response.status_code == 201, response.content
    feature = Feature.objects.get()
    assert (feature.key, feature.title, feature.status, feature.release, feature.initiative, feature.assignee,
            feature.tags, feature.rice_score, feature.created_by) == (
        "MOB-1", "Offline mode", workflow["Planned"], release, initiative, admin, ["mobile", "sync"],
        Decimal("40.0"), editor)
    assert list(feature.goals.all()) == [goal]
    data = response.json()
    assert (data["key"], data["number"], data["version"], data["requirement_count"], data["conflicts"]) == (
        "MOB-1", 1, 1, 0, [])
    assert data["status"] == {"id": workflow["Planned"].pk, "name": "Planned", "category": "not_started"}
    assert (data["release"]["id"], data["initiative"]["name"], data["goals"], data["assignee"]["email"]) == (
        release.pk, "Offline", [goal.pk], "admin@acme.test")
    assert (data["effective_start"], data["effective_end"]) == (
        release.start_date.isoformat(), release.release_date.isoformat())
    assert (data["reach"], data["impact"], data["confidence"], data["effort"], data["rice_score"]) == (
        100, "2.00", 80, "4.0", "40.0")
    assert data["rank"] == feature.rank


def test_a_new_feature_starts_in_the_first_status_at_the_bottom_of_the_backlog(editor, product, workflow):
    first = _feature(editor, product, "First")

    response = _api(editor).post(FEATURES, {"product": product.pk, "title": "Second"}, format="json")

    data = response.json()
    assert response.status_code == 201
    assert (data["key"], data["status"]["name"]) == ("MOB-2", "Idea")
    assert data["rank"] > first.rank


def test_bad_feature_fields_are_named_in_one_answer(editor, product, workflow):
    response = _api(editor).post(FEATURES, {
        "product": product.pk, "title": "", "estimate": "-1", "confidence": 101, "impact": "7",
        "start_date": "2030-05-01", "end_date": "2030-04-01", "effort": "0",
    }, format="json")

    assert response.status_code == 400
    assert set(response.json()) == {"title", "estimate", "confidence", "impact", "end_date", "effort"}
    assert not Feature.objects.exists()


def test_a_feature_in_a_release_of_another_product_is_a_400_on_release(editor, product, web, workflow):
    web_release = _release(editor, web)
    feature = _feature(editor, product)
    client = _api(editor)

    created = client.post(FEATURES, {"product": product.pk, "title": "X", "release": web_release.pk}, format="json")
    patched = client.patch(_detail("feature", feature), {"release": web_release.pk}, format="json")

    feature.refresh_from_db()
    assert (created.status_code, patched.status_code) == (400, 400)
    assert (set(created.json()), set(patched.json())) == ({"release"}, {"release"})
    assert Feature.objects.count() == 1
    assert (feature.release, feature.version) == (None, 1)


def test_a_feature_naming_another_workspaces_records_is_a_400_on_each(editor, product, workflow, other_workspace,
                                                                      other_product):
    boss = _boss(other_workspace)
    foreign_release = _release(boss, other_product)
    foreign_status = services.workflow_defaults_create(workspace=other_workspace)[0]

    response = _api(editor).post(FEATURES, {
        "product": product.pk, "title": "Spy", "release": foreign_release.pk, "status": foreign_status.pk,
        "assignee": boss.pk,
    }, format="json")

    assert response.status_code == 400
    assert set(response.json()) == {"release", "status", "assignee"}
    assert not Feature.objects.filter(product=product).exists()


def test_an_editor_patches_puts_and_deletes_a_feature(editor, product, workflow):
    feature = _feature(editor, product, tags=["old"])
    client = _api(editor)

    patched = client.patch(_detail("feature", feature), {
        "status": workflow["In development"].pk, "estimate": "8", "version": 1, "tags": ["New"]}, format="json")
    put = client.put(_detail("feature", feature), {"product": product.pk, "title": "Offline sync"}, format="json")

    feature.refresh_from_db()
    assert (patched.status_code, put.status_code) == (200, 200)
    assert patched.json()["status"]["category"] == "in_progress"
    assert (feature.title, feature.status, feature.estimate, feature.tags, feature.version) == (
        "Offline sync", workflow["In development"], Decimal(8), ["new"], 3)

    deleted = client.delete(_detail("feature", feature))

    assert deleted.status_code == 204
    assert not Feature.objects.exists()


def test_a_stale_feature_update_is_a_409_with_the_feature_as_it_is_now(editor, admin, product):
    feature = _feature(editor, product)
    _api(admin).patch(_detail("feature", feature), {"title": "Admin's title", "version": 1}, format="json")

    response = _api(editor).patch(_detail("feature", feature), {"estimate": "3", "version": 1}, format="json")

    feature.refresh_from_db()
    assert response.status_code == 409
    body = response.json()
    assert "title" in body["detail"].lower()
    assert (body["current"]["title"], body["current"]["version"], body["current"]["key"]) == (
        "Admin's title", 2, "MOB-1")
    assert (feature.estimate, feature.version) == (None, 2)


def test_a_feature_reads_its_conflicts_and_requirement_count(viewer, editor, product):
    release = _release(editor, product)
    late = _feature(editor, product, release=release, end_date=release.release_date + timedelta(days=3))
    services.requirement_create(actor=editor, feature=late, text="Works on trains")
    services.requirement_create(actor=editor, feature=late, text="Syncs later")

    data = _api(viewer).get(_detail("feature", late)).json()

    assert data["requirement_count"] == 2
    assert [c["rule"] for c in data["conflicts"]] == ["ends_after_release"]
    assert "MOB-1" in data["conflicts"][0]["message"]


@pytest.fixture
def backlog(editor, admin, product, web, workflow):
    """Four features of MOB and one of WEB, in backlog order."""
    spring = _release(editor, product)
    features = {
        "offline": _feature(editor, product, "Offline mode", release=spring, tags=["sync"], assignee=admin,
                            reach=100, impact=Decimal(1), confidence=100, effort=Decimal(1)),
        "search": _feature(editor, product, "Search", status=workflow["In development"], reach=1000,
                           impact=Decimal(3), confidence=100, effort=Decimal(1)),
        "export": _feature(editor, product, "Export to CSV", tags=["sync", "data"]),
        "dark": _feature(editor, product, "Dark mode", status=workflow["Shipped"]),
        "web": _feature(editor, web, "Web search", release=_release(editor, web)),
    }
    return spring, features


def test_features_filter_like_the_backlog_plus_product(viewer, admin, product, workflow, backlog):
    spring, f = backlog
    client = _api(viewer)

    def ids(**params):
        return _ids(client.get(FEATURES, params))

    mob = [f["offline"].pk, f["search"].pk, f["export"].pk, f["dark"].pk]
    assert ids(product=product.pk) == mob
    assert sorted(ids()) == sorted([*mob, f["web"].pk])
    assert ids(product=product.pk, release=spring.pk) == [f["offline"].pk]
    assert ids(product=product.pk, release="none") == [f["search"].pk, f["export"].pk, f["dark"].pk]
    assert ids(status=f"{workflow['In development'].pk},{workflow['Shipped'].pk}") == [f["search"].pk, f["dark"].pk]
    assert ids(category="done") == [f["dark"].pk]
    assert ids(tag="sync") == [f["offline"].pk, f["export"].pk]
    assert ids(assignee=admin.pk) == [f["offline"].pk]
    assert ids(product=product.pk, assignee="none") == [f["search"].pk, f["export"].pk, f["dark"].pk]
    assert sorted(ids(q="search")) == sorted([f["search"].pk, f["web"].pk])
    assert ids(q="MOB-3", product=product.pk) == [f["export"].pk]
    assert ids(product=product.pk, ordering="-rice_score")[:2] == [f["search"].pk, f["offline"].pk]
    assert client.get(FEATURES, {"ordering": "sideways"}).status_code == 400


def test_moving_a_feature_writes_one_row_and_reorders_the_backlog(editor, product, backlog):
    spring, f = backlog
    url = _detail("feature", f["dark"], "move")
    client = _api(editor)

    with CaptureQueriesContext(connection) as ctx:
        response = client.post(url, {"after": f["offline"].pk, "before": f["search"].pk}, format="json")

    writes = [q["sql"] for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT"))]
    assert response.status_code == 200, response.content
    assert len(writes) == 1
    assert response.json()["id"] == f["dark"].pk
    assert _ids(client.get(FEATURES, {"product": product.pk})) == [
        f["offline"].pk, f["dark"].pk, f["search"].pk, f["export"].pk]

    to_top = client.post(_detail("feature", f["export"], "move"), {"before": f["offline"].pk}, format="json")

    assert to_top.status_code == 200
    assert _ids(client.get(FEATURES, {"product": product.pk}))[0] == f["export"].pk


def test_moving_next_to_a_feature_of_another_product_is_a_400(editor, backlog):
    spring, f = backlog
    rank = Feature.objects.get(pk=f["dark"].pk).rank

    response = _api(editor).post(_detail("feature", f["dark"], "move"), {"after": f["web"].pk}, format="json")

    assert response.status_code == 400
    assert Feature.objects.get(pk=f["dark"].pk).rank == rank


def test_a_bulk_change_applies_to_every_feature(editor, workflow, backlog):
    spring, f = backlog
    chosen = [f["search"], f["export"]]

    response = _api(editor).post(BULK, {
        "features": [x.pk for x in chosen] + [chosen[0].pk], "release": spring.pk, "status": workflow["Planned"].pk,
        "add_tag": "Q2",
    }, format="json")

    assert response.status_code == 200, response.content
    assert response.json() == {"changed": 2}
    for feature in chosen:
        feature.refresh_from_db()
        assert (feature.release, feature.status, "q2" in feature.tags, feature.version) == (
            spring, workflow["Planned"], True, 2)


def test_a_bulk_change_one_feature_refuses_changes_nothing_and_names_it(editor, backlog):
    spring, f = backlog
    before = {x.pk: (x.release_id, x.version) for x in Feature.objects.all()}

    response = _api(editor).post(BULK, {
        "features": [f["search"].pk, f["web"].pk], "release": spring.pk,
    }, format="json")

    assert response.status_code == 400
    assert set(response.json()) == {"features"}
    assert "WEB-1" in response.json()["features"][0]
    assert {x.pk: (x.release_id, x.version) for x in Feature.objects.all()} == before


def test_a_bulk_change_needs_features_and_a_change(editor, backlog):
    spring, f = backlog
    client = _api(editor)

    nothing = client.post(BULK, {"features": [f["search"].pk]}, format="json")
    empty = client.post(BULK, {"features": [], "add_tag": "x"}, format="json")

    assert (nothing.status_code, empty.status_code) == (400, 400)
    assert set(empty.json()) == {"features"}


def test_a_bulk_change_of_another_workspaces_feature_is_a_400_on_features(editor, backlog, other_workspace,
                                                                          other_product):
    spring, f = backlog
    foreign = _feature(_boss(other_workspace), other_product)

    response = _api(editor).post(BULK, {"features": [f["search"].pk, foreign.pk], "add_tag": "x"}, format="json")

    assert (response.status_code, set(response.json())) == (400, {"features"})
    assert Feature.objects.get(pk=foreign.pk).tags == []
    assert Feature.objects.get(pk=f["search"].pk).tags == []


# --- comments ---------------------------------------------------------------------


def test_a_viewer_comments_on_a_feature_and_mentions_a_member(viewer, editor, product, mailoutbox,
                                                              django_capture_on_commit_callbacks):
    feature = _feature(editor, product)
    url = _detail("feature", feature, "comments")
    client = _api(viewer)

    with django_capture_on_commit_callbacks(execute=True):
        posted = client.post(url, {"body": "Looks good, @editor — ship it?"}, format="json")
    listed = client.get(url)

    comment = Comment.objects.get()
    assert posted.status_code == 201, posted.content
    assert (comment.feature, comment.author, comment.body) == (feature, viewer, "Looks good, @editor — ship it?")
    assert posted.json()["mentions"] == [editor.pk]
    assert [c["id"] for c in listed.json()["results"]] == [comment.pk]
    assert listed.json()["results"][0]["author"]["email"] == "viewer@acme.test"
    assert [m.to for m in mailoutbox] == [["editor@acme.test"]]


def test_a_mention_comment_is_saved_once_and_answered_while_the_broker_is_down(
        viewer, editor, product, broker_down, caplog, django_capture_on_commit_callbacks):
    feature = _feature(editor, product)

    with django_capture_on_commit_callbacks(execute=True):
        response = _api(viewer).post(_detail("feature", feature, "comments"), {"body": "@editor look"}, format="json")

    assert response.status_code == 201, response.content
    assert Comment.objects.get().mentions.get() == editor
    assert "comment_mention_email_task" in caplog.text and "was not queued" in caplog.text


def test_an_empty_comment_is_a_400_on_body(viewer, editor, product):
    feature = _feature(editor, product)

    response = _api(viewer).post(_detail("feature", feature, "comments"), {"body": "   "}, format="json")

    assert (response.status_code, set(response.json())) == (400, {"body"})
    assert not Comment.objects.exists()


# --- requirements and dependencies -----------------------------------------------------


def test_an_editor_adds_ticks_lists_and_deletes_requirements(editor, viewer, product):
    feature = _feature(editor, product)
    other = _feature(editor, product, "Other")
    client = _api(editor)

    first = client.post(REQUIREMENTS, {"feature": feature.pk, "text": "Works on trains"}, format="json")
    second = client.post(REQUIREMENTS, {"feature": feature.pk, "text": "Syncs later"}, format="json")
    services.requirement_create(actor=editor, feature=other, text="Elsewhere")
    requirement = Requirement.objects.get(pk=first.json()["id"])
    ticked = client.patch(_detail("requirement", requirement), {"done": True}, format="json")

    requirement.refresh_from_db()
    assert (first.status_code, second.status_code, ticked.status_code) == (201, 201, 200)
    assert (requirement.done, requirement.position, second.json()["position"]) == (True, 1, 2)
    assert _ids(_api(viewer).get(REQUIREMENTS, {"feature": feature.pk})) == [requirement.pk, second.json()["id"]]
    assert _ids(_api(viewer).get(REQUIREMENTS, {"feature": feature.pk, "done": "true"})) == [requirement.pk]

    blank = client.post(REQUIREMENTS, {"feature": feature.pk, "text": ""}, format="json")
    deleted = client.delete(_detail("requirement", requirement))

    assert (blank.status_code, set(blank.json())) == (400, {"text"})
    assert deleted.status_code == 204
    assert not Requirement.objects.filter(pk=requirement.pk).exists()


def test_an_editor_adds_lists_and_removes_dependencies(editor, viewer, product, web):
    api, app, site = _feature(editor, product, "API"), _feature(editor, product, "App"), _feature(editor, web, "Site")
    client = _api(editor)

    created = client.post(DEPENDENCIES, {"feature": app.pk, "depends_on": api.pk}, format="json")
    across_products = client.post(DEPENDENCIES, {"feature": site.pk, "depends_on": api.pk}, format="json")

    assert (created.status_code, across_products.status_code) == (201, 201)
    assert (created.json()["feature_key"], created.json()["depends_on_key"]) == ("MOB-2", "MOB-1")
    dependency = Dependency.objects.get(feature=app)
    assert dependency.depends_on == api
    assert _ids(_api(viewer).get(DEPENDENCIES, {"feature": app.pk})) == [dependency.pk]
    assert len(_ids(_api(viewer).get(DEPENDENCIES, {"depends_on": api.pk}))) == 2
    assert _ids(_api(viewer).get(DEPENDENCIES, {"product": web.pk})) == [across_products.json()["id"]]

    deleted = client.delete(_detail("dependency", dependency))

    assert deleted.status_code == 204
    assert not Dependency.objects.filter(pk=dependency.pk).exists()


def test_a_dependency_that_closes_a_cycle_is_a_400_on_depends_on_naming_it(editor, product):
    a, b, c = (_feature(editor, product, title) for title in ("A", "B", "C"))
    services.dependency_add(actor=editor, feature=a, depends_on=b)
    services.dependency_add(actor=editor, feature=b, depends_on=c)

    response = _api(editor).post(DEPENDENCIES, {"feature": c.pk, "depends_on": a.pk}, format="json")

    assert response.status_code == 400
    assert set(response.json()) == {"depends_on"}
    assert "MOB-3 → MOB-1 → MOB-2 → MOB-3" in response.json()["depends_on"][0]
    assert Dependency.objects.count() == 2


def test_a_dependency_on_another_workspaces_feature_is_a_400_on_depends_on(editor, product, other_workspace,
                                                                           other_product):
    ours = _feature(editor, product)
    theirs = _feature(_boss(other_workspace), other_product)
    client = _api(editor)

    unseen = client.post(DEPENDENCIES, {"feature": ours.pk, "depends_on": theirs.pk}, format="json")
    MembershipFactory(workspace=other_workspace, user=editor, role=Role.EDITOR)
    seen = _api(editor).post(DEPENDENCIES, {"feature": ours.pk, "depends_on": theirs.pk}, format="json")

    assert (unseen.status_code, seen.status_code) == (400, 400)
    assert (set(unseen.json()), set(seen.json())) == ({"depends_on"}, {"depends_on"})
    assert "Secret" not in unseen.content.decode()
    assert not Dependency.objects.exists()


# --- viewers and other workspaces ----------------------------------------------------------


@pytest.fixture
def records(editor, product, workflow, today):
    """One record of each kind in the acme workspace."""
    release = _release(editor, product)
    feature = _feature(editor, product, release=release)
    other = _feature(editor, product, "Other")
    return {
        "release": release,
        "milestone": services.milestone_create(actor=editor, release=release, name="Beta", date=today),
        "feature": feature,
        "requirement": services.requirement_create(actor=editor, feature=feature, text="Works"),
        "dependency": services.dependency_add(actor=editor, feature=feature, depends_on=other),
        "status": workflow["Backlog"],
        "other": other,
    }


def test_a_viewer_reads_everything_but_is_refused_every_change_before_its_input_is_read(viewer, product, records):
    client = _api(viewer)
    bad = {"name": "", "title": "", "start_date": "soon", "estimate": "-1", "confidence": 101, "text": "",
           "category": "bogus", "version": "old"}
    feature = records["feature"]
    before = _counts()

    reads = [client.get(_detail(name, records[name])).status_code
             for name in ("release", "milestone", "feature", "requirement", "dependency", "status")]
    reads.append(client.get(_detail("release", records["release"], "burn-up")).status_code)
    reads.append(client.get(_detail("feature", feature, "comments")).status_code)
    writes = [
        client.post(RELEASES, {**bad, "product": product.pk}, format="json"),
        client.post(MILESTONES, {**bad, "release": records["release"].pk}, format="json"),
        client.post(FEATURES, {**bad, "product": product.pk}, format="json"),
        client.post(REQUIREMENTS, {**bad, "feature": feature.pk}, format="json"),
        client.post(DEPENDENCIES, {"feature": feature.pk, "depends_on": "x"}, format="json"),
        client.post(STATUSES, {**bad, "workspace": "acme"}, format="json"),
        client.post(FEATURES, bad, format="json"),
        client.post(BULK, {"features": [feature.pk], "status": "x"}, format="json"),
        client.post(BULK, {"features": "garbage"}, format="json"),
        client.post(_detail("feature", feature, "move"), {"after": "x"}, format="json"),
    ]
    for name in ("release", "milestone", "feature", "requirement", "status"):
        writes.append(client.patch(_detail(name, records[name]), bad, format="json"))
    for name in ("release", "milestone", "feature", "requirement"):
        writes.append(client.put(_detail(name, records[name]), bad, format="json"))
    for name in ("release", "milestone", "feature", "requirement", "dependency"):
        writes.append(client.delete(_detail(name, records[name])))

    assert reads == [200] * 8
    assert [r.status_code for r in writes] == [403] * len(writes)
    assert _counts() == before


def test_another_workspaces_records_are_not_found(admin, other_workspace, other_product, today):
    boss = _boss(other_workspace)
    release = _release(boss, other_product, "Secret release")
    feature = _feature(boss, other_product, "Secret feature", release=release)
    other = _feature(boss, other_product, "Secret other")
    foreign = {
        "release": release,
        "milestone": services.milestone_create(actor=boss, release=release, name="Secret beta", date=today),
        "feature": feature,
        "requirement": services.requirement_create(actor=boss, feature=feature, text="Secret"),
        "dependency": services.dependency_add(actor=boss, feature=feature, depends_on=other),
        "status": WorkflowStatus.objects.filter(workspace=other_workspace).first(),
    }
    services.comment_create(actor=boss, feature=feature, body="Secret remark")
    client = _api(admin)
    before = _counts()

    responses = []
    for name, record in foreign.items():
        url = _detail(name, record)
        responses.append(client.get(url))
        if name != "dependency":  # dependencies are added and removed, never changed
            responses.append(client.patch(url, {"name": "Hijacked"}, format="json"))
        if name != "status":  # statuses are retired, never deleted
            responses.append(client.delete(url))
    responses += [
        client.get(_detail("release", release, "burn-up")),
        client.get(_detail("feature", feature, "comments")),
        client.post(_detail("feature", feature, "comments"), {"body": "Hi"}, format="json"),
        client.post(_detail("feature", feature, "move"), {}, format="json"),
        client.post(_detail("status", foreign["status"], "move"), {"position": 1}, format="json"),
        client.post(_detail("status", foreign["status"], "retire"), {}, format="json"),
    ]
    lists = [client.get(url).json()["results"]
             for url in (STATUSES, RELEASES, MILESTONES, FEATURES, REQUIREMENTS, DEPENDENCIES)]

    assert [r.status_code for r in responses] == [404] * len(responses)
    assert "Secret" not in "".join(r.content.decode() for r in responses)
    assert lists == [[]] * 6
    assert _counts() == before


def test_a_non_numeric_id_is_not_found(viewer):
    assert _api(viewer).get(f"{FEATURES}abc/").status_code == 404


# --- query counts -----------------------------------------------------------------------


def _fill(editor, workspace, products, workflow, n: int, start: int = 0) -> None:
    """Per product `n` releases with a milestone, and `n` features with goals, tags,
    requirements, a dependency, a comment, and some conflicts."""
    today = timezone.localdate()
    goal = strategy_services.goal_create(actor=editor, workspace=workspace, name=f"Goal {start}",
                                         start_date=today, end_date=today + timedelta(days=90))
    for product in products:
        previous = None
        for i in range(start, start + n):
            release = _release(editor, product, f"R{i}", capacity=Decimal(1))
            services.milestone_create(actor=editor, release=release, name=f"M{i}", date=timezone.localdate())
            feature = _feature(editor, product, f"F{i}", release=release, estimate=Decimal(2), goals=[goal],
                               tags=["x"], status=workflow["In development"], assignee=editor,
                               end_date=release.release_date + timedelta(days=1))
            services.requirement_create(actor=editor, feature=feature, text="R")
            services.comment_create(actor=editor, feature=feature, body="C")
            if previous is not None:
                services.dependency_add(actor=editor, feature=feature, depends_on=previous)
            previous = feature


def test_list_endpoints_cost_the_same_queries_for_2_or_30_rows(viewer, editor, workspace, product, web, workflow):
    _fill(editor, workspace, [product, web], workflow, 2)
    first = Feature.objects.order_by("id").first()
    urls = [
        FEATURES, f"{FEATURES}?product={product.pk}", f"{FEATURES}?tag=x&ordering=-end", RELEASES,
        f"{RELEASES}?product={product.pk}", MILESTONES, REQUIREMENTS, DEPENDENCIES, STATUSES,
        _detail("feature", first, "comments"),
    ]
    client = _api(viewer)
    for url in urls:  # the plans' conflicts are computed once, then cached (as before the second count)
        client.get(url)
    few = [count_queries(lambda url=url: client.get(url)) for url in urls]

    _fill(editor, workspace, [product, web], workflow, 28, start=2)
    for _ in range(28):
        services.comment_create(actor=editor, feature=first, body="More")

    responses = [client.get(url).json() for url in urls]
    assert [len(r["results"]) for r in responses] == [50, 30, 50, 50, 30, 50, 50, 50, 8, 29]
    assert all(row["conflicts"] for row in responses[1]["results"])
    assert all(row["conflict_count"] for row in responses[4]["results"])
    assert [count_queries(lambda url=url: client.get(url)) for url in urls] == few


# --- schema -------------------------------------------------------------------------------


def test_the_openapi_schema_describes_the_releases_endpoints_and_validates(client, tmp_path):
    content = client.get(reverse("roadmap:api_schema")).content.decode()

    for path in (
        "/api/v1/w/{ws}/statuses/", "/api/v1/w/{ws}/statuses/{id}/move/", "/api/v1/w/{ws}/statuses/{id}/retire/",
        "/api/v1/w/{ws}/releases/{id}/", "/api/v1/w/{ws}/releases/{id}/burn-up/", "/api/v1/w/{ws}/milestones/{id}/",
        "/api/v1/w/{ws}/features/{id}/", "/api/v1/w/{ws}/features/{id}/move/", "/api/v1/w/{ws}/features/bulk/",
        "/api/v1/w/{ws}/features/{id}/comments/", "/api/v1/w/{ws}/requirements/{id}/",
        "/api/v1/w/{ws}/dependencies/{id}/",
    ):
        assert f"{path}:" in content
    assert "ReleaseStatusEnum" in content
    assert "StaleFeature" in content
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
