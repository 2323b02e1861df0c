"""External ids and bulk writes through the API (strategy.api.external), for every kind that
takes them: an upsert by external id creates once and then changes nothing when run again;
external ids are unique per workspace and kind; bulk writes report errors by index and field,
write the valid items in one transaction, or nothing with `atomic`."""

import pytest
from rest_framework.test import APIClient

from feedback.models import Customer, Idea
from releases.models import Feature, Release
from strategy.models import Competitor, Goal, Initiative, Persona, Product, User
from tests.api_urls import api_url
from tests.factories import MembershipFactory, ProductFactory

pytestmark = pytest.mark.django_db

KINDS = {
    # url basename: (model, payload for a product id)
    "strategy-api:product": (Product, lambda p: {"name": "Imported", "key": "IMP"}),
    "strategy-api:goal": (Goal, lambda p: {"name": "Grow", "start_date": "2026-01-01", "end_date": "2026-12-31"}),
    "strategy-api:initiative": (Initiative, lambda p: {"product": p, "name": "Onboarding"}),
    "strategy-api:persona": (Persona, lambda p: {"product": p, "name": "Ann the admin"}),
    "strategy-api:competitor": (Competitor, lambda p: {"product": p, "name": "Rival"}),
    "releases-api:release": (Release, lambda p: {"product": p, "name": "Spring", "start_date": "2026-03-01",
                                                 "release_date": "2026-03-31"}),
    "releases-api:feature": (Feature, lambda p: {"product": p, "title": "Saved carts", "tags": ["Mobile", "api"],
                                                 "description": "Keep carts\r\n across devices "}),
    "feedback-api:idea": (Idea, lambda p: {"product": p, "title": "Export to CSV"}),
    "feedback-api:customer": (Customer, lambda p: {"name": "Initech"}),
}


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _upsert_url(kind: str, external_id: str, ws: str = "acme") -> str:
    return api_url(f"{kind}-by-external-id", args=[external_id], ws=ws)


def _history_count(model, pk) -> int | None:
    history = getattr(model, "history", None)
    return history.filter(id=pk).count() if history is not None else None


@pytest.fixture
def workflow_ready(workflow):
    return workflow


@pytest.mark.parametrize("kind", list(KINDS))
def test_an_upsert_by_external_id_creates_once_and_changes_nothing_when_run_again(kind, editor, product,
                                                                                 workflow_ready):
    model, payload = KINDS[kind]
    body = {**payload(product.pk), "external_url": "https://jira.example.test/browse/X-1"}
    client = _api(editor)

    first = client.put(_upsert_url(kind, "X-1"), body, format="json")
    assert first.status_code == 201, first.content
    record = model.objects.get(pk=first.json()["id"])
    assert (record.external_id, record.external_url) == ("X-1", "https://jira.example.test/browse/X-1")
    history, updated_at = _history_count(model, record.pk), record.updated_at

    again = client.put(_upsert_url(kind, "X-1"), body, format="json")

    assert again.status_code == 200, again.content
    assert again.json()["id"] == record.pk
    assert model.objects.filter(external_id="X-1").count() == 1
    record.refresh_from_db()
    assert (_history_count(model, record.pk), record.updated_at) == (history, updated_at)


def test_an_upsert_with_a_change_updates_the_record_as_a_new_version(editor, product, workflow_ready):
    client = _api(editor)
    body = {"product": product.pk, "title": "Saved carts"}
    created = client.put(_upsert_url("releases-api:feature", "F-1"), body, format="json").json()

    changed = client.put(_upsert_url("releases-api:feature", "F-1"), {**body, "title": "Saved carts v2"},
                         format="json")

    assert changed.status_code == 200, changed.content
    assert (changed.json()["title"], changed.json()["version"]) == ("Saved carts v2", created["version"] + 1)
    assert Feature.history.filter(id=created["id"]).count() == 2


