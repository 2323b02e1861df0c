"""Webhooks: where they may point (SSRF), who registers them, which changes become which
events, signed deliveries to a real local receiver, retries with back-off, the delivery log
page and its redelivery, the API, and one real Celery worker from a change to the log."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from datetime import date, timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from celery.contrib.testing.worker import start_worker
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from feedback import services as feedback_services
from releases import services as release_services
from releases.models import Feature
from roadmap import tasks
from roadmap.celery import app as celery_app
from roadmap.models import Webhook, WebhookAttempt, WebhookDelivery, WebhookGoalStatus
from roadmap.services import webhooks
from strategy import services as strategy_services

from ..conftest import count_queries
from ..factories import FeatureFactory, GoalFactory, KeyResultFactory, ReleaseFactory

pytestmark = pytest.mark.django_db
JSON = "application/json"


class Receiver:
    """A tiny HTTP server on 127.0.0.1 that records what it is sent and answers `status`."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.status = 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append({"headers": dict(self.headers), "body": body, "path": self.path})
                self.send_response(receiver.status)
                self.end_headers()
                self.wfile.write(b"ok" if receiver.status < 300 else b"boom")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/waymark?x=1"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def events(self) -> list[str]:
        return [json.loads(r["body"])["event"] for r in self.requests]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(autouse=True)
def _committed(django_capture_on_commit_callbacks):
    """Tests run in a transaction that never commits: what the receivers note in it goes to a
    batch flushed on commit; a test that makes rows outside `capture_on_commit_callbacks`
    starts the next capture with a fresh batch, as a new transaction would."""
    webhooks._local.batch = None
    yield


def committed(capture):
    """`django_capture_on_commit_callbacks(execute=True)` as a new transaction: a new batch."""
    webhooks._local.batch = None
    return capture(execute=True)


@pytest.fixture
def receiver(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    settings.WEBHOOK_RETRY_BASE_SECONDS = 1
    server = Receiver()
    yield server
    server.close()


ALL_EVENTS = ["feature.created", "feature.changed", "feature.moved", "feature.deleted", "release.created",
              "release.changed", "release.deleted", "goal.status_changed", "idea.created", "idea.status_changed"]


@pytest.fixture
def hook(admin, workspace, receiver, django_capture_on_commit_callbacks):
    with committed(django_capture_on_commit_callbacks):
        return webhooks.webhook_create(actor=admin, workspace=workspace, url=receiver.url, events=ALL_EVENTS)


def verify(secret: str, request: dict) -> bool:
    """The receiver's check, as docs/api.md shows it."""
    timestamp = request["headers"]["Waymark-Timestamp"]
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + request["body"], hashlib.sha256).hexdigest()
    return hmac.compare_digest(request["headers"]["Waymark-Signature"], f"v1={expected}") \
        and abs(time.time() - int(timestamp)) < 300


# --- where a webhook may point --------------------------------------------------------------


