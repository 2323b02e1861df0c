"""Queueing a task after commit, with the broker reachable and with it down."""

import pytest
from django.conf import settings
from django.core import mail

from strategy import tasks
from strategy.background import queue_after_commit
from tests.factories import InvitationFactory

pytestmark = pytest.mark.django_db


def test_a_task_is_queued_only_when_the_transaction_commits(workspace, django_capture_on_commit_callbacks):
    invitation = InvitationFactory(workspace=workspace)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        queue_after_commit(tasks.invitation_email_send_task, invitation.pk)
        assert not mail.outbox

    assert len(callbacks) == 1
    assert mail.outbox[0].to == [invitation.email]


def test_a_down_broker_is_logged_not_raised(workspace, broker_down, caplog, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        queue_after_commit(tasks.invitation_email_send_task, 123)

    assert "Broker unreachable: strategy.tasks.invitation_email_send_task(123,) was not queued" in caplog.text


def test_publishing_gives_up_after_a_few_short_retries():
    """A request that queues a task waits at most about a second for a broker that is down."""
    policy = settings.CELERY_TASK_PUBLISH_RETRY_POLICY
    assert policy["max_retries"] * policy["interval_max"] + policy["interval_start"] <= 1
    assert settings.CELERY_BROKER_CONNECTION_TIMEOUT <= 2
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["socket_connect_timeout"] <= 2
