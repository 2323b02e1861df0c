import pytest
from django.core.management import call_command

from strategy import demo
from strategy.models import Invitation, Membership, Product, Role, User, Workspace

pytestmark = pytest.mark.django_db


def snapshot():
    return {
        "users": sorted(User.objects.values_list("email", "password")),
        "workspaces": sorted(Workspace.objects.values_list("slug", "updated_at")),
        "memberships": sorted(Membership.objects.values_list("user__email", "role", "updated_at")),
        "products": sorted(Product.objects.values_list("key", "version", "updated_at")),
        "invitations": Invitation.objects.count(),
    }


def test_the_demo_workspace_looks_like_a_real_portfolio():
    call_command("seed_demo")
    workspace = Workspace.objects.get(name=demo.WORKSPACE_NAME)
    line = workspace.products.get(kind=Product.Kind.LINE)
    products_of_line = list(line.children.all())
    assert len(products_of_line) == 3
    assert len({p.stage for p in products_of_line}) == 3
    roles = set(workspace.memberships.values_list("role", flat=True))
    assert roles == set(Role.values)
    assert User.objects.get(email=demo.DEMO_EMAIL).check_password(demo.DEMO_PASSWORD)


def test_seeding_twice_changes_nothing():
    call_command("seed_demo")
    first = snapshot()
    call_command("seed_demo")
    assert snapshot() == first
