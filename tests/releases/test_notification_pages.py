"""The inbox and the notification pages as a person meets them: the bell's count, the inbox
(unread first, filter, mark read by htmx, mark all, opening marks read, pages, flat queries),
following a feature, the email choices on the account page, one-click unsubscribing, and
the API."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from releases import services
from releases.models import Notification, NotificationSettings

from ..api_urls import api_url
from ..conftest import count_queries

pytestmark = pytest.mark.django_db


def inbox_url(query: str = "") -> str:
    return reverse("releases:inbox", args=["acme"]) + (f"?{query}" if query else "")


def assign(editor, viewer, product, count: int, start: int = 0) -> None:
    for i in range(start, start + count):
        services.feature_create(actor=editor, product=product, title=f"Feature {i}", assignee=viewer)


def test_the_bell_shows_the_unread_count(client_as_viewer, editor, viewer, product, workflow):
    assign(editor, viewer, product, 3)

    page = client_as_viewer.get(reverse("releases:my_work", args=["acme"])).content.decode()

    assert "Inbox, 3 unread" in page


def test_the_inbox_lists_unread_first_and_says_who_did_what(client_as_viewer, editor, viewer, product, workflow):
    assign(editor, viewer, product, 2)
    services.notification_mark_read(actor=viewer, notification=Notification.objects.order_by("id").first())

    page = client_as_viewer.get(inbox_url()).content.decode()

    assert page.index(">Unread<") < page.index("Feature 1") < page.index(">Read<") < page.index("Feature 0")
    assert f"{editor.display_name}</span>\n      assigned you" in page


def test_the_empty_inbox_says_what_will_arrive(client_as_viewer):
    page = client_as_viewer.get(inbox_url()).content.decode()

    assert "Your inbox is empty" in page and "@mentions you" in page


def test_the_inbox_filters_by_kind(client_as_viewer, editor, admin, viewer, product, workflow):
    assign(editor, viewer, product, 1)
    feature = services.feature_create(actor=admin, product=product, title="Mine", assignee=viewer)
    services.comment_create(actor=editor, feature=feature, body="Nice one")

    page = client_as_viewer.get(inbox_url("kind=comment")).content.decode()

    assert "Nice one" in page and "Feature 0" not in page


def test_someone_else_sees_nothing_of_my_inbox(client_as_editor, editor, viewer, product, workflow):
    assign(editor, viewer, product, 1)
    notification = Notification.objects.get()

    assert "Feature 0" not in client_as_editor.get(inbox_url()).content.decode()
    response = client_as_editor.post(reverse("releases:notification_read", args=["acme", notification.pk]))
    assert response.status_code == 404


def test_marking_one_read_with_htmx_answers_its_row(client_as_viewer, editor, viewer, product, workflow):
    assign(editor, viewer, product, 1)
    notification = Notification.objects.get()

    response = client_as_viewer.post(reverse("releases:notification_read", args=["acme", notification.pk]),
                                     HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<li class="inbox-item inbox-item--read"') and "<html" not in body
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_mark_all_read_and_the_bell_goes_quiet(client_as_viewer, editor, viewer, product, workflow):
    assign(editor, viewer, product, 3)

    response = client_as_viewer.post(reverse("releases:notifications_read_all", args=["acme"]), follow=True)

    assert not Notification.objects.filter(read_at__isnull=True).exists()
    assert "Inbox, 3 unread" not in response.content.decode()


def test_opening_a_notification_marks_it_read_and_goes_to_the_feature(client_as_viewer, editor, viewer, product,
                                                                      workflow):
    assign(editor, viewer, product, 1)
    notification = Notification.objects.get()

    response = client_as_viewer.get(reverse("releases:notification_open", args=["acme", notification.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("releases:feature_detail", args=["acme", "MOB", 1])
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_the_inbox_is_paginated(client_as_viewer, editor, viewer, product, workflow):
    assign(editor, viewer, product, 35)

    first = client_as_viewer.get(inbox_url()).content.decode()
    second = client_as_viewer.get(inbox_url("page=2")).content.decode()

    assert "Page 1 of 2" in first and first.count('class="inbox-item ') == 30
    assert second.count('class="inbox-item ') == 5


def test_the_inbox_queries_do_not_grow_with_notifications(client_as_viewer, editor, viewer, product, workflow):
    assign(editor, viewer, product, 2)
    client_as_viewer.get(inbox_url())
    few = count_queries(lambda: client_as_viewer.get(inbox_url()))

    assign(editor, viewer, product, 25, start=2)
    client_as_viewer.get(inbox_url())  # the bell's count is read again once after the change
    many = count_queries(lambda: client_as_viewer.get(inbox_url()))

    assert many == few


def test_following_a_feature_from_its_page(client_as_viewer, viewer, product, editor, workflow):
    services.feature_create(actor=editor, product=product, title="Dark mode")
    page = reverse("releases:feature_detail", args=["acme", "MOB", 1])
    assert "Follow</button>" in client_as_viewer.get(page).content.decode()

    response = client_as_viewer.post(reverse("releases:feature_follow", args=["acme", "MOB", 1]),
                                     {"following": "1"}, HTTP_HX_REQUEST="true")

    assert response.status_code == 200 and "Following</button>" in response.content.decode()
    assert "Following</button>" in client_as_viewer.get(page).content.decode()


def test_the_account_page_saves_the_email_choices(client_as_viewer, viewer):
    account = reverse("strategy:account")
    assert 'id="notifications"' in client_as_viewer.get(account).content.decode()

    response = client_as_viewer.post(reverse("releases:notification_settings"),
                                     {"mention": "daily", "assigned": "off", "status": "immediate", "comment": "off"})

    assert response.status_code == 302 and response["Location"] == account + "#notifications"
    saved = NotificationSettings.objects.get(user=viewer)
    assert (saved.mention, saved.assigned, saved.status, saved.comment) == ("daily", "off", "immediate", "off")


def test_a_wrong_email_choice_is_named(client_as_viewer, viewer):
    response = client_as_viewer.post(reverse("releases:notification_settings"),
                                     {"mention": "hourly", "assigned": "off", "status": "off", "comment": "off"})

    assert response.status_code == 400 and "hourly is not one of the available choices" in response.content.decode()
    assert not NotificationSettings.objects.exists()


# --- unsubscribing without signing in ---------------------------------------------------------


def test_the_unsubscribe_link_asks_first_then_unsubscribes(client, viewer):
    link = reverse("releases:notifications_unsubscribe", args=[
        services.unsubscribe_token(user_id=viewer.pk, kind="status")])

    asked = client.get(link)
    assert asked.status_code == 200 and "Stop emails to" in asked.content.decode()
    assert not NotificationSettings.objects.exists()

    done = client.post(link)
    assert done.status_code == 200 and "You are unsubscribed" in done.content.decode()
    assert NotificationSettings.objects.get(user=viewer).status == "off"


def test_a_mail_clients_one_click_post_needs_no_csrf_token(viewer):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    link = reverse("releases:notifications_unsubscribe", args=[
        services.unsubscribe_token(user_id=viewer.pk, kind="all")])

    response = client.post(link, {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    assert NotificationSettings.objects.get(user=viewer).mention == "off"


def test_a_broken_unsubscribe_link_is_not_found(client, viewer):
    link = reverse("releases:notifications_unsubscribe", args=["not-a-token"])

    assert client.post(link).status_code == 404
    assert not NotificationSettings.objects.exists()


# --- the API ---------------------------------------------------------------------------------


@pytest.fixture
def api(viewer):
    client = APIClient()
    client.force_authenticate(viewer)
    return client


def test_the_api_lists_my_notifications_and_filters_unread(api, editor, viewer, product, workflow):
    assign(editor, viewer, product, 2)
    services.notification_mark_read(actor=viewer, notification=Notification.objects.order_by("id").first())

    everything = api.get(api_url("releases-api:notification-list")).json()
    unread = api.get(api_url("releases-api:notification-list", query="unread=true")).json()

    assert everything["count"] == 2
    assert [n["feature"]["key"] for n in unread["results"]] == ["MOB-2"]
    assert unread["results"][0]["kind"] == "assigned" and unread["results"][0]["actor"]["email"] == editor.email


def test_the_api_refuses_an_unknown_kind_by_field(api):
    response = api.get(api_url("releases-api:notification-list", query="kind=gossip"))

    assert response.status_code == 400 and "kind" in response.json()


def test_the_api_marks_one_and_all_read(api, editor, viewer, product, workflow):
    assign(editor, viewer, product, 3)
    first = Notification.objects.order_by("id").first()

    one = api.post(api_url("releases-api:notification-read", args=[first.pk]))
    rest = api.post(api_url("releases-api:notification-read-all"), {}, format="json")

    assert one.status_code == 200 and one.json()["read_at"]
    assert rest.json() == {"marked": 2}
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_the_api_hides_someone_elses_notification(editor, viewer, product, workflow):
    assign(editor, viewer, product, 1)
    client = APIClient()
    client.force_authenticate(editor)

    response = client.post(api_url("releases-api:notification-read", args=[Notification.objects.get().pk]))

    assert response.status_code == 404


def test_the_api_reads_and_changes_my_email_choices(api, viewer):
    address = api_url("releases-api:notification-settings")
    assert api.get(address).json() == {"mention": "immediate", "assigned": "immediate", "status": "daily",
                                       "comment": "daily"}

    changed = api.patch(address, {"status": "off"}, format="json")
    bad = api.patch(address, {"mention": "hourly"}, format="json")

    assert changed.json()["status"] == "off" and changed.json()["mention"] == "immediate"
    assert bad.status_code == 400 and "mention" in bad.json()


def test_the_api_list_queries_do_not_grow(api, editor, viewer, product, workflow):
    assign(editor, viewer, product, 2)
    few = count_queries(lambda: api.get(api_url("releases-api:notification-list")))
    assign(editor, viewer, product, 20, start=2)

    assert count_queries(lambda: api.get(api_url("releases-api:notification-list"))) == few
