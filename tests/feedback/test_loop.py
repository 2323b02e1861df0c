"""Closing the loop: a feature that reaches a done status ships its linked ideas and tells
everyone who asked for them, once each, with a working unsubscribe link."""

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.urls import reverse

from feedback import services
from feedback.models import EmailOptOut, Idea, IdeaEvent, PortalUser, ShippedNotification
from feedback.tasks import features_shipped_task, idea_shipped_notify_task
from releases import services as release_services
from roadmap.celery import app as celery_app
from tests.factories import FeedbackNoteFactory, IdeaFactory, PortalUserFactory, VoteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shipped_status(workflow):
    return workflow["Shipped"]


@pytest.fixture
def promoted(editor, viewer, product, idea, other_idea, alice, bob, gina, gamma_inc, workflow):
    """Two ideas promoted to one feature; Alice voted for both, the viewer and a portal user
    voted, Bob submitted one, and Gina spoke about the feature in a note."""
    feature = services.idea_promote(actor=editor, idea=idea).feature
    services.idea_promote(actor=editor, idea=other_idea, feature=feature)
    Idea.objects.filter(pk=other_idea.pk).update(submitted_by_contact=bob)
    VoteFactory(idea=idea, contact=alice)
    VoteFactory(idea=other_idea, contact=alice)
    VoteFactory(idea=idea, user=viewer)
    VoteFactory(idea=idea, portal_user=PortalUserFactory(product=product, email="fan@outside.example"))
    FeedbackNoteFactory(product=product, customer=gamma_inc, contact=gina, features=[feature])
    mail.outbox.clear()
    return feature


EVERYONE = ["alice@acme.example", "bob@beta.example", "fan@outside.example", "gina@gamma.example",
            "viewer@acme.test"]


def _ship(editor, feature, status, callbacks):
    with callbacks(execute=True):
        release_services.feature_update(actor=editor, feature=feature, status=status)


def test_a_feature_moved_to_done_ships_its_ideas_and_emails_each_person_once(
        editor, promoted, shipped_status, idea, other_idea, django_capture_on_commit_callbacks):
    _ship(editor, promoted, shipped_status, django_capture_on_commit_callbacks)

    assert sorted(m.to[0] for m in mail.outbox) == EVERYONE
    for each in (idea, other_idea):
        each.refresh_from_db()
        assert each.status == Idea.Status.SHIPPED
        assert each.events.filter(kind=IdeaEvent.Kind.SHIPPED, feature=promoted).count() == 1
    message = mail.outbox[0]
    assert promoted.title in message.subject
    assert "/feedback/unsubscribe/" in message.body
    assert message.extra_headers["List-Unsubscribe"].startswith("<http://testserver/feedback/unsubscribe/")
    assert ShippedNotification.objects.filter(feature=promoted, sent_at__isnull=False).count() == 5


def test_running_the_task_again_emails_nobody_twice(editor, promoted, shipped_status,
                                                    django_capture_on_commit_callbacks):
    _ship(editor, promoted, shipped_status, django_capture_on_commit_callbacks)
    mail.outbox.clear()

    features_shipped_task([promoted.pk])

    assert mail.outbox == []


def test_a_feature_in_progress_ships_nothing(editor, promoted, workflow, idea, django_capture_on_commit_callbacks):
    _ship(editor, promoted, workflow["In development"], django_capture_on_commit_callbacks)

    assert mail.outbox == []
    idea.refresh_from_db()
    assert idea.status == Idea.Status.PLANNED


def test_people_who_unsubscribed_hear_nothing(editor, promoted, shipped_status, product,
                                              django_capture_on_commit_callbacks, client):
    token = services.unsubscribe_token(workspace_id=product.workspace_id, email="Alice@acme.example")
    assert client.post(reverse("feedback:unsubscribe", args=[token])).status_code == 200
    PortalUser.objects.filter(email="fan@outside.example").update(unsubscribed=True)

    _ship(editor, promoted, shipped_status, django_capture_on_commit_callbacks)

    assert sorted(m.to[0] for m in mail.outbox) == ["bob@beta.example", "gina@gamma.example", "viewer@acme.test"]


def test_a_deleted_feature_ships_nothing(editor, promoted):
    feature_id = promoted.pk
    release_services.feature_delete(actor=editor, feature=promoted)

    assert features_shipped_task([feature_id]) == []
    assert services.shipped_notices_send(feature_id=feature_id) == 0


def test_an_idea_shipped_by_hand_tells_its_voters(editor, product, alice, django_capture_on_commit_callbacks):
    idea = IdeaFactory(product=product)
    VoteFactory(idea=idea, contact=alice)

    with django_capture_on_commit_callbacks(execute=True):
        services.idea_status_set(actor=editor, idea=idea, status=Idea.Status.SHIPPED, note="In 4.2")
    idea_shipped_notify_task(idea.pk)

    assert [m.to for m in mail.outbox] == [["alice@acme.example"]]
    assert "In 4.2" in mail.outbox[0].body


def test_a_failed_send_leaves_the_notices_for_the_retry(editor, promoted, shipped_status, settings):
    from releases.models import Feature

    Feature.objects.filter(pk=promoted.pk).update(status=shipped_status)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 1

    with pytest.raises(OSError):
        services.shipped_notices_send(feature_id=promoted.pk)

    assert not ShippedNotification.objects.filter(sent_at__isnull=False).exists()


@pytest.mark.worker
def test_a_real_worker_closes_the_loop_once_per_person(transactional_db, editor, promoted, shipped_status):
    from releases.models import Feature

    Feature.objects.filter(pk=promoted.pk).update(status=shipped_status)
    celery_app.conf.task_always_eager = False
    try:
        with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
            features_shipped_task.delay([promoted.pk]).get(timeout=30)
            features_shipped_task.delay([promoted.pk]).get(timeout=30)
    finally:
        celery_app.conf.task_always_eager = True
    assert sorted(m.to[0] for m in mail.outbox) == EVERYONE


# --- unsubscribing ----------------------------------------------------------------------------


def test_the_unsubscribe_page_asks_then_unsubscribes(client, workspace, product):
    portal_user = PortalUserFactory(product=product, email="fan@outside.example")
    url = reverse("feedback:unsubscribe", args=[
        services.unsubscribe_token(workspace_id=workspace.pk, email="fan@outside.example")])

    page = client.get(url)
    assert page.status_code == 200
    assert b"fan@outside.example" in page.content
    assert not EmailOptOut.objects.exists()

    client.post(url)
    client.post(url)  # a second click changes nothing
    assert EmailOptOut.objects.get().email == "fan@outside.example"
    portal_user.refresh_from_db()
    assert portal_user.unsubscribed


def test_a_forged_unsubscribe_link_is_not_found(client):
    response = client.post(reverse("feedback:unsubscribe", args=["forged-token"]))
    assert response.status_code == 404
    assert not EmailOptOut.objects.exists()


def test_people_behind_a_declined_idea_of_the_feature_are_not_told_it_shipped(
        editor, promoted, shipped_status, other_idea, django_capture_on_commit_callbacks):
    Idea.objects.filter(pk=other_idea.pk).update(status=Idea.Status.DECLINED)

    _ship(editor, promoted, shipped_status, django_capture_on_commit_callbacks)

    other_idea.refresh_from_db()
    assert other_idea.status == Idea.Status.DECLINED
    # Bob only submitted the declined idea; Alice voted for both and still hears.
    assert "bob@beta.example" not in [m.to[0] for m in mail.outbox]
    assert "alice@acme.example" in [m.to[0] for m in mail.outbox]
