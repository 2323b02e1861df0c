"""Shared fixtures: one workspace with an admin, an editor and a viewer, and a second
workspace nobody of the first belongs to, for isolation tests."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from strategy.models import Role

from .factories import MembershipFactory, ProductFactory, UserFactory, WorkspaceFactory


@pytest.fixture
def workspace(db):
    return WorkspaceFactory(name="Acme", slug="acme")


@pytest.fixture
def other_workspace(db):
    other = WorkspaceFactory(name="Globex", slug="globex")
    MembershipFactory(workspace=other, user=UserFactory(email="boss@globex.test"), role=Role.ADMIN)
    return other


def _member(workspace, role, email):
    return MembershipFactory(workspace=workspace, user=UserFactory(email=email), role=role).user


@pytest.fixture
def admin(workspace):
    return _member(workspace, Role.ADMIN, "admin@acme.test")


@pytest.fixture
def editor(workspace):
    return _member(workspace, Role.EDITOR, "editor@acme.test")


@pytest.fixture
def viewer(workspace):
    return _member(workspace, Role.VIEWER, "viewer@acme.test")


@pytest.fixture
def product(workspace):
    return ProductFactory(workspace=workspace, name="Mobile App", key="MOB")


@pytest.fixture
def other_product(other_workspace):
    return ProductFactory(workspace=other_workspace, name="Secret Plans", key="SEC")


def _logged_in(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def client_as_admin(client, admin):
    return _logged_in(client, admin)


@pytest.fixture
def client_as_editor(client, editor):
    return _logged_in(client, editor)


@pytest.fixture
def client_as_viewer(client, viewer):
    return _logged_in(client, viewer)


@pytest.fixture
def today():
    """Today's date, read when the test starts: a date taken once at import would be
    yesterday's for tests that run after midnight."""
    return timezone.localdate()


def count_queries(call) -> int:
    with CaptureQueriesContext(connection) as ctx:
        call()
    return len(ctx)


@pytest.fixture
def workflow(workspace):
    """The default workflow of the `workspace` fixture (factories skip workspace_create)."""
    from releases.services import workflow_defaults_create

    return {status.name: status for status in workflow_defaults_create(workspace=workspace)}


def _drop_broker_connections(app) -> None:
    # Celery keeps its connection pool, its producer pool (made on the first publish, even in
    # eager mode) and its result backend; each would go on talking to the Redis it started with.
    app._pool = None
    app.amqp._producer_pool = None
    app._backend_cache = None
    app._local.__dict__.pop("backend", None)


@pytest.fixture
def broker_down():
    """The Celery app with its broker and result store on a closed local port, as when Redis
    is down. Its connections are dropped before and after, so that neither the working Redis
    nor the broken one leaks across the switch."""
    from roadmap.celery import app

    saved = {name: app.conf[name] for name in ("broker_url", "result_backend", "task_always_eager")}
    _drop_broker_connections(app)
    app.conf.update(broker_url="redis://127.0.0.1:1/0", result_backend="redis://127.0.0.1:1/0",
                    task_always_eager=False)
    try:
        yield app
    finally:
        _drop_broker_connections(app)
        app.conf.update(saved)