def test_an_external_id_is_unique_per_workspace_and_kind(editor, product, other_workspace, workflow_ready):
    client = _api(editor)
    client.put(_upsert_url("releases-api:feature", "K-1"), {"product": product.pk, "title": "One"}, format="json")

    clash = client.post(api_url("releases-api:feature-list"),
                        {"product": product.pk, "title": "Two", "external_id": "K-1"}, format="json")
    other_kind = client.put(_upsert_url("releases-api:release", "K-1"), {
        "product": product.pk, "name": "R", "start_date": "2026-01-01", "release_date": "2026-01-31"}, format="json")
    MembershipFactory(workspace=other_workspace, user=editor, role="editor")
    elsewhere = ProductFactory(workspace=other_workspace, key="SEC")
    fresh = _api(User.objects.get(pk=editor.pk))
    other_workspace_ok = fresh.put(_upsert_url("releases-api:feature", "K-1", ws="globex"),
                                   {"product": elsewhere.pk, "title": "Elsewhere"}, format="json")

    assert clash.status_code == 400
    assert list(clash.json()) == ["external_id"]
    assert other_kind.status_code == 201
    assert other_workspace_ok.status_code == 201, other_workspace_ok.content


def test_an_upsert_cannot_move_a_record_to_another_product(editor, product, workflow_ready):
    client = _api(editor)
    client.put(_upsert_url("releases-api:feature", "F-1"), {"product": product.pk, "title": "A"}, format="json")
    second = ProductFactory(workspace=product.workspace, key="WEB")

    moved = client.put(_upsert_url("releases-api:feature", "F-1"), {"product": second.pk, "title": "A"},
                       format="json")

    assert moved.status_code == 400
    assert list(moved.json()) == ["product"]


def test_an_upsert_needs_a_workspace_address(editor, product, workflow_ready):
    response = _api(editor).put("/api/v1/features/by-external-id/F-1/", {"product": product.pk, "title": "A"},
                                format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["workspace"]


def test_a_viewer_may_not_upsert(viewer, product, workflow_ready):
    response = _api(viewer).put(_upsert_url("releases-api:feature", "F-1"), {"product": product.pk, "title": "A"},
                                format="json")

    assert response.status_code == 403
    assert not Feature.objects.exists()


def test_a_bad_upsert_names_each_field_and_writes_nothing(editor, product, workflow_ready):
    response = _api(editor).put(_upsert_url("releases-api:feature", "F-1"),
                                {"product": product.pk, "title": "", "estimate": "lots",
                                 "external_url": "not a url"}, format="json")

    assert response.status_code == 400
    assert set(response.json()) == {"title", "estimate", "external_url"}
    assert not Feature.objects.exists()


# --- bulk writes ------------------------------------------------------------------------------


def _bulk(client, kind: str, items, **extra):
    return client.post(api_url(f"{kind}-bulk-upsert"), {"items": items, **extra}, format="json")


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_bulk_write_reports_errors_by_index_and_field_and_writes_the_valid_items(kind, editor, product,
                                                                                  workflow_ready):
    model, payload = KINDS[kind]
    good = payload(product.pk)
    items = [{**good, "external_id": "A"}, {**good, "external_id": "B", "external_url": "nope"}]
    if kind == "strategy-api:product":
        items[0]["key"] = "AAA"

    response = _bulk(_api(editor), kind, items)

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["created"], body["refused"]) == (1, 1)
    assert body["errors"][0]["index"] == 1 and "external_url" in body["errors"][0]["errors"]
    assert list(model.objects.filter(external_id__in=["A", "B"]).values_list("external_id", flat=True)) == ["A"]


def test_an_atomic_bulk_write_with_an_error_writes_nothing(editor, product, workflow_ready):
    items = [{"product": product.pk, "title": "Fine", "external_id": "A"},
             {"product": product.pk, "title": "", "external_id": "B"}]

    response = _bulk(_api(editor), "releases-api:feature", items, atomic=True)

    assert response.status_code == 400
    assert response.json()["errors"][0]["index"] == 1
    assert response.json()["results"] == []
    assert not Feature.objects.exists()


def test_a_bulk_write_run_twice_changes_nothing_the_second_time(editor, product, workflow_ready):
    items = [{"product": product.pk, "title": f"Feature {n}", "external_id": f"F-{n}", "tags": ["B", "a"]}
             for n in range(5)]
    client = _api(editor)
    _bulk(client, "releases-api:feature", items)
    history = Feature.history.count()
    stamps = dict(Feature.objects.values_list("pk", "updated_at"))

    again = _bulk(client, "releases-api:feature", items)

    assert (again.json()["created"], again.json()["unchanged"]) == (0, 5)
    assert Feature.history.count() == history
    assert dict(Feature.objects.values_list("pk", "updated_at")) == stamps


