"""Shared fixtures: one workspace with an admin, an editor and a viewer, and a second
workspace nobody of the first belongs to, for isolation tests."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

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


def count_queries(call) -> int:
    with CaptureQueriesContext(connection) as ctx:
        call()
    return len(ctx)


@pytest.fixture
def workflow(workspace):
    """The default workflow of the `workspace` fixture (factories skip workspace_create)."""
    from releases.services import workflow_defaults_create

    return {status.name: status for status in workflow_defaults_create(workspace=workspace)}
