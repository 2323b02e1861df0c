import re

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from strategy import services
from strategy.models import ApiToken, Invitation, Membership, Product, Role, User, Workspace

from ..factories import InvitationFactory, MembershipFactory, ProductFactory, UserFactory

pytestmark = pytest.mark.django_db


# --- workspaces and members -------------------------------------------------


def test_creating_a_workspace_makes_the_creator_its_admin():
    user = UserFactory()
    workspace = services.workspace_create(actor=user, name="  Initech  ")
    assert workspace.name == "Initech"
    assert workspace.slug == "initech"
    assert Membership.objects.get(workspace=workspace, user=user).role == Role.ADMIN


def test_workspace_slugs_stay_unique():
    first = services.workspace_create(actor=UserFactory(), name="Initech")
    second = services.workspace_create(actor=UserFactory(), name="Initech")
    assert first.slug != second.slug


def test_a_blank_workspace_name_is_refused():
    with pytest.raises(ValidationError) as exc:
        services.workspace_create(actor=UserFactory(), name="  ")
    assert "name" in exc.value.message_dict
    assert not Workspace.objects.exists()


def test_only_admins_rename_workspaces(workspace, admin, editor):
    with pytest.raises(PermissionDenied):
        services.workspace_update(actor=editor, workspace=workspace, name="Renamed")
    services.workspace_update(actor=admin, workspace=workspace, name="Renamed")
    workspace.refresh_from_db()
    assert workspace.name == "Renamed"


def test_admins_change_roles(workspace, admin, viewer):
    membership = viewer.memberships.get()
    services.membership_change_role(actor=admin, membership=membership, role=Role.EDITOR)
    membership.refresh_from_db()
    assert membership.role == Role.EDITOR


def test_editors_cannot_change_roles(workspace, editor, viewer):
    with pytest.raises(PermissionDenied):
        services.membership_change_role(actor=editor, membership=viewer.memberships.get(), role=Role.ADMIN)
    assert viewer.memberships.get().role == Role.VIEWER


def test_the_last_admin_cannot_be_demoted(workspace, admin):
    with pytest.raises(ValidationError) as exc:
        services.membership_change_role(actor=admin, membership=admin.memberships.get(), role=Role.EDITOR)
    assert "role" in exc.value.message_dict
    assert admin.memberships.get().role == Role.ADMIN


def test_an_admin_can_step_down_when_another_admin_remains(workspace, admin):
    MembershipFactory(workspace=workspace, role=Role.ADMIN)
    services.membership_change_role(actor=admin, membership=admin.memberships.get(), role=Role.VIEWER)
    assert admin.memberships.get().role == Role.VIEWER


def test_the_last_admin_cannot_be_removed(workspace, admin):
    with pytest.raises(ValidationError):
        services.membership_remove(actor=admin, membership=admin.memberships.get())
    assert admin.memberships.exists()


def test_members_may_leave_but_not_remove_others(workspace, admin, viewer, editor):
    with pytest.raises(PermissionDenied):
        services.membership_remove(actor=viewer, membership=editor.memberships.get())
    services.membership_remove(actor=viewer, membership=viewer.memberships.get())
    assert not viewer.memberships.exists()
    assert editor.memberships.exists()


def test_adding_an_existing_member_again_is_refused(workspace, admin, editor):
    with pytest.raises(ValidationError):
        services.membership_add(actor=admin, workspace=workspace, user=editor, role=Role.VIEWER)
    assert editor.memberships.get().role == Role.EDITOR


# --- invitations ------------------------------------------------------------


