"""POST /api/v1/events: authentication by ingest key, the batch limits, per-event checks by
index, duplicates, and the write (events and their dirty days in one transaction); and the
ingest keys' service (create, rotate with a grace period, revoke at once)."""

import json
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from roadmap.models import IngestKey, UsageDirtyDay, UsageEvent
from roadmap.services import ingest_keys, usage

from ..factories import IngestKeyFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/events"


@pytest.fixture
def key(product):
    raw = ingest_keys.new_key()
    IngestKeyFactory(product=product, key=raw)
    return raw


def event(n: int = 0, **changes) -> dict:
    base = {"id": f"evt-{n}", "name": "page_viewed", "user_id": f"user-{n % 3}", "session_id": f"s-{n % 2}",
            "timestamp": (timezone.now() - timedelta(minutes=5)).isoformat()}
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def post(client, key, body, **headers):
    data = body if isinstance(body, bytes | str) else json.dumps(body)
    return client.post(URL, data=data, content_type="application/json",
                       headers={"Authorization": f"Bearer {key}", **headers})


def stored(product) -> int:
    return UsageEvent.objects.filter(product=product).count()


def test_a_good_batch_is_stored_and_marks_its_day_dirty(client, product, key):
    response = post(client, key, {"events": [event(n) for n in range(5)]})

    assert response.status_code == 200
    assert response.json() == {"accepted": 5, "duplicates": 0, "rejected": []}
    assert stored(product) == 5
    assert list(UsageDirtyDay.objects.filter(product=product).values_list("day", flat=True)) == [
        timezone.localdate(timezone.now() - timedelta(minutes=5))]
    assert response["Access-Control-Allow-Origin"] == "*"


def test_bad_events_are_reported_by_index_and_the_good_ones_kept(client, product, key):
    batch = [
        event(0),
        event(1, name=None),
        event(2, user_id=None),
        event(3, timestamp="yesterday"),
        event(4, feature_key="CSV Export"),
        event(5, properties={"blob": "x" * 9000}),
        event(6, feature_key="csv-export", properties={"format": "csv"}),
        "not an object",
        event(8, timestamp="2026-12-07T10:00:00"),
    ]

    response = post(client, key, {"events": batch})

    body = response.json()
    assert response.status_code == 400
    assert (body["accepted"], body["duplicates"]) == (2, 0)
    reasons = {item["index"]: item["errors"] for item in body["rejected"]}
    assert set(reasons) == {1, 2, 3, 4, 5, 7, 8}
    assert list(reasons[1]) == ["name"]
    assert reasons[2] == {"user_id": ["Send a user_id or an anonymous_id."]}
    assert "ISO-8601" in reasons[3]["timestamp"][0]
    assert "slug" in reasons[4]["feature_key"][0]
    assert "8192 bytes" in reasons[5]["properties"][0]
    assert "object" in reasons[7]["non_field_errors"][0]
    assert "offset" in reasons[8]["timestamp"][0]
    assert sorted(UsageEvent.objects.filter(product=product).values_list("event_id", flat=True)) == ["evt-0", "evt-6"]
    assert UsageEvent.objects.get(event_id="evt-6").properties == {"format": "csv"}


def test_properties_nested_too_deep_reject_their_event_only(client, product, key, settings):
    deep: dict = {}
    inner = deep
    for _level in range(settings.JSON_MAX_DEPTH):
        inner["a"] = {}
        inner = inner["a"]

    body = post(client, key, {"events": [event(0, properties=deep), event(1, properties={"a": {"b": [1]}})]}).json()

    assert body["accepted"] == 1
    assert "Nested more than" in body["rejected"][0]["errors"]["properties"][0]


def test_an_anonymous_visitor_counts_without_a_user_id(client, product, key):
    response = post(client, key, {"events": [event(0, user_id=None, anonymous_id="anon-1")]})

    assert response.json()["accepted"] == 1


def test_timestamps_far_in_the_future_or_past_retention_are_refused(client, product, key, settings):
    settings.USAGE_EVENT_RETENTION_DAYS = 30
    now = timezone.now()
    batch = [event(0, timestamp=(now + timedelta(hours=25)).isoformat()),
             event(1, timestamp=(now + timedelta(hours=23)).isoformat()),
             event(2, timestamp=(now - timedelta(days=31)).isoformat())]

    body = post(client, key, {"events": batch}).json()

    assert body["accepted"] == 1
    assert [item["index"] for item in body["rejected"]] == [0, 2]
    assert "future" in body["rejected"][0]["errors"]["timestamp"][0]
    assert "30 days" in body["rejected"][1]["errors"]["timestamp"][0]


def test_a_retried_event_is_ignored_as_a_duplicate(client, product, key):
    batch = {"events": [event(0), event(1)]}
    post(client, key, batch)

    twice = event(2)
    again = post(client, key, {"events": [*batch["events"], twice, twice]})

    assert again.json() == {"accepted": 1, "duplicates": 3, "rejected": []}
    assert stored(product) == 3


def test_the_same_id_at_another_moment_is_another_event(client, product, key):
    post(client, key, {"events": [event(0)]})

    body = post(client, key, {"events": [event(0, timestamp=timezone.now().isoformat())]}).json()

    assert body["accepted"] == 1


def test_events_without_an_id_get_one(client, product, key):
    body = post(client, key, {"events": [event(0, id=None), event(0, id=None)]}).json()

    assert body["accepted"] == 2
    assert len(set(UsageEvent.objects.filter(product=product).values_list("event_id", flat=True))) == 2


def test_more_than_a_thousand_events_is_413_and_nothing_is_stored(client, product, key):
    response = post(client, key, {"events": [event(n) for n in range(1001)]})

    assert response.status_code == 413
    assert "at most 1000" in response.json()["detail"]
    assert stored(product) == 0


