"""The /api/v1/ endpoints of the strategy app: authentication with personal tokens,
tenancy (404 for other workspaces), roles (403), field-keyed 400s, the 409 of a stale
update, and query counts that do not grow with rows."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from strategy import services
from strategy.models import ApiToken, Invitation, Membership, Product, Role
from tests.api_urls import api_url
from tests.conftest import count_queries
from tests.factories import InvitationFactory, MembershipFactory, ProductFactory, UserFactory, WorkspaceFactory

pytestmark = pytest.mark.django_db

PRODUCTS = api_url("strategy-api:product-list")


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _product_url(product) -> str:
    return api_url("strategy-api:product-detail", args=[product.pk])


def _keys(response) -> list[str]:
    return sorted(row["key"] for row in response.json()["results"])


# --- authentication -----------------------------------------------------------


def test_anonymous_requests_get_401_with_a_bearer_challenge(product):
    response = APIClient().get(PRODUCTS)

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_personal_token_authenticates_as_its_user(viewer, product, other_product):
    token, secret = services.api_token_create(actor=viewer, name="script")
    assert token.last_used_at is None

    response = APIClient().get(PRODUCTS, HTTP_AUTHORIZATION=f"Bearer {secret}")

    token.refresh_from_db()
    assert response.status_code == 200
    assert _keys(response) == ["MOB"]
    assert token.last_used_at is not None
    assert timezone.now() - token.last_used_at < timedelta(minutes=1)


def test_a_token_can_write_with_its_users_role(editor, workspace):
    token, secret = services.api_token_create(actor=editor, name="script")

    response = APIClient().post(
        PRODUCTS,
        {"workspace": "acme", "name": "Web", "key": "WEB"},
        format="json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )

    assert response.status_code == 201
    assert Product.objects.get(workspace=workspace, key="WEB").updated_by == editor


def test_a_revoked_token_gets_401(viewer, product):
    token, secret = services.api_token_create(actor=viewer, name="script")
    services.api_token_revoke(actor=viewer, token=token)

    response = APIClient().get(PRODUCTS, HTTP_AUTHORIZATION=f"Bearer {secret}")

    assert response.status_code == 401


def test_a_deactivated_users_token_gets_401(viewer, product):
    token, secret = services.api_token_create(actor=viewer, name="script")
    viewer.is_active = False
    viewer.save()

    response = APIClient().get(PRODUCTS, HTTP_AUTHORIZATION=f"Bearer {secret}")

    assert response.status_code == 401


@pytest.mark.parametrize(
    "header",
    [
        "Bearer",
        "Bearer wmk_abc extra",
        "Bearer wmk_not-a-real-token",
        "Bearer not-even-prefixed",
        "Token ",
        "Basic dXNlcjpwYXNz",
    ],
)
def test_a_malformed_or_unknown_authorization_header_gets_401(viewer, product, header):
    services.api_token_create(actor=viewer, name="script")

    response = APIClient().get(PRODUCTS, HTTP_AUTHORIZATION=header)

    assert response.status_code == 401


def test_token_use_is_recorded_at_most_once_a_minute(viewer, product):
    token, secret = services.api_token_create(actor=viewer, name="script")
    recent = timezone.now() - timedelta(seconds=10)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=recent)

    APIClient().get(PRODUCTS, HTTP_AUTHORIZATION=f"Bearer {secret}")

    token.refresh_from_db()
    assert token.last_used_at == recent


def test_session_authenticated_writes_need_a_csrf_token(editor, workspace):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(editor)

    response = client.post(PRODUCTS, {"workspace": "acme", "name": "Web", "key": "WEB"}, format="json")

    assert response.status_code == 403
    assert not Product.objects.filter(workspace=workspace, key="WEB").exists()


# --- workspaces ---------------------------------------------------------------


def test_the_workspace_list_shows_only_ones_workspaces_with_ones_own_role(admin, editor, viewer, other_workspace):
    third = WorkspaceFactory(name="Zeta", slug="zeta")
    MembershipFactory(workspace=third, user=viewer, role=Role.ADMIN)
    MembershipFactory(workspace=third, role=Role.VIEWER)

    response = _api(viewer).get(reverse("strategy-api:workspace-list"))

    assert response.status_code == 200
    assert [(row["slug"], row["role"]) for row in response.json()["results"]] == [("acme", "viewer"), ("zeta", "admin")]


def test_a_workspace_is_retrieved_by_slug_with_ones_role(editor, admin, viewer):
    response = _api(editor).get(reverse("strategy-api:workspace-detail", args=["acme"]))

    assert response.status_code == 200
    assert (response.json()["name"], response.json()["role"]) == ("Acme", "editor")


def test_another_workspace_is_not_found(admin, other_workspace):
    response = _api(admin).get(reverse("strategy-api:workspace-detail", args=[other_workspace.slug]))

    assert response.status_code == 404


# --- products: reading ------------------------------------------------------


@pytest.fixture
def catalogue(workspace, other_workspace, editor):
    line = ProductFactory(workspace=workspace, kind=Product.Kind.LINE, key="CON", name="Consumer")
    ProductFactory(workspace=workspace, key="MOB", name="Mobile App", parent=line, stage=Product.Stage.GROWTH)
    ProductFactory(workspace=workspace, key="WEB", name="Web App", stage=Product.Stage.LAUNCH)
    old = ProductFactory(workspace=workspace, key="OLD", name="Legacy Desktop", stage=Product.Stage.DECLINE)
    services.product_archive(actor=editor, product=old)
    ProductFactory(workspace=other_workspace, key="SEC", name="Secret Mobile")
    return line


@pytest.mark.parametrize(
    ("params", "keys"),
    [
        ({}, ["CON", "MOB", "WEB"]),
        ({"workspace": "acme"}, ["CON", "MOB", "WEB"]),
        ({"workspace": "globex"}, []),
        ({"stage": "growth"}, ["MOB"]),
        ({"kind": "line"}, ["CON"]),
        ({"kind": "product"}, ["MOB", "WEB"]),
        ({"q": "mobile"}, ["MOB"]),
        ({"q": "we"}, ["WEB"]),
        ({"archived": "true"}, ["OLD"]),
        ({"archived": "false"}, ["CON", "MOB", "WEB"]),
        ({"q": "legacy"}, []),
    ],
)
def test_the_product_list_filters_and_hides_archived_and_foreign_products(viewer, catalogue, params, keys):
    response = _api(viewer).get(PRODUCTS, params)

    assert response.status_code == 200
    assert _keys(response) == keys


def test_the_product_list_filters_by_product_line(viewer, catalogue):
    response = _api(viewer).get(PRODUCTS, {"parent": catalogue.pk})

    assert _keys(response) == ["MOB"]


def test_an_invalid_filter_is_a_400(viewer, catalogue):
    response = _api(viewer).get(PRODUCTS, {"stage": "sunset"})

    assert response.status_code == 400
    assert "stage" in response.json()


def test_a_product_reads_with_its_workspace_owner_and_version(viewer, workspace, editor):
    product = ProductFactory(workspace=workspace, key="MOB", name="Mobile App", owner=editor)

    data = _api(viewer).get(_product_url(product)).json()

    assert data["workspace"] == "acme"
    assert data["owner"] == {"id": editor.pk, "email": "editor@acme.test", "full_name": editor.full_name}
    assert (data["key"], data["version"], data["archived"]) == ("MOB", 1, False)


def test_the_product_list_costs_the_same_queries_for_2_or_25_products(viewer, workspace, admin, editor):
    client = _api(viewer)
    line = ProductFactory(workspace=workspace, kind=Product.Kind.LINE, owner=admin)
    ProductFactory(workspace=workspace, parent=line, owner=editor)
    client.get(PRODUCTS)
    few = count_queries(lambda: client.get(PRODUCTS))

    for i in range(23):
        ProductFactory(workspace=workspace, parent=line if i % 2 else None, owner=[admin, editor][i % 2])
    assert len(client.get(PRODUCTS).json()["results"]) == 25

    assert count_queries(lambda: client.get(PRODUCTS)) == few


def test_the_workspace_and_membership_lists_cost_the_same_queries_for_more_rows(viewer, workspace):
    client = _api(viewer)
    urls = [reverse("strategy-api:workspace-list"), api_url("strategy-api:membership-list")]
    few = [count_queries(lambda url=url: client.get(url)) for url in urls]

    for _ in range(10):
        MembershipFactory(workspace=workspace)
        MembershipFactory(workspace=WorkspaceFactory(), user=viewer)

    assert [count_queries(lambda url=url: client.get(url)) for url in urls] == few


# --- products: writing ------------------------------------------------------


def test_an_editor_creates_a_product(editor, workspace, admin):
    response = _api(editor).post(
        PRODUCTS,
        {
            "workspace": "acme",
            "name": " Web App ",
            "key": "web",
            "stage": "launch",
            "owner": admin.pk,
            "description": "Browser client",
        },
        format="json",
    )

    product = Product.objects.get(workspace=workspace, key="WEB")
    assert response.status_code == 201
    assert response.json()["id"] == product.pk
    assert response.json()["key"] == "WEB"
    assert (product.name, product.stage, product.owner, product.updated_by) == ("Web App", "launch", admin, editor)


def test_an_editor_creates_a_product_inside_a_line(editor, workspace):
    line = ProductFactory(workspace=workspace, kind=Product.Kind.LINE, key="CON")

    response = _api(editor).post(
        PRODUCTS, {"workspace": "acme", "name": "Web", "key": "WEB", "parent": line.pk}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["parent"] == line.pk
    assert Product.objects.get(workspace=workspace, key="WEB").parent == line


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({"key": "1AB"}, {"key"}),
        ({"key": "mo-b"}, {"key"}),
        ({"key": "TOOLONGKEY1"}, {"key"}),
        ({"name": ""}, {"name"}),
        ({"name": "   "}, {"name"}),
        ({"stage": "sunset", "kind": "bundle"}, {"stage", "kind"}),
        ({"name": None, "key": None}, {"name", "key"}),
        ({"workspace": "nowhere"}, {"workspace"}),
    ],
)
def test_bad_product_input_is_a_400_naming_each_field(editor, workspace, payload, fields):
    body = {"workspace": "acme", "name": "Web", "key": "WEB", **payload}

    response = _api(editor).post(PRODUCTS, body, format="json")

    assert response.status_code == 400
    assert set(response.json()) == fields
    assert not workspace.products.exists()


def test_several_broken_rules_are_reported_together(editor, workspace, product):
    response = _api(editor).post(
        PRODUCTS, {"workspace": "acme", "name": "Web", "key": "mob", "parent": product.pk}, format="json"
    )

    assert response.status_code == 400
    assert set(response.json()) == {"key", "parent"}
    assert product.workspace.products.count() == 1


def test_every_bad_field_of_a_product_is_named_in_one_answer(editor, workspace, other_workspace):
    # DESIGN.md: "a bad API request gets a 400 with a JSON body naming each field".
    foreign_line = ProductFactory(workspace=other_workspace, kind=Product.Kind.LINE, key="FOR")

    response = _api(editor).post(
        PRODUCTS, {"workspace": "acme", "name": "", "key": "1AB", "parent": foreign_line.pk}, format="json"
    )

    assert response.status_code == 400
    assert set(response.json()) == {"name", "key", "parent"}
    assert not Product.objects.filter(workspace=workspace).exists()


def test_a_duplicate_key_is_a_400_on_key(editor, product):
    response = _api(editor).post(PRODUCTS, {"workspace": "acme", "name": "Again", "key": "mob"}, format="json")

    assert response.status_code == 400
    assert "MOB" in response.json()["key"][0]
    assert product.workspace.products.count() == 1


def test_a_parent_from_another_workspace_is_a_400_on_parent_without_revealing_it(editor, workspace, other_workspace):
    foreign_line = ProductFactory(workspace=other_workspace, kind=Product.Kind.LINE, key="FOR")
    missing_pk = foreign_line.pk + 1000
    client = _api(editor)

    foreign = client.post(
        PRODUCTS, {"workspace": "acme", "name": "Web", "key": "WEB", "parent": foreign_line.pk}, format="json"
    )
    missing = client.post(
        PRODUCTS, {"workspace": "acme", "name": "Web", "key": "WEB", "parent": missing_pk}, format="json"
    )

    assert foreign.status_code == 400
    assert set(foreign.json()) == {"parent"}
    assert foreign.json()["parent"] == [
        m.replace(str(missing_pk), str(foreign_line.pk)) for m in missing.json()["parent"]
    ]
    assert "FOR" not in foreign.content.decode()
    assert not Product.objects.filter(workspace=workspace).exists()


def test_a_product_cannot_be_created_in_another_workspace(admin, other_workspace):
    response = _api(admin).post(PRODUCTS, {"workspace": "globex", "name": "Web", "key": "WEB"}, format="json")

    assert response.status_code == 400
    assert set(response.json()) == {"workspace"}
    assert not other_workspace.products.exists()


def test_a_viewer_cannot_create_change_or_archive_products(viewer, product):
    client = _api(viewer)

    created = client.post(PRODUCTS, {"workspace": "acme", "name": "Web", "key": "WEB"}, format="json")
    patched = client.patch(_product_url(product), {"name": "Hijacked"}, format="json")
    deleted = client.delete(_product_url(product))
    restored = client.post(api_url("strategy-api:product-restore", args=[product.pk]))

    product.refresh_from_db()
    assert (created.status_code, patched.status_code, deleted.status_code, restored.status_code) == (403, 403, 403, 403)
    assert list(product.workspace.products.values_list("key", flat=True)) == ["MOB"]
    assert (product.name, product.version, product.archived_at) == ("Mobile App", 1, None)


def test_another_workspaces_product_is_not_found(admin, other_product):
    client = _api(admin)
    url = _product_url(other_product)

    responses = [
        client.get(url),
        client.patch(url, {"name": "Hijacked"}, format="json"),
        client.put(url, {"workspace": "acme", "name": "Hijacked", "key": "SEC"}, format="json"),
        client.delete(url),
        client.post(api_url("strategy-api:product-restore", args=[other_product.pk])),
    ]

    other_product.refresh_from_db()
    assert [r.status_code for r in responses] == [404] * 5
    assert (other_product.name, other_product.version, other_product.archived_at) == ("Secret Plans", 1, None)


def test_an_editor_patches_a_product_and_the_version_goes_up(editor, product):
    response = _api(editor).patch(_product_url(product), {"stage": "growth", "version": 1}, format="json")

    product.refresh_from_db()
    assert response.status_code == 200
    assert response.json()["version"] == 2
    assert (product.stage, product.version, product.updated_by) == ("growth", 2, editor)


def test_a_put_replaces_the_editable_fields(editor, product):
    response = _api(editor).put(
        _product_url(product), {"workspace": "acme", "name": "Mobile", "key": "APP", "stage": "maturity"}, format="json"
    )

    product.refresh_from_db()
    assert response.status_code == 200
    assert (product.name, product.key, product.stage) == ("Mobile", "APP", "maturity")


def test_a_product_cannot_move_to_another_workspace(editor, product, workspace):
    elsewhere = WorkspaceFactory(slug="elsewhere")
    MembershipFactory(workspace=elsewhere, user=editor, role=Role.ADMIN)

    response = _api(editor).patch(_product_url(product), {"workspace": "elsewhere"}, format="json")

    product.refresh_from_db()
    assert response.status_code == 400
    assert "workspace" in response.json()
    assert product.workspace == workspace


def test_a_stale_patch_is_a_409_with_the_current_product(workspace, product):
    first = MembershipFactory(
        workspace=workspace, role=Role.EDITOR, user=UserFactory(email="fiona@acme.test", full_name="Fiona First")
    ).user
    second = MembershipFactory(workspace=workspace, role=Role.EDITOR, user=UserFactory(email="sam@acme.test")).user
    version = _api(second).get(_product_url(product)).json()["version"]
    assert (
        _api(first).patch(_product_url(product), {"name": "Mobile One", "version": version}, format="json").status_code
        == 200
    )

    response = _api(second).patch(_product_url(product), {"name": "Mobile Two", "version": version}, format="json")

    product.refresh_from_db()
    assert response.status_code == 409
    assert "Fiona First" in response.json()["detail"]
    assert (response.json()["current"]["name"], response.json()["current"]["version"]) == ("Mobile One", 2)
    assert (product.name, product.version, product.updated_by) == ("Mobile One", 2, first)

    retried = _api(second).patch(
        _product_url(product), {"name": "Mobile Two", "version": response.json()["current"]["version"]}, format="json"
    )
    product.refresh_from_db()
    assert retried.status_code == 200
    assert (product.name, product.version) == ("Mobile Two", 3)


def test_a_product_line_cannot_be_its_own_line(editor, workspace):
    line = ProductFactory(workspace=workspace, kind=Product.Kind.LINE, key="CON")

    response = _api(editor).patch(_product_url(line), {"parent": line.pk}, format="json")

    line.refresh_from_db()
    assert response.status_code == 400
    assert set(response.json()) == {"parent"}
    assert (line.parent, line.version) == (None, 1)


def test_a_line_with_products_cannot_become_a_plain_product(editor, workspace):
    line = ProductFactory(workspace=workspace, kind=Product.Kind.LINE, key="CON")
    ProductFactory(workspace=workspace, parent=line)

    response = _api(editor).patch(_product_url(line), {"kind": "product"}, format="json")

    line.refresh_from_db()
    assert response.status_code == 400
    assert set(response.json()) == {"kind"}
    assert line.kind == Product.Kind.LINE


def test_the_owner_must_be_a_member_of_the_products_workspace(editor, product):
    elsewhere = WorkspaceFactory(slug="elsewhere")
    MembershipFactory(workspace=elsewhere, user=editor, role=Role.ADMIN)
    colleague = MembershipFactory(workspace=elsewhere, role=Role.EDITOR).user

    response = _api(editor).patch(_product_url(product), {"owner": colleague.pk}, format="json")

    product.refresh_from_db()
    assert response.status_code == 400
    assert set(response.json()) == {"owner"}
    assert product.owner is None


def test_a_patch_with_a_bad_field_is_a_400_and_changes_nothing(editor, product):
    response = _api(editor).patch(_product_url(product), {"name": "Fine", "key": "no good"}, format="json")

    product.refresh_from_db()
    assert response.status_code == 400
    assert set(response.json()) == {"key"}
    assert (product.name, product.key, product.version) == ("Mobile App", "MOB", 1)


def test_delete_archives_and_restore_brings_the_product_back(editor, product):
    client = _api(editor)

    deleted = client.delete(_product_url(product))

    product.refresh_from_db()
    assert deleted.status_code == 204
    assert product.archived_at is not None
    assert _keys(client.get(PRODUCTS)) == []
    assert _keys(client.get(PRODUCTS, {"archived": "true"})) == ["MOB"]
    assert client.get(_product_url(product)).json()["archived"] is True

    restored = client.post(api_url("strategy-api:product-restore", args=[product.pk]))

    product.refresh_from_db()
    assert restored.status_code == 200
    assert restored.json()["archived"] is False
    assert product.archived_at is None
    assert _keys(client.get(PRODUCTS)) == ["MOB"]


def test_a_line_with_active_products_cannot_be_deleted(editor, workspace):
    line = ProductFactory(workspace=workspace, kind=Product.Kind.LINE, key="CON")
    ProductFactory(workspace=workspace, parent=line)

    response = _api(editor).delete(_product_url(line))

    line.refresh_from_db()
    assert response.status_code == 400
    assert response.json()["non_field_errors"]
    assert line.archived_at is None


# --- memberships --------------------------------------------------------------


def _membership_url(user) -> str:
    return api_url("strategy-api:membership-detail", args=[user.memberships.get().pk])


def test_the_membership_list_shows_the_members_of_ones_workspaces_only(viewer, admin, editor, other_workspace):
    response = _api(viewer).get(api_url("strategy-api:membership-list"))

    assert response.status_code == 200
    assert sorted((row["workspace"], row["user"]["email"], row["role"]) for row in response.json()["results"]) == [
        ("acme", "admin@acme.test", "admin"),
        ("acme", "editor@acme.test", "editor"),
        ("acme", "viewer@acme.test", "viewer"),
    ]


def test_an_admin_changes_a_role(admin, viewer):
    response = _api(admin).patch(_membership_url(viewer), {"role": "editor"}, format="json")

    assert response.status_code == 200
    assert response.json()["role"] == "editor"
    assert viewer.memberships.get().role == Role.EDITOR


def test_a_role_must_be_one_of_the_roles(admin, viewer):
    response = _api(admin).patch(_membership_url(viewer), {"role": "owner"}, format="json")

    assert response.status_code == 400
    assert "role" in response.json()
    assert viewer.memberships.get().role == Role.VIEWER


@pytest.mark.parametrize("actor", ["viewer", "editor"])
def test_only_admins_change_roles(request, admin, editor, viewer, actor):
    response = _api(request.getfixturevalue(actor)).patch(_membership_url(admin), {"role": "viewer"}, format="json")

    assert response.status_code == 403
    assert admin.memberships.get().role == Role.ADMIN


def test_the_last_admin_cannot_be_demoted(admin, editor):
    response = _api(admin).patch(_membership_url(admin), {"role": "editor"}, format="json")

    assert response.status_code == 400
    assert "role" in response.json()
    assert admin.memberships.get().role == Role.ADMIN


def test_an_admin_removes_a_member(admin, editor):
    membership = editor.memberships.get()

    response = _api(admin).delete(_membership_url(editor))

    assert response.status_code == 204
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_a_member_leaves_but_cannot_remove_others(viewer, editor, admin):
    client = _api(viewer)

    refused = client.delete(_membership_url(editor))
    left = client.delete(_membership_url(viewer))

    assert (refused.status_code, left.status_code) == (403, 204)
    assert Membership.objects.filter(user=editor).exists()
    assert not Membership.objects.filter(user=viewer).exists()


def test_the_last_admin_cannot_leave(admin, viewer):
    response = _api(admin).delete(_membership_url(admin))

    assert response.status_code == 400
    assert "role" in response.json()
    assert Membership.objects.filter(user=admin).exists()


def test_another_workspaces_memberships_are_not_found(admin, other_workspace):
    boss = other_workspace.memberships.get()
    url = api_url("strategy-api:membership-detail", args=[boss.pk])
    client = _api(admin)

    responses = [client.get(url), client.patch(url, {"role": "viewer"}, format="json"), client.delete(url)]

    boss.refresh_from_db()
    assert [r.status_code for r in responses] == [404, 404, 404]
    assert boss.role == Role.ADMIN


# --- invitations --------------------------------------------------------------


INVITATIONS = api_url("strategy-api:invitation-list")


def test_an_admin_invites_by_api_and_an_email_is_sent(admin, workspace, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = _api(admin).post(
            INVITATIONS, {"workspace": "acme", "email": "New@Example.com", "role": "editor"}, format="json"
        )

    invitation = Invitation.objects.get(workspace=workspace)
    assert response.status_code == 201
    assert response.json()["email"] == "new@example.com"
    assert response.json()["workspace"] == "acme"
    assert (invitation.workspace, invitation.role, invitation.invited_by) == (workspace, "editor", admin)
    assert [message.to for message in mail.outbox] == [["new@example.com"]]
    assert "/invitations/" in mail.outbox[0].body


def test_bad_invitation_input_is_a_400_naming_each_field(admin, workspace):
    response = _api(admin).post(
        INVITATIONS, {"workspace": "acme", "email": "not-an-email", "role": "owner"}, format="json"
    )

    assert response.status_code == 400
    assert set(response.json()) == {"email", "role"}
    assert not Invitation.objects.filter(workspace__slug__in=["acme", "globex"]).exists()


def test_inviting_a_member_or_an_invited_address_is_a_400_on_email(admin, viewer, workspace):
    InvitationFactory(workspace=workspace, email="pending@example.com")
    client = _api(admin)

    member = client.post(
        INVITATIONS, {"workspace": "acme", "email": "viewer@acme.test", "role": "editor"}, format="json"
    )
    pending = client.post(
        INVITATIONS, {"workspace": "acme", "email": "PENDING@example.com", "role": "editor"}, format="json"
    )

    assert (member.status_code, pending.status_code) == (400, 400)
    assert "email" in member.json()
    assert "email" in pending.json()
    assert workspace.invitations.count() == 1


@pytest.mark.parametrize("actor", ["viewer", "editor"])
def test_only_admins_invite(request, admin, editor, viewer, actor):
    response = _api(request.getfixturevalue(actor)).post(
        INVITATIONS, {"workspace": "acme", "email": "friend@example.com", "role": "viewer"}, format="json"
    )

    assert response.status_code == 403
    assert not Invitation.objects.filter(workspace__slug__in=["acme", "globex"]).exists()
    assert mail.outbox == []


def test_inviting_into_another_workspace_is_a_400_on_workspace(admin, other_workspace):
    response = _api(admin).post(
        INVITATIONS, {"workspace": "globex", "email": "friend@example.com", "role": "viewer"}, format="json"
    )

    assert response.status_code == 400
    assert set(response.json()) == {"workspace"}
    assert not Invitation.objects.filter(workspace__slug__in=["acme", "globex"]).exists()


def test_the_invitation_list_shows_pending_invitations_of_administered_workspaces(
    admin, editor, workspace, other_workspace
):
    pending = InvitationFactory(workspace=workspace, email="pending@example.com")
    revoked = InvitationFactory(workspace=workspace, email="revoked@example.com")
    services.invitation_revoke(actor=admin, invitation=revoked)
    InvitationFactory(workspace=other_workspace, email="theirs@example.com")

    as_admin = _api(admin).get(INVITATIONS).json()["results"]
    as_editor = _api(editor).get(INVITATIONS).json()["results"]

    assert [row["id"] for row in as_admin] == [pending.pk]
    assert as_editor == []


def test_an_admin_revokes_an_invitation(admin, workspace):
    invitation = InvitationFactory(workspace=workspace)

    response = _api(admin).delete(api_url("strategy-api:invitation-detail", args=[invitation.pk]))

    invitation.refresh_from_db()
    assert response.status_code == 204
    assert invitation.revoked_at is not None
    with pytest.raises(ValidationError, match="withdrawn"):
        services.invitation_from_token(services.invitation_token(invitation))


def test_others_cannot_revoke_an_invitation(admin, editor, workspace, other_workspace):
    invitation = InvitationFactory(workspace=workspace)
    foreign = InvitationFactory(workspace=other_workspace)

    by_editor = _api(editor).delete(api_url("strategy-api:invitation-detail", args=[invitation.pk]))
    by_outsider = _api(admin).delete(api_url("strategy-api:invitation-detail", args=[foreign.pk]))

    assert by_editor.status_code == 403
    assert by_outsider.status_code == 404
    assert Invitation.objects.filter(pk__in=[invitation.pk, foreign.pk], revoked_at__isnull=True).count() == 2


# --- schema and docs ----------------------------------------------------------


def test_the_openapi_schema_describes_the_product_endpoints(client):
    response = client.get(reverse("roadmap:api_schema"))

    content = response.content.decode()
    assert response.status_code == 200
    assert "/api/v1/w/{ws}/products/" in content
    assert "/api/v1/w/{ws}/products/{id}/restore/" in content
    assert "Bearer" in content


def test_the_api_docs_are_served_without_a_cdn(client):
    response = client.get(reverse("roadmap:api_docs"))

    content = response.content.decode()
    assert response.status_code == 200
    assert "swagger-ui" in content
    assert "cdn." not in content
    # The page's script comes from the same URL (?script), not inline (Content-Security-Policy).
    script = client.get(reverse("roadmap:api_docs"), {"script": ""}).content.decode()
    assert reverse("roadmap:api_schema") in script and "cdn." not in script


def test_a_malformed_product_id_is_a_json_404(editor, workspace):
    response = _api(editor).get("/api/v1/w/acme/products/abc/")
    assert response.status_code == 404
    assert response.json()["detail"]


@pytest.mark.parametrize("payload", [{"stage": "bogus"}, {"name": ""}, {"name": "Fine"}])
def test_viewers_are_refused_before_their_input_is_checked(viewer, product, payload):
    response = _api(viewer).patch(_product_url(product), payload, format="json")
    assert response.status_code == 403
    assert "role" in response.json()["detail"]


def test_viewers_creating_products_are_refused_before_validation(viewer, workspace):
    response = _api(viewer).post(PRODUCTS, {"workspace": workspace.slug, "name": ""}, format="json")
    assert response.status_code == 403


def test_a_viewer_posting_a_bogus_role_is_refused_not_corrected(viewer, editor, workspace):
    membership = editor.memberships.get()
    response = _api(viewer).patch(
        api_url("strategy-api:membership-detail", args=[membership.pk]), {"role": "bogus"}, format="json")
    assert response.status_code == 403
