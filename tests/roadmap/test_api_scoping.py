"""The workspace-scoped API (strategy.api.scoping): every list under /api/v1/w/<slug>/ shows
that workspace only, over every list endpoint the schema documents (so endpoints added later
are covered without editing this file); the old unscoped addresses answer only where they
cannot mix workspaces; tokens limited to a workspace or to reading."""

import re
import uuid

import pytest
from django.core.management import call_command
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from feedback import demo as feedback_demo
from releases import demo as releases_demo
from roadmap import demo_metrics, demo_usage
from strategy import demo as strategy_demo
from strategy import services
from strategy.models import Membership, User
from tests.api_urls import api_url
from tests.factories import MembershipFactory, ProductFactory

pytestmark = pytest.mark.django_db


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _token_client(secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def _list_paths() -> list[str]:
    """Every documented list: a GET under /api/v1/w/{ws}/ whose only path parameter is the workspace."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return sorted(path for path, operations in schema["paths"].items()
                  if path.startswith("/api/v1/w/{ws}/") and "get" in operations
                  and re.findall(r"\{(\w+)\}", path) == ["ws"])


def _seed_what_the_demo_leaves_empty(workspace, owner: User) -> None:
    """A saved view, and a webhook with a delivery: lists the demo has nothing in."""
    from roadmap.models import Webhook, WebhookDelivery
    from strategy.models import SavedView

    SavedView.objects.create(workspace=workspace, product=workspace.products.first(), owner=owner,
                             kind=SavedView.Kind.BACKLOG, name="Mine", query="assignee=me", shared=True)
    hook = Webhook.objects.create(workspace=workspace, url="https://hooks.example.com/waymark", secret="s" * 43,
                                  events=["feature.created"], created_by=owner)
    WebhookDelivery.objects.create(webhook=hook, uid=uuid.uuid4(), event="feature.created",
                                   payload={"event": "feature.created"}, state="succeeded", attempt_count=1,
                                   last_status_code=200)


@pytest.fixture(scope="module")
def two_demo_workspaces(django_db_setup, django_db_blocker):
    """The whole demo seeded twice, in two workspaces with the same members."""
    with django_db_blocker.unblock():
        slugs = []
        for _ in range(2):
            workspace = strategy_demo.seed_workspace()
            strategy_demo.seed_strategy(workspace)
            releases_demo.seed_releases(workspace)
            demo_usage.seed_usage(workspace)
            feedback_demo.seed_feedback(workspace)
            demo_metrics.seed_metrics(workspace)
            owner = User.objects.get(email=strategy_demo.DEMO_EMAIL)
            services.invitation_create(actor=owner, workspace=workspace, email="new@example.test", role="viewer")
            _seed_what_the_demo_leaves_empty(workspace, owner)
            workspace.slug = f"{workspace.slug}-{len(slugs)}"
            workspace.save(update_fields=["slug"])
            slugs.append(workspace.slug)
        yield slugs
        call_command("flush", "--no-input")


def test_no_list_endpoint_mixes_two_workspaces(two_demo_workspaces):
    first, second = two_demo_workspaces
    paths = _list_paths()
    assert len(paths) >= 15  # statuses, releases, features, personas, goals, ideas, customers…

    def lists() -> dict[str, object]:
        client = _api(User.objects.get(email=strategy_demo.DEMO_EMAIL))
        answers = {}
        for path in paths:
            # The search lists what matches its words: a word every demo workspace holds.
            words = {"q": "checkout"} if path.endswith("/search/") else {}
            response = client.get(path.replace("{ws}", first), {"page_size": 500, **words})
            assert response.status_code == 200, (path, response.content[:300])
            answers[path] = response.json()
        return answers

    before = lists()
    # Every list shows something, so that a record of the other workspace would have company.
    empty = [path for path, body in before.items() if isinstance(body, dict) and body.get("count") == 0]
    assert empty == [], empty
    # The same lists by the same person, now a member of the first workspace only: had any list
    # shown a record of the second, it would change.
    Membership.objects.filter(user__email=strategy_demo.DEMO_EMAIL, workspace__slug=second).delete()

    assert lists() == before


@pytest.fixture
def two_workspace_editor(editor, workspace, other_workspace):
    MembershipFactory(workspace=other_workspace, user=editor, role="editor")
    ProductFactory(workspace=workspace, key="MOB", name="Mobile")
    ProductFactory(workspace=other_workspace, key="SEC", name="Secret")
    return editor


def test_a_scoped_list_shows_the_named_workspace_only(two_workspace_editor):
    acme = _api(two_workspace_editor).get(api_url("strategy-api:product-list"))
    globex = _api(two_workspace_editor).get(api_url("strategy-api:product-list", ws="globex"))

    assert [p["key"] for p in acme.json()["results"]] == ["MOB"]
    assert [p["key"] for p in globex.json()["results"]] == ["SEC"]


def test_a_workspace_one_is_not_a_member_of_is_not_found(editor, other_workspace):
    response = _api(editor).get(api_url("strategy-api:product-list", ws="globex"))

    assert response.status_code == 404


def test_the_unscoped_list_of_a_member_of_several_workspaces_asks_for_one(two_workspace_editor):
    response = _api(two_workspace_editor).get(reverse("strategy-api:product-list"))

    assert response.status_code == 400
    assert "/api/v1/w/" in response.json()["workspace"][0]


def test_an_unscoped_create_of_a_member_of_several_workspaces_asks_for_one(two_workspace_editor):
    response = _api(two_workspace_editor).post(reverse("strategy-api:persona-list"), {"name": "Ann"}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["workspace"]


def test_the_unscoped_list_names_its_workspace_in_the_query_or_serves_a_single_workspace(
        two_workspace_editor, viewer):
    named = _api(two_workspace_editor).get(reverse("strategy-api:product-list"), {"workspace": "globex"})
    single = _api(viewer).get(reverse("strategy-api:product-list"))

    assert [p["key"] for p in named.json()["results"]] == ["SEC"]
    assert [p["key"] for p in single.json()["results"]] == ["MOB"]
    assert single["Deprecation"] == "true"


def test_a_record_of_another_workspace_is_not_found_under_this_one(two_workspace_editor, other_workspace):
    secret = other_workspace.products.get()

    wrong = _api(two_workspace_editor).get(api_url("strategy-api:product-detail", args=[secret.pk]))
    right = _api(two_workspace_editor).get(api_url("strategy-api:product-detail", args=[secret.pk], ws="globex"))

    assert (wrong.status_code, right.status_code) == (404, 200)


def test_a_create_under_one_workspace_cannot_name_a_product_of_another(two_workspace_editor, other_workspace):
    secret = other_workspace.products.get()

    response = _api(two_workspace_editor).post(
        api_url("strategy-api:persona-list"), {"product": secret.pk, "name": "Spy"}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["product"]


def test_a_scoped_create_takes_the_workspace_of_the_address(two_workspace_editor, other_workspace):
    response = _api(two_workspace_editor).post(
        api_url("strategy-api:product-list", ws="globex"), {"name": "Billing", "key": "BIL"}, format="json")

    assert response.status_code == 201, response.content
    assert response.json()["workspace"] == "globex"


def test_the_workspace_list_stays_unscoped_and_undeprecated(two_workspace_editor):
    response = _api(two_workspace_editor).get(reverse("strategy-api:workspace-list"))

    assert [w["slug"] for w in response.json()["results"]] == ["acme", "globex"]
    assert "Deprecation" not in response


# --- token limits -----------------------------------------------------------------------------


def test_a_token_limited_to_a_workspace_is_refused_elsewhere(two_workspace_editor, workspace):
    _token, secret = services.api_token_create(actor=two_workspace_editor, name="CI", workspace=workspace)
    client = _token_client(secret)

    assert client.get(api_url("strategy-api:product-list")).status_code == 200
    assert client.get(api_url("strategy-api:product-list", ws="globex")).status_code == 403
    unscoped = client.get(reverse("strategy-api:product-list"))
    assert [p["key"] for p in unscoped.json()["results"]] == ["MOB"]


def test_a_read_only_token_reads_and_may_not_write(editor, product):
    _token, secret = services.api_token_create(actor=editor, name="Dashboard", read_only=True)
    client = _token_client(secret)

    assert client.get(api_url("strategy-api:product-list")).status_code == 200
    created = client.post(api_url("strategy-api:persona-list"), {"product": product.pk, "name": "Ann"}, format="json")
    assert created.status_code == 403
    assert created.json() == {"detail": "This token is read-only."}


def test_a_token_cannot_be_limited_to_a_workspace_of_someone_else(editor, other_workspace):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as raised:
        services.api_token_create(actor=editor, name="CI", workspace=other_workspace)

    assert list(raised.value.message_dict) == ["workspace"]


def test_the_account_page_creates_a_limited_read_only_token(client_as_editor, editor, workspace):
    response = client_as_editor.post(reverse("strategy:api_token_create"),
                                     {"name": "Reports", "workspace": workspace.pk, "read_only": "on"})

    assert response.status_code == 200
    token = editor.api_tokens.get()
    assert (token.workspace, token.read_only) == (workspace, True)
    assert "Acme · read only" in client_as_editor.get(reverse("strategy:account")).content.decode()


def test_the_account_page_refuses_a_foreign_workspace_by_field(client_as_editor, editor, other_workspace):
    response = client_as_editor.post(reverse("strategy:api_token_create"),
                                     {"name": "Reports", "workspace": other_workspace.pk})

    assert response.status_code == 400
    assert "workspace" in response.context["token_form"].errors
    assert not editor.api_tokens.exists()