def test_inviting_sends_a_signed_link_after_commit(workspace, admin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invitation_create(
            actor=admin, workspace=workspace, email="New.Person@Example.com", role=Role.EDITOR)
    assert invitation.email == "new.person@example.com"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new.person@example.com"]
    token = re.search(r"/invitations/([^/\s]+)/", mail.outbox[0].body).group(1)
    assert services.invitation_from_token(token) == invitation


def test_members_and_already_invited_addresses_are_not_invited_again(workspace, admin, editor):
    with pytest.raises(ValidationError) as exc:
        services.invitation_create(actor=admin, workspace=workspace, email=editor.email, role=Role.VIEWER)
    assert "email" in exc.value.message_dict
    services.invitation_create(actor=admin, workspace=workspace, email="x@example.com", role=Role.VIEWER)
    with pytest.raises(ValidationError):
        services.invitation_create(actor=admin, workspace=workspace, email="X@example.com", role=Role.VIEWER)
    assert Invitation.objects.count() == 1


def test_only_admins_invite(workspace, editor):
    with pytest.raises(PermissionDenied):
        services.invitation_create(actor=editor, workspace=workspace, email="x@example.com", role=Role.VIEWER)


def test_an_unknown_role_is_refused(workspace, admin):
    with pytest.raises(ValidationError) as exc:
        services.invitation_create(actor=admin, workspace=workspace, email="x@example.com", role="owner")
    assert "role" in exc.value.message_dict


def test_accepting_an_invitation_grants_its_role_once(workspace):
    invitation = InvitationFactory(workspace=workspace, email="new@example.com", role=Role.EDITOR)
    token = services.invitation_token(invitation)
    user = UserFactory(email="new@example.com")

    membership = services.invitation_accept(user=user, invitation=services.invitation_from_token(token))

    assert membership.role == Role.EDITOR
    with pytest.raises(ValidationError, match="already been used"):
        services.invitation_from_token(token)


def test_an_invitation_is_accepted_only_by_its_addressee(workspace):
    invitation = InvitationFactory(workspace=workspace, email="new@example.com")
    with pytest.raises(ValidationError, match="new@example.com"):
        services.invitation_accept(user=UserFactory(email="someone@else.com"), invitation=invitation)
    assert not Membership.objects.filter(workspace=workspace).exists()


def test_signing_up_from_an_invitation_creates_the_account_and_membership(workspace):
    invitation = InvitationFactory(workspace=workspace, email="new@example.com", role=Role.VIEWER)
    membership = services.invitation_accept_with_signup(
        invitation=invitation, full_name="New Person", password="a-long-passphrase")
    assert membership.user.email == "new@example.com"
    assert membership.user.check_password("a-long-passphrase")
    assert membership.role == Role.VIEWER


def test_an_expired_invitation_link_is_refused(workspace, settings):
    invitation = InvitationFactory(workspace=workspace)
    token = services.invitation_token(invitation)
    settings.INVITATION_MAX_AGE = settings.INVITATION_MAX_AGE * 0  # every link is already too old
    with pytest.raises(ValidationError, match="expired"):
        services.invitation_from_token(token)


def test_a_tampered_or_revoked_invitation_link_is_refused(workspace, admin):
    invitation = InvitationFactory(workspace=workspace)
    token = services.invitation_token(invitation)
    with pytest.raises(ValidationError, match="not valid"):
        services.invitation_from_token(token[:-2] + "xx")
    services.invitation_revoke(actor=admin, invitation=invitation)
    with pytest.raises(ValidationError, match="withdrawn"):
        services.invitation_from_token(token)


# --- products ---------------------------------------------------------------


def test_editors_create_products_with_upper_case_keys(workspace, editor):
    product = services.product_create(actor=editor, workspace=workspace, name=" Mobile ", key="mob")
    assert (product.name, product.key, product.version) == ("Mobile", "MOB", 1)


def test_viewers_cannot_create_products(workspace, viewer):
    with pytest.raises(PermissionDenied):
        services.product_create(actor=viewer, workspace=workspace, name="Mobile", key="MOB")
    assert not Product.objects.exists()


@pytest.mark.parametrize("key", ["M", "1AB", "MO-B", "TOOLONGKEYXX", ""])
def test_malformed_keys_are_refused(workspace, editor, key):
    with pytest.raises(ValidationError) as exc:
        services.product_create(actor=editor, workspace=workspace, name="Mobile", key=key)
    assert "key" in exc.value.message_dict


def test_keys_are_unique_within_a_workspace_only(workspace, other_workspace, editor, product):
    with pytest.raises(ValidationError) as exc:
        services.product_create(actor=editor, workspace=workspace, name="Other", key=product.key)
    assert "key" in exc.value.message_dict
    ProductFactory(workspace=other_workspace, key=product.key)  # fine elsewhere


def test_a_product_can_only_join_a_line_of_its_own_workspace(workspace, other_workspace, editor, product):
    foreign_line = ProductFactory(workspace=other_workspace, kind=Product.Kind.LINE)
    for parent in (foreign_line, product):  # another workspace's line; a product that is not a line
        with pytest.raises(ValidationError) as exc:
            services.product_create(actor=editor, workspace=workspace, name="New", key="NEW", parent=parent)
        assert "parent" in exc.value.message_dict
    assert not Product.objects.filter(key="NEW").exists()


def test_product_lines_cannot_contain_themselves(workspace, editor):
    outer = ProductFactory(workspace=workspace, kind=Product.Kind.LINE)
    inner = ProductFactory(workspace=workspace, kind=Product.Kind.LINE, parent=outer)
    with pytest.raises(ValidationError) as exc:
        services.product_update(actor=editor, product=outer, parent=inner)
    assert "parent" in exc.value.message_dict
    outer.refresh_from_db()
    assert outer.parent is None


def test_the_owner_must_be_a_member(workspace, editor):
    with pytest.raises(ValidationError) as exc:
        services.product_create(actor=editor, workspace=workspace, name="X", key="XX", owner=UserFactory())
    assert "owner" in exc.value.message_dict


def test_updates_bump_the_version_and_record_the_editor(editor, product):
    updated = services.product_update(actor=editor, product=product, version=1, stage=Product.Stage.GROWTH)
    assert (updated.stage, updated.version, updated.updated_by) == (Product.Stage.GROWTH, 2, editor)


def test_an_update_from_a_stale_copy_is_refused_naming_who_changed_it(workspace, editor, product):
    colleague = MembershipFactory(workspace=workspace, role=Role.EDITOR, user__full_name="Ada Colleague").user
    services.product_update(actor=colleague, product=product, version=1, name="Theirs")

    with pytest.raises(ValidationError) as exc:
        services.product_update(actor=editor, product=product, version=1, name="Mine")

    assert exc.value.code == "stale"
    assert "Ada Colleague" in exc.value.messages[0]
    product.refresh_from_db()
    assert product.name == "Theirs"


def test_unknown_fields_cannot_be_updated(editor, product):
    with pytest.raises(ValidationError):
        services.product_update(actor=editor, product=product, workspace_id=999)


def test_a_line_with_products_cannot_become_a_plain_product(workspace, editor):
    line = ProductFactory(workspace=workspace, kind=Product.Kind.LINE)
    ProductFactory(workspace=workspace, parent=line)
    with pytest.raises(ValidationError) as exc:
        services.product_update(actor=editor, product=line, kind=Product.Kind.PRODUCT)
    assert "kind" in exc.value.message_dict


def test_archiving_keeps_the_product_and_restoring_brings_it_back(editor, product):
    services.product_archive(actor=editor, product=product)
    assert Product.objects.active().count() == 0
    services.product_unarchive(actor=editor, product=product)
    assert Product.objects.active().get() == product


def test_a_line_with_active_products_cannot_be_archived(workspace, editor):
    line = ProductFactory(workspace=workspace, kind=Product.Kind.LINE)
    ProductFactory(workspace=workspace, parent=line)
    with pytest.raises(ValidationError):
        services.product_archive(actor=editor, product=line)
    line.refresh_from_db()
    assert not line.is_archived


# --- API tokens -------------------------------------------------------------


def test_tokens_are_stored_as_digests_and_authenticate(editor):
    token, secret = services.api_token_create(actor=editor, name="CI")
    assert secret not in {token.digest, token.prefix}
    assert not ApiToken.objects.filter(digest=secret).exists()
    assert services.api_token_authenticate(secret).user == editor
    assert services.api_token_authenticate(secret + "x") is None


def test_revoked_tokens_stop_working(editor):
    token, secret = services.api_token_create(actor=editor, name="CI")
    services.api_token_revoke(actor=editor, token=token)
    assert services.api_token_authenticate(secret) is None


def test_people_revoke_only_their_own_tokens(editor, viewer):
    token, _secret = services.api_token_create(actor=editor, name="CI")
    with pytest.raises(ValidationError):
        services.api_token_revoke(actor=viewer, token=token)


def test_tokens_of_deactivated_users_stop_working(editor):
    _token, secret = services.api_token_create(actor=editor, name="CI")
    User.objects.filter(pk=editor.pk).update(is_active=False)
    assert services.api_token_authenticate(secret) is None


def test_archiving_twice_changes_nothing_the_second_time(editor, product):
    archived = services.product_archive(actor=editor, product=product)
    again = services.product_archive(actor=editor, product=archived)
    assert (again.archived_at, again.version) == (archived.archived_at, archived.version)


def test_two_accounts_cannot_differ_only_in_the_case_of_their_email():
    from django.db import IntegrityError, transaction

    UserFactory(email="ada@example.com")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(email="Ada@Example.com")


def test_the_invitation_email_goes_through_the_worker_task(workspace, admin, django_capture_on_commit_callbacks):
    from strategy import tasks

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        invitation = services.invitation_create(actor=admin, workspace=workspace, email="a@b.com", role=Role.VIEWER)
    assert len(callbacks) == 1 and not mail.outbox
    tasks.invitation_email_send_task.delay(invitation.pk)
    assert mail.outbox[0].to == ["a@b.com"]


def test_a_withdrawn_invitation_is_not_emailed_when_its_task_runs_late(workspace, admin):
    from strategy import tasks

    invitation = InvitationFactory(workspace=workspace)
    services.invitation_revoke(actor=admin, invitation=invitation)
    tasks.invitation_email_send_task.delay(invitation.pk)
    assert not mail.outbox


def test_the_invitation_stands_when_the_broker_is_down(workspace, admin, broker_down, caplog,
                                                      django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invitation_create(actor=admin, workspace=workspace, email="a@b.com", role=Role.VIEWER)

    assert Invitation.objects.filter(pk=invitation.pk).exists()
    assert f"invitation_email_send_task({invitation.pk},) was not queued" in caplog.text


def test_removing_a_member_leaves_what_they_owned_unowned_and_editable(workspace, admin, editor, product):
    services.product_update(actor=editor, product=product, owner=editor)
    services.membership_remove(actor=admin, membership=editor.memberships.get())
    product.refresh_from_db()
    assert product.owner is None
    services.product_update(actor=admin, product=product, description="Still editable")


def test_a_former_members_ownership_does_not_block_other_edits(workspace, admin, editor, product):
    Product.objects.filter(pk=product.pk).update(owner=UserFactory())  # e.g. data from before the rule
    product.refresh_from_db()
    updated = services.product_update(actor=admin, product=product, description="Fine")
    assert updated.description == "Fine"


def test_a_key_taken_by_a_concurrent_request_is_a_field_error_not_a_crash(workspace, product):
    """The race the service's own check cannot see: the row appears between check and insert."""
    from strategy.services.tenancy import _unique

    with pytest.raises(ValidationError) as exc, _unique("strategy_product_key_unique_in_workspace", "key", "taken"):
        ProductFactory(workspace=workspace, key=product.key)
    assert exc.value.message_dict == {"key": ["taken"]}
    assert Product.objects.filter(key=product.key).count() == 1


def test_other_integrity_errors_are_not_disguised(workspace, product):
    from django.db import IntegrityError

    from strategy.services.tenancy import _unique

    with pytest.raises(IntegrityError), _unique("some_other_constraint", "key", "taken"):
        ProductFactory(workspace=workspace, key=product.key)