@pytest.mark.parametrize("url", [
    "http://127.0.0.1/hook", "http://localhost:8000/hook", "http://10.1.2.3/", "http://192.168.0.10/",
    "http://172.16.5.4/", "http://169.254.169.254/latest/meta-data/", "http://[::1]/", "http://0.0.0.0/",
    "http://[::ffff:127.0.0.1]/", "http://100.64.0.1/", "http://224.0.0.1/", "http://240.0.0.1/",
])
def test_private_loopback_link_local_and_reserved_targets_are_refused(url, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    with pytest.raises(ValidationError) as caught:
        webhooks.webhook_target_check(url)
    assert "url" in caught.value.message_dict


@pytest.mark.parametrize("url", ["ftp://example.com/", "http:///nohost", "https://user:pw@example.com/",
                                 "http://no-such-host.invalid/"])
def test_other_schemes_credentials_and_unknown_hosts_are_refused(url):
    with pytest.raises(ValidationError):
        webhooks.webhook_target_check(url)


def test_a_public_address_is_accepted_and_pinned(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    target = webhooks.webhook_target_check("https://93.184.215.14:8443/in?a=b")
    assert (target.https, target.address, target.port, target.path) == (True, "93.184.215.14", 8443, "/in?a=b")


def test_the_operator_setting_allows_private_targets(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    assert webhooks.webhook_target_check("http://127.0.0.1:9/x").address == "127.0.0.1"


def test_a_target_that_turned_private_since_it_was_saved_is_refused_at_delivery(hook, receiver, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False  # as if the name now resolved to 127.0.0.1
    delivery = WebhookDelivery.objects.create(webhook=hook, uid="6b1f0d1e-8d6e-4b0e-9d8e-2f5a3c1d0a01",
                                              event="ping", payload={"event": "ping"})

    attempt = webhooks.webhook_delivery_attempt(delivery_id=delivery.pk)

    assert attempt.status_code is None and "private" in attempt.error
    assert receiver.requests == []


# --- registering --------------------------------------------------------------------------


def test_an_admin_registers_a_webhook_with_a_secret(admin, workspace, receiver):
    hook = webhooks.webhook_create(actor=admin, workspace=workspace, url=receiver.url,
                                   events=["feature.moved", "feature.created", "feature.created"])
    assert hook.events == ["feature.created", "feature.moved"]
    assert len(hook.secret) >= 40


@pytest.mark.parametrize("role", ["editor", "viewer"])
def test_only_admins_register_webhooks(role, request, workspace, receiver):
    with pytest.raises(PermissionDenied):
        webhooks.webhook_create(actor=request.getfixturevalue(role), workspace=workspace, url=receiver.url,
                                events=["feature.created"])
    assert not Webhook.objects.exists()


def test_bad_input_names_every_field_and_saves_nothing(admin, workspace, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    with pytest.raises(ValidationError) as caught:
        webhooks.webhook_create(actor=admin, workspace=workspace, url="http://10.0.0.1/", events=["nope"])
    assert set(caught.value.message_dict) == {"url", "events"}
    assert not Webhook.objects.exists()


# --- events -------------------------------------------------------------------------------


def test_feature_changes_become_signed_events(hook, receiver, editor, product, workflow,
                                              django_capture_on_commit_callbacks):
    release = ReleaseFactory(product=product)
    with committed(django_capture_on_commit_callbacks):
        feature = release_services.feature_create(actor=editor, product=product, title="Offline mode")
    with committed(django_capture_on_commit_callbacks):
        feature = release_services.feature_update(actor=editor, feature=feature, title="Offline mode v2")
    with committed(django_capture_on_commit_callbacks):
        feature = release_services.feature_update(actor=editor, feature=feature, release=release)
    with committed(django_capture_on_commit_callbacks):
        release_services.feature_delete(actor=editor, feature=feature)

    assert receiver.events() == ["feature.created", "feature.changed", "feature.moved", "feature.deleted"]
    assert all(verify(hook.secret, r) for r in receiver.requests)
    created, changed, moved, _deleted = (json.loads(r["body"]) for r in receiver.requests)
    assert created["data"]["feature"]["key"] == f"MOB-{feature.number}"
    assert created["workspace"]["slug"] == "acme" and created["actor"]["email"] == "editor@acme.test"
    assert changed["data"]["changes"] == {"title": {"from": "Offline mode", "to": "Offline mode v2"}}
    assert moved["data"]["changes"]["release"] == {"from": None, "to": release.pk}
    headers = receiver.requests[0]["headers"]
    assert headers["Waymark-Event"] == "feature.created" and headers["Content-Type"] == "application/json"
    assert headers["Waymark-Delivery"] == created["id"]
    assert receiver.requests[0]["path"] == "/hooks/waymark?x=1"
    assert set(WebhookDelivery.objects.values_list("state", flat=True)) == {"succeeded"}


def test_a_rolled_back_change_sends_nothing(hook, receiver, editor, product, workflow,
                                            django_capture_on_commit_callbacks):
    with committed(django_capture_on_commit_callbacks), pytest.raises(ValidationError):
        release_services.feature_create(actor=editor, product=product, title="")
    assert receiver.requests == [] and not WebhookDelivery.objects.exists()


def test_a_webhook_hears_only_its_events_and_its_workspace(admin, workspace, receiver, editor, product,
                                                           workflow, other_product,
                                                           django_capture_on_commit_callbacks):
    webhooks.webhook_create(actor=admin, workspace=workspace, url=receiver.url, events=["release.changed"])
    release = ReleaseFactory(product=product)
    other_release = ReleaseFactory(product=other_product)
    with committed(django_capture_on_commit_callbacks):
        release_services.feature_create(actor=editor, product=product, title="Not subscribed")
        release_services.release_update(actor=editor, release=release, name="Spring")
    with committed(django_capture_on_commit_callbacks):
        other_release.name = "Elsewhere"
        other_release.save()

    assert receiver.events() == ["release.changed"]
    assert json.loads(receiver.requests[0]["body"])["data"]["release"]["name"] == "Spring"


def test_one_bulk_change_is_one_dispatch(hook, receiver, editor, product, workflow,
                                         django_capture_on_commit_callbacks, monkeypatch):
    features = FeatureFactory.create_batch(3, product=product, status=workflow["Backlog"])
    release = ReleaseFactory(product=product)
    dispatched = []
    original = tasks.webhook_events_dispatch_task.apply_async
    monkeypatch.setattr(tasks.webhook_events_dispatch_task, "apply_async",
                        lambda args, **kw: dispatched.append(args) or original(args, **kw))
    with committed(django_capture_on_commit_callbacks):
        release_services.feature_bulk_update(actor=editor, features=features, release=release)

    assert len(dispatched) == 1
    assert receiver.events() == ["feature.moved"] * 3


def test_undoing_an_import_tells_of_each_deleted_feature_and_release_in_one_dispatch(
        hook, receiver, admin, editor, product, workflow, django_capture_on_commit_callbacks, monkeypatch):
    existing = FeatureFactory(product=product, status=workflow["Backlog"], title="Before", external_id="U-0")
    content = b"key,title,release,release_date\nU-0,After,,\nU-1,First,Autumn,2025-10-01\nU-2,Second,Autumn,\n"
    with committed(django_capture_on_commit_callbacks):
        record = release_services.import_preview(actor=editor, product=product, name="f.csv", content=content)
        record = release_services.import_confirm(actor=editor, record=record)
    gone = dict(Feature.objects.exclude(pk=existing.pk).values_list("pk", "number"))
    receiver.requests.clear()
    dispatched = []
    original = tasks.webhook_events_dispatch_task.apply_async
    monkeypatch.setattr(tasks.webhook_events_dispatch_task, "apply_async",
                        lambda args, **kw: dispatched.append(args) or original(args, **kw))

    with committed(django_capture_on_commit_callbacks):
        release_services.import_undo(actor=admin, record=record)

    assert len(dispatched) == 1
    assert sorted(receiver.events()) == ["feature.changed", "feature.deleted", "feature.deleted", "release.deleted"]
    bodies = [json.loads(r["body"]) for r in receiver.requests]
    deleted = [body for body in bodies if body["event"] == "feature.deleted"]
    assert {body["data"]["feature"]["key"] for body in deleted} == {f"MOB-{number}" for number in gone.values()}
    assert {body["actor"]["email"] for body in bodies} == {admin.email}
    changed = next(body for body in bodies if body["event"] == "feature.changed")
    assert changed["data"]["changes"] == {"title": {"from": "After", "to": "Before"}}


def test_idea_events(hook, receiver, editor, product, django_capture_on_commit_callbacks):
    with committed(django_capture_on_commit_callbacks):
        idea = feedback_services.idea_create(actor=editor, product=product, title="Dark mode")
    with committed(django_capture_on_commit_callbacks):
        feedback_services.idea_status_set(actor=editor, idea=idea, status="planned")

    assert receiver.events() == ["idea.created", "idea.status_changed"]
    changed = json.loads(receiver.requests[1]["body"])
    assert changed["data"]["changes"]["status"] == {"from": "new", "to": "planned"}


def test_a_goal_status_change_is_sent_once(hook, receiver, editor, workspace, django_capture_on_commit_callbacks):
    today = date.today()
    goal = GoalFactory(workspace=workspace, start_date=today - timedelta(days=30), end_date=today + timedelta(days=30))
    key_result = KeyResultFactory(goal=goal, workspace=workspace, current_value=Decimal(50))
    webhooks.webhook_goal_status_check(workspace_id=workspace.pk)  # the baseline: on track
    assert WebhookGoalStatus.objects.get(goal=goal).status == "on_track"
    assert receiver.requests == []

    with committed(django_capture_on_commit_callbacks):
        strategy_services.key_result_check_in(actor=editor, key_result=key_result, value=Decimal(100))
    with committed(django_capture_on_commit_callbacks):
        strategy_services.key_result_check_in(actor=editor, key_result=key_result, value=Decimal(100))

    assert receiver.events() == ["goal.status_changed"]
    body = json.loads(receiver.requests[0]["body"])
    assert body["data"]["changes"]["status"] == {"from": "on_track", "to": "achieved"}


# --- delivering ---------------------------------------------------------------------------


def test_a_failing_receiver_is_retried_with_back_off_then_given_up(hook, receiver, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    receiver.status = 503
    delivery = webhooks.webhook_ping(actor=hook.created_by, webhook=hook)

    first = webhooks.webhook_delivery_attempt(delivery_id=delivery.pk)
    assert first.status_code == 503 and first.response_excerpt == "boom"
    delivery.refresh_from_db()
    assert delivery.state == "retrying" and delivery.attempt_count == 1
    assert [webhooks.retry_delay(n) for n in (1, 2, 3)] == [1, 2, 4]

    webhooks.webhook_delivery_attempt(delivery_id=delivery.pk)
    receiver.status = 500
    webhooks.webhook_delivery_attempt(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.state == "failed" and delivery.attempt_count == 3 and delivery.last_status_code == 500
    assert webhooks.webhook_delivery_attempt(delivery_id=delivery.pk) is None  # done: a late task does nothing
    assert len(receiver.requests) == 3
    bodies = {r["body"] for r in receiver.requests}
    assert len(bodies) == 1  # the same body each time


def test_the_task_retries_a_failure_until_it_succeeds(hook, receiver, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 5
    delivery = WebhookDelivery.objects.create(webhook=hook, uid="6b1f0d1e-8d6e-4b0e-9d8e-2f5a3c1d0a02",
                                              event="ping", payload={"event": "ping"})
    answers = iter([500, 502, 200])
    original = webhooks._post

    def flaky(target, body, headers):
        receiver.status = next(answers)
        return original(target, body, headers)

    settings.WEBHOOK_RETRY_BASE_SECONDS = 0
    webhooks._post, saved = flaky, webhooks._post
    try:
        tasks.webhook_deliver_task.apply(args=[delivery.pk])
    finally:
        webhooks._post = saved

    delivery.refresh_from_db()
    assert delivery.state == "succeeded" and delivery.attempt_count == 3
    codes = delivery.attempts.order_by("attempted_at", "id").values_list("status_code", flat=True)
    assert list(codes) == [500, 502, 200]


def test_a_connection_failure_is_logged_with_its_error(hook, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    hook.url = "http://127.0.0.1:9/closed"
    hook.save()
    delivery = webhooks.webhook_ping(actor=hook.created_by, webhook=hook)
    attempt = webhooks.webhook_delivery_attempt(delivery_id=delivery.pk)
    assert attempt.status_code is None and "ConnectionRefused" in attempt.error
    delivery.refresh_from_db()
    assert delivery.state == "failed"


def test_a_deleted_delivery_is_nothing_to_do():
    assert webhooks.webhook_delivery_attempt(delivery_id=999_999) is None
    assert tasks.webhook_deliver_task.apply(args=[999_999]).get() is None


def test_the_sweep_requeues_overdue_deliveries(hook, receiver):
    delivery = WebhookDelivery.objects.create(webhook=hook, uid="6b1f0d1e-8d6e-4b0e-9d8e-2f5a3c1d0a03",
                                              event="ping", payload={"event": "ping"})
    from django.utils import timezone

    assert webhooks.webhook_deliveries_sweep(now=timezone.now()) == []
    assert webhooks.webhook_deliveries_sweep(now=timezone.now() + timedelta(minutes=6)) == [delivery.pk]


# --- pages --------------------------------------------------------------------------------


def test_the_admin_adds_a_webhook_on_the_settings_page(client_as_admin, receiver):
    url = reverse("roadmap:webhook_list", args=["acme"])
    assert client_as_admin.get(url).status_code == 200
    response = client_as_admin.post(url, {"url": receiver.url, "events": ["feature.created"], "is_active": "on"})
    hook = Webhook.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/webhooks/{hook.pk}/")
    page = client_as_admin.get(response["Location"]).content.decode()
    assert hook.secret in page


def test_the_form_shows_each_error_and_saves_nothing(client_as_admin, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    response = client_as_admin.post(reverse("roadmap:webhook_list", args=["acme"]),
                                    {"url": "http://169.254.169.254/", "events": []})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    response = client_as_admin.post(reverse("roadmap:webhook_list", args=["acme"]),
                                    {"url": "http://169.254.169.254/", "events": ["feature.created"]})
    assert response.status_code == 400 and "private, loopback or reserved" in response.content.decode()
    assert not Webhook.objects.exists()


@pytest.mark.parametrize("who", ["client_as_editor", "client_as_viewer"])
def test_only_admins_open_the_webhook_pages(who, request, hook):
    client = request.getfixturevalue(who)
    assert client.get(reverse("roadmap:webhook_list", args=["acme"])).status_code == 403
    assert client.get(reverse("roadmap:webhook_detail", args=["acme", hook.pk])).status_code == 403


def test_another_workspaces_webhook_is_not_found(client_as_admin, other_workspace, receiver):
    foreign = Webhook.objects.create(workspace=other_workspace, url=receiver.url, events=["feature.created"],
                                     secret="s")
    assert client_as_admin.get(reverse("roadmap:webhook_detail", args=["acme", foreign.pk])).status_code == 404


def test_the_log_page_shows_attempts_and_redelivers(client_as_admin, hook, receiver,
                                                    django_capture_on_commit_callbacks):
    receiver.status = 500
    with committed(django_capture_on_commit_callbacks):
        delivery = webhooks.webhook_ping(actor=hook.created_by, webhook=hook)
    delivery.refresh_from_db()
    assert delivery.state == "failed"  # eager retries ran through every attempt
    page = client_as_admin.get(reverse("roadmap:webhook_detail", args=["acme", hook.pk])).content.decode()
    assert "500 Failed" in page and "boom" in page

    receiver.status = 204
    with committed(django_capture_on_commit_callbacks):
        response = client_as_admin.post(reverse("roadmap:webhook_redeliver", args=["acme", hook.pk, delivery.pk]))
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.state == "succeeded"
    assert delivery.attempts.filter(redelivery=True, status_code=204).count() == 1
    assert "204 Delivered" in client_as_admin.get(response["Location"]).content.decode()


def test_the_log_page_costs_the_same_for_more_deliveries(client_as_admin, hook):
    url = reverse("roadmap:webhook_detail", args=["acme", hook.pk])

    def add(n):
        for _ in range(n):
            delivery = webhooks.webhook_ping(actor=hook.created_by, webhook=hook)
            WebhookAttempt.objects.create(delivery=delivery, attempted_at=delivery.created_at, status_code=500)

    add(1)
    client_as_admin.get(url)  # the first visit also remembers the workspace in the session
    few = count_queries(lambda: client_as_admin.get(url))
    add(8)
    assert count_queries(lambda: client_as_admin.get(url)) == few


# --- API ----------------------------------------------------------------------------------


def test_the_api_registers_lists_and_redelivers(client_as_admin, receiver, django_capture_on_commit_callbacks):
    response = client_as_admin.post("/api/v1/webhooks/", {"workspace": "acme", "url": receiver.url,
                                                          "events": ["feature.created"]}, content_type=JSON)
    assert response.status_code == 201, response.json()
    hook_id = response.json()["id"]
    assert response.json()["secret"]
    with committed(django_capture_on_commit_callbacks):
        ping = client_as_admin.post(f"/api/v1/webhooks/{hook_id}/ping/")
    assert ping.status_code == 202
    log = client_as_admin.get(f"/api/v1/webhook-deliveries/?webhook={hook_id}").json()
    assert log["count"] == 1 and log["results"][0]["state"] == "succeeded"
    assert log["results"][0]["attempts"][0]["status_code"] == 200
    delivery_pk = WebhookDelivery.objects.get().pk
    with committed(django_capture_on_commit_callbacks):
        again = client_as_admin.post(f"/api/v1/webhook-deliveries/{delivery_pk}/redeliver/")
    assert again.status_code == 202
    assert len(receiver.requests) == 2
    assert client_as_admin.patch(f"/api/v1/webhooks/{hook_id}/", {"events": []},
                                 content_type="application/json").status_code == 400
    assert client_as_admin.delete(f"/api/v1/webhooks/{hook_id}/").status_code == 204


def test_the_api_refuses_private_targets_by_field(client_as_admin, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    response = client_as_admin.post("/api/v1/webhooks/", {"workspace": "acme", "url": "http://127.0.0.1/",
                                                          "events": ["feature.created"]}, content_type=JSON)
    assert response.status_code == 400 and "url" in response.json()


def test_editors_neither_see_nor_register_webhooks(client_as_editor, hook, receiver):
    assert client_as_editor.get("/api/v1/webhooks/").json()["count"] == 0
    assert client_as_editor.get(f"/api/v1/webhooks/{hook.pk}/").status_code == 404
    response = client_as_editor.post("/api/v1/webhooks/", {"workspace": "acme", "url": receiver.url,
                                                           "events": ["feature.created"]}, content_type=JSON)
    assert response.status_code == 403


# --- a real worker ------------------------------------------------------------------------


@pytest.mark.worker
def test_a_real_worker_delivers_a_feature_change(transactional_db, admin, editor, workspace, product, workflow,
                                                 receiver):
    hook = webhooks.webhook_create(actor=admin, workspace=workspace, url=receiver.url, events=["feature.created"])
    celery_app.conf.task_always_eager = False
    try:
        with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
            release_services.feature_create(actor=editor, product=product, title="From the worker")
            deadline = time.monotonic() + 30
            while not receiver.requests and time.monotonic() < deadline:
                time.sleep(0.2)
            while not WebhookDelivery.objects.filter(state="succeeded").exists() and time.monotonic() < deadline:
                time.sleep(0.2)
    finally:
        celery_app.conf.task_always_eager = True

    assert receiver.events() == ["feature.created"]
    assert verify(hook.secret, receiver.requests[0])
    assert WebhookDelivery.objects.get().attempts.get().status_code == 200


def test_the_api_lists_cost_the_same_for_more_rows(client_as_admin, hook):
    def add(n):
        for _ in range(n):
            delivery = webhooks.webhook_ping(actor=hook.created_by, webhook=hook)
            WebhookAttempt.objects.create(delivery=delivery, attempted_at=delivery.created_at, status_code=500)

    add(1)
    client_as_admin.get("/api/v1/webhook-deliveries/")
    few = count_queries(lambda: client_as_admin.get("/api/v1/webhook-deliveries/"))
    hooks = count_queries(lambda: client_as_admin.get("/api/v1/webhooks/"))
    add(8)
    Webhook.objects.create(workspace=hook.workspace, url=hook.url, events=["feature.created"], secret="s")
    assert count_queries(lambda: client_as_admin.get("/api/v1/webhook-deliveries/")) == few
    assert count_queries(lambda: client_as_admin.get("/api/v1/webhooks/")) == hooks


def test_a_bulk_upsert_tells_of_each_created_and_changed_feature_in_one_dispatch(
        hook, receiver, editor, product, workflow, django_capture_on_commit_callbacks, monkeypatch):
    existing = FeatureFactory(product=product, status=workflow["Backlog"], title="Before", external_id="B-0")
    dispatched = []
    original = tasks.webhook_events_dispatch_task.apply_async
    monkeypatch.setattr(tasks.webhook_events_dispatch_task, "apply_async",
                        lambda args, **kw: dispatched.append(args) or original(args, **kw))

    with committed(django_capture_on_commit_callbacks):
        answers = release_services.feature_bulk_upsert(actor=editor, items=[
            (existing, {"title": "After"}),
            (None, {"product": product, "title": "New one", "external_id": "B-1"}),
            (None, {"product": product, "title": "New two", "external_id": "B-2"}),
        ])

    assert [answer[1] for answer in answers] == ["updated", "created", "created"]
    assert len(dispatched) == 1
    assert sorted(receiver.events()) == ["feature.changed", "feature.created", "feature.created"]
    bodies = [json.loads(r["body"]) for r in receiver.requests]
    assert {body["actor"]["email"] for body in bodies} == {editor.email}
    changed = next(body for body in bodies if body["event"] == "feature.changed")
    assert changed["data"]["changes"] == {"title": {"from": "Before", "to": "After"}}