def test_a_bulk_write_refuses_more_than_1000_items_and_a_repeated_external_id(editor, product, workflow_ready):
    client = _api(editor)
    too_many = _bulk(client, "releases-api:feature", [{"title": "x"}] * 1001)
    twice = _bulk(client, "releases-api:feature", [{"product": product.pk, "title": "A", "external_id": "F-1"},
                                                   {"product": product.pk, "title": "B", "external_id": "F-1"}])

    assert too_many.status_code == 400 and "items" in too_many.json()
    assert twice.json()["errors"][0]["index"] == 1
    assert "external_id" in twice.json()["errors"][0]["errors"]


# --- the features' batch path: releases and features in one request ---------------------------


def _release_item(product, n: int) -> dict:
    return {"product": product.pk, "name": f"Release {n}", "start_date": "2026-01-01", "release_date": "2026-06-30",
            "external_id": f"R-{n}"}


def _feature_items(product, count: int, start: int = 0) -> list[dict]:
    return [{"product": product.pk, "title": f"Feature {n}", "external_id": f"F-{n}", "release_external_id": "R-1",
             "estimate": "3", "tags": ["Import"]} for n in range(start, start + count)]


def test_features_and_their_releases_go_in_one_request_with_numbers_ranks_history_and_one_signal(
        editor, product, workflow_ready, django_capture_on_commit_callbacks):
    from releases.signals import features_changed

    ProductFactory(workspace=product.workspace, key="WEB")  # numbers are per product
    existing = _api(editor).post(api_url("releases-api:feature-list"), {"product": product.pk, "title": "Old"},
                                 format="json").json()
    received = []

    def receiver(sender, feature_ids, product_ids, **kwargs):
        received.append(feature_ids)

    features_changed.connect(receiver, dispatch_uid="test-import")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = _api(editor).post(api_url("releases-api:feature-bulk-upsert"), {
                "releases": [_release_item(product, 1)], "items": _feature_items(product, 3)}, format="json")
    finally:
        features_changed.disconnect(dispatch_uid="test-import")

    assert response.status_code == 200, response.content
    assert (response.json()["created"], response.json()["refused"]) == (4, 0)
    features = list(Feature.objects.filter(external_id__startswith="F-").order_by("rank"))
    release = Release.objects.get(external_id="R-1")
    assert [f.number for f in features] == [existing["number"] + 1, existing["number"] + 2, existing["number"] + 3]
    assert all(f.release == release and f.tags == ["import"] and f.rank > existing["rank"] for f in features)
    assert [f.history.get().history_user for f in features] == [editor] * 3
    assert received == [frozenset(f.pk for f in features)]


def test_a_feature_naming_an_unknown_release_is_refused_by_index_and_field(editor, product, workflow_ready):
    items = _feature_items(product, 2)
    items[1]["release_external_id"] = "NOPE"

    response = _api(editor).post(api_url("releases-api:feature-bulk-upsert"),
                                 {"releases": [_release_item(product, 1)], "items": items}, format="json")

    errors = response.json()["errors"]
    assert [(e["list"], e["index"], list(e["errors"])) for e in errors] == [("items", 1, ["release_external_id"])]
    assert Feature.objects.count() == 1


def test_an_atomic_batch_with_a_rule_broken_in_the_service_writes_nothing(editor, product, workflow_ready):
    other = ProductFactory(workspace=product.workspace, key="WEB")
    items = _feature_items(product, 2)
    items[1]["product"] = other.pk  # its release R-1 belongs to another product

    response = _api(editor).post(api_url("releases-api:feature-bulk-upsert"),
                                 {"releases": [_release_item(product, 1)], "items": items, "atomic": True},
                                 format="json")

    assert response.status_code == 400
    assert [(e["index"], list(e["errors"])) for e in response.json()["errors"]] == [(1, ["release"])]
    assert not Feature.objects.exists() and not Release.objects.exists()


def test_a_batch_of_features_costs_the_same_queries_for_5_or_50_features(editor, product, workflow_ready):
    from tests.conftest import count_queries

    client = _api(editor)
    client.post(api_url("releases-api:release-bulk-upsert"), {"items": [_release_item(product, 1)]}, format="json")

    def post(items):
        return count_queries(lambda: client.post(api_url("releases-api:feature-bulk-upsert"), {"items": items},
                                                 format="json"))

    few = post(_feature_items(product, 5))
    many = post(_feature_items(product, 50, start=100))
    again = post(_feature_items(product, 50, start=100))  # all unchanged

    assert Feature.objects.count() == 55
    assert many == few
    assert again < many
