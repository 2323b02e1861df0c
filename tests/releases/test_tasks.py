"""The mention email task: called directly with an id, through `.delay`, and once through a
real Celery worker and Redis."""

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail

from releases import services
from releases.models import Comment
from releases.tasks import comment_mention_email_task
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
    assert len(callbacks) == 1
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