def test_a_thousand_events_fit(client, product, key):
    response = post(client, key, {"events": [event(n) for n in range(1000)]})

    assert response.json()["accepted"] == 1000


def test_an_oversized_body_is_413(client, product, key, settings):
    settings.USAGE_INGEST_MAX_BYTES = 2000
    response = post(client, key, {"events": [event(n) for n in range(30)]})

    assert response.status_code == 413
    assert "larger than 2000 bytes" in response.json()["detail"]
    assert stored(product) == 0


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b'{"events": {"name": "x"}}', b'{"rows": []}'])
def test_a_body_that_is_not_a_batch_is_400(client, product, key, body):
    response = post(client, key, body)

    assert response.status_code == 400
    assert response.json()["detail"]
    assert stored(product) == 0


def test_an_unpaired_surrogate_rejects_only_its_event(client, product, key):
    bad = json.dumps(event(1)).replace("page_viewed", "\\ud800")
    body = f'{{"events": [{json.dumps(event(0))}, {bad}]}}'

    response = post(client, key, body)

    assert response.json()["accepted"] == 1
    assert [item["index"] for item in response.json()["rejected"]] == [1]


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer wmk_not-a-key", "Basic abc", "Bearer a b"])
def test_a_missing_or_unknown_key_is_401(client, product, header):
    headers = {"Authorization": header} if header else {}
    response = client.post(URL, data=json.dumps({"events": [event(0)]}), content_type="application/json",
                           headers=headers)

    assert response.status_code == 401
    assert response.json()["detail"]
    assert stored(product) == 0


def test_a_revoked_key_stops_at_once(client, product, admin, key):
    assert post(client, key, {"events": [event(0)]}).status_code == 200
    record = IngestKey.objects.get(product=product)

    ingest_keys.ingest_key_revoke(actor=admin, key=record)

    response = post(client, key, {"events": [event(1)]})
    assert response.status_code == 401
    assert stored(product) == 1


def test_a_rotated_key_works_through_its_grace_period_then_stops(client, product, admin, key, settings):
    old = IngestKey.objects.get(product=product)

    new, raw = ingest_keys.ingest_key_rotate(actor=admin, key=old)

    assert post(client, key, {"events": [event(0)]}).status_code == 200
    assert post(client, raw, {"events": [event(1)]}).status_code == 200
    IngestKey.objects.filter(pk=old.pk).update(revoked_at=timezone.now() - timedelta(seconds=1))
    assert post(client, key, {"events": [event(2)]}).status_code == 401
    assert new.name == old.name


def test_a_key_writes_only_to_its_own_product(client, product, other_product, key):
    other_key = ingest_keys.new_key()
    IngestKeyFactory(product=other_product, key=other_key)

    post(client, other_key, {"events": [event(0)]})
    post(client, key, {"events": [event(0, id="mine")]})

    assert list(UsageEvent.objects.filter(product=other_product).values_list("event_id", flat=True)) == ["evt-0"]
    assert list(UsageEvent.objects.filter(product=product).values_list("event_id", flat=True)) == ["mine"]


def test_last_used_is_recorded_once_a_minute(client, product, key):
    post(client, key, {"events": [event(0)]})
    first = IngestKey.objects.get(product=product).last_used_at
    post(client, key, {"events": [event(1)]})

    assert first is not None
    assert IngestKey.objects.get(product=product).last_used_at == first


def test_a_preflight_needs_no_key(client):
    response = client.options(URL, headers={"Origin": "https://app.example", "Access-Control-Request-Method": "POST"})

    assert response.status_code == 204
    assert "Authorization" in response["Access-Control-Allow-Headers"]


def test_a_month_without_a_partition_gets_one_at_ingest(client, product, key):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS roadmap_usage_event_p{timezone.now():%Y%m}")

    response = post(client, key, {"events": [event(0, timestamp=timezone.now().isoformat())]})

    assert response.json()["accepted"] == 1
    assert f"roadmap_usage_event_p{timezone.now():%Y%m}" in [name for name, _ in usage.usage_partitions()]


# --- keys -----------------------------------------------------------------------------------------


def test_only_admins_manage_keys(product, admin, editor, viewer):
    created, raw = ingest_keys.ingest_key_create(actor=admin, product=product, name="Web app")

    assert raw.startswith("wmk_") and created.key_prefix == raw[:12]
    assert created.key_digest == ingest_keys.key_digest(raw) and raw not in created.key_digest
    for someone in (editor, viewer):
        with pytest.raises(PermissionDenied):
            ingest_keys.ingest_key_create(actor=someone, product=product, name="Mine")
        with pytest.raises(PermissionDenied):
            ingest_keys.ingest_key_revoke(actor=someone, key=created)
        with pytest.raises(PermissionDenied):
            ingest_keys.ingest_key_rotate(actor=someone, key=created)
    assert IngestKey.objects.count() == 1


def test_an_admin_of_another_workspace_cannot_make_keys_here(product, other_workspace):
    stranger = other_workspace.memberships.get().user

    with pytest.raises(PermissionDenied):
        ingest_keys.ingest_key_create(actor=stranger, product=product, name="Sneaky")


def test_a_key_needs_a_name(product, admin):
    with pytest.raises(ValidationError):
        ingest_keys.ingest_key_create(actor=admin, product=product, name="  ")


def test_a_revoked_key_cannot_be_rotated(product, admin):
    created, _raw = ingest_keys.ingest_key_create(actor=admin, product=product, name="Web app")
    ingest_keys.ingest_key_revoke(actor=admin, key=created)

    with pytest.raises(ValidationError):
        ingest_keys.ingest_key_rotate(actor=admin, key=created)
