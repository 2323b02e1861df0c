"""The mention email task: called directly with an id, through `.delay`, and once through a
real Celery worker and Redis; and the sweep that sends what the broker could not take."""

import importlib
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail

from releases import services
from releases.models import Comment, Mention
from releases.tasks import comment_mention_email_task, mention_emails_sweep_task
from roadmap.celery import app as celery_app

pytestmark = pytest.mark.django_db


@pytest.fixture
def feature(editor, product):
    return services.feature_create(actor=editor, product=product, title="Saved carts")


def mention(author, feature, body="@editor, can you look?"):
    return services.comment_create(actor=author, feature=feature, body=body)


def test_the_task_emails_everyone_mentioned(viewer, editor, admin, feature):
    comment = mention(viewer, feature, "@editor and @admin@acme.test: please look")
    mail.outbox.clear()

    comment_mention_email_task(comment.pk)

    assert sorted(m.to[0] for m in mail.outbox) == ["admin@acme.test", "editor@acme.test"]
    assert all("MOB-1 Saved carts" in m.subject for m in mail.outbox)


def test_the_task_for_a_deleted_comment_does_nothing(viewer, editor, feature):
    comment = mention(viewer, feature)
    comment_id = comment.pk
    Comment.objects.filter(pk=comment_id).delete()
    mail.outbox.clear()

    comment_mention_email_task(comment_id)

    assert mail.outbox == []


def test_the_task_for_a_comment_of_a_deleted_feature_does_nothing(viewer, editor, feature):
    comment = mention(viewer, feature)
    services.feature_delete(actor=editor, feature=feature)
    mail.outbox.clear()

    comment_mention_email_task(comment.pk)

    assert mail.outbox == []


def test_a_comment_whose_author_left_is_signed_by_someone(viewer, editor, feature):
    comment = mention(viewer, feature)
    Comment.objects.filter(pk=comment.pk).update(author=None)
    mail.outbox.clear()

    comment_mention_email_task(comment.pk)

    assert [m.subject for m in mail.outbox] == ["Someone mentioned you on MOB-1 Saved carts"]


def test_the_task_runs_through_delay(viewer, editor, feature):
    comment = mention(viewer, feature)
    mail.outbox.clear()

    result = comment_mention_email_task.delay(comment.pk)

    assert result.successful()
    assert [m.to for m in mail.outbox] == [["editor@acme.test"]]


def test_a_comment_queues_the_task_after_commit(viewer, editor, feature, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        mention(viewer, feature)
    assert len(callbacks) == 2  # the email task, and forgetting the inbox's unread count
    assert [m.to for m in mail.outbox] == [["editor@acme.test"]]


@pytest.mark.worker
def test_a_real_worker_sends_the_mention_email(transactional_db, viewer, editor, feature):
    comment = Comment.objects.create(feature=feature, author=viewer, body="@editor, can you look?")
    comment.mentions.set([editor])
    mail.outbox.clear()
    celery_app.conf.task_always_eager = False
    try:
        with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
            comment_mention_email_task.delay(comment.pk).get(timeout=30)
    finally:
        celery_app.conf.task_always_eager = True
    assert [m.to for m in mail.outbox] == [["editor@acme.test"]]


def test_running_the_task_twice_emails_each_person_once(viewer, editor, feature):
    comment = mention(viewer, feature)
    mail.outbox.clear()

    comment_mention_email_task(comment.pk, editor.pk)
    comment_mention_email_task(comment.pk, editor.pk)

    assert [m.to for m in mail.outbox] == [["editor@acme.test"]]
    assert Mention.objects.get().emailed_at is not None


def test_a_failed_send_leaves_the_mention_for_the_retry(viewer, editor, feature, settings):
    comment = mention(viewer, feature)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 1

    with pytest.raises(OSError):
        services.comment_mention_email_send(comment_id=comment.pk, user_id=editor.pk)

    assert Mention.objects.get().emailed_at is None


def test_mentions_saved_while_the_broker_was_down_are_emailed_by_the_sweep(
        viewer, editor, feature, broker_down, caplog, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        comment = mention(viewer, feature)
    assert "was not queued" in caplog.text
    assert mail.outbox == []
    broker_down.conf.update(task_always_eager=True)  # Redis is back: the sweep's tasks run
    later = comment.created_at + timedelta(minutes=6)

    with django_capture_on_commit_callbacks(execute=True):
        queued = services.mention_emails_sweep(now=later)
    with django_capture_on_commit_callbacks(execute=True):
        queued_again = services.mention_emails_sweep(now=later)

    assert (queued, queued_again) == (1, 0)
    assert [m.to for m in mail.outbox] == [["editor@acme.test"]]


def test_the_sweep_leaves_fresh_and_old_mentions_alone(viewer, editor, feature):
    comment = mention(viewer, feature)

    assert services.mention_emails_sweep(now=comment.created_at + timedelta(minutes=1)) == 0
    assert services.mention_emails_sweep(now=comment.created_at + timedelta(days=3)) == 0
    assert mail.outbox == []


def test_the_sweep_runs_every_five_minutes_from_beat(viewer, editor, feature):
    entry = celery_app.conf.beat_schedule["mention-emails-sweep"]

    assert entry["task"] == mention_emails_sweep_task.name
    assert entry["schedule"] == 300.0


def test_upgrading_marks_mentions_made_before_the_sweep_existed_as_emailed(viewer, editor, feature):
    from django.apps import apps

    migration = importlib.import_module("releases.migrations.0004_mention_emails")
    comment = mention(viewer, feature)

    migration.mark_earlier_mentions_emailed(apps, None)

    assert Mention.objects.get().emailed_at == comment.created_at
    assert services.mention_emails_sweep(now=comment.created_at + timedelta(minutes=6)) == 0
