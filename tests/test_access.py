"""The policy table, tested over every rule and role."""

import pytest

from strategy import access
from strategy.models import Role

from .factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

EXPECTED = {
    "workspace.manage": {Role.ADMIN},
    "products.edit": {Role.ADMIN, Role.EDITOR},
    "strategy.edit": {Role.ADMIN, Role.EDITOR},
    "releases.edit": {Role.ADMIN, Role.EDITOR},
    "releases.comment": {Role.ADMIN, Role.EDITOR, Role.VIEWER},
    "share_links.manage": {Role.ADMIN, Role.EDITOR},
    "ingest_keys.manage": {Role.ADMIN},
}


def test_every_rule_has_an_expectation():
    assert set(access.RULES) == set(EXPECTED)


@pytest.mark.parametrize("action", sorted(EXPECTED))
@pytest.mark.parametrize("role", list(Role))
def test_roles_may_do_exactly_what_the_rules_allow(workspace, action, role):
    user = MembershipFactory(workspace=workspace, role=role).user
    assert access.can(user, action, workspace) is (role in EXPECTED[action])


@pytest.mark.parametrize("action", sorted(EXPECTED))
def test_non_members_may_do_nothing(workspace, other_workspace, action):
    outsider = MembershipFactory(workspace=other_workspace, role=Role.ADMIN).user
    assert access.can(outsider, action, workspace) is False


def test_rules_apply_to_objects_through_their_workspace(product, editor, viewer):
    assert access.can(editor, "products.edit", product)
    assert not access.can(viewer, "products.edit", product)


def test_anonymous_users_may_do_nothing(workspace):
    from django.contrib.auth.models import AnonymousUser

    assert access.can(AnonymousUser(), "products.edit", workspace) is False


def test_roles_are_loaded_once_per_user_object(workspace, django_assert_num_queries):
    user = UserFactory()
    MembershipFactory(workspace=workspace, user=user, role=Role.EDITOR)
    with django_assert_num_queries(1):
        for action in EXPECTED:
            access.can(user, action, workspace)
