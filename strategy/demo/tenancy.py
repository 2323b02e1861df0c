"""The demo workspace's people and portfolio. Idempotent: what exists is left as it is,
so running the seed twice changes nothing. Later layers add their own demo data."""

from __future__ import annotations

from django.db import transaction

from .. import services
from ..models import Product, Role, User, Workspace

DEMO_PASSWORD = "waymark-demo"
DEMO_EMAIL = "demo@waymark.test"
WORKSPACE_NAME = "Northwind Labs"
WORKSPACE_SLUG = "northwind-labs"

PEOPLE = [
    (DEMO_EMAIL, "Dana Whitfield", Role.ADMIN),
    ("chris@waymark.test", "Chris Okafor", Role.ADMIN),
    ("priya@waymark.test", "Priya Raman", Role.EDITOR),
    ("mateo@waymark.test", "Mateo Alvarez", Role.EDITOR),
    ("jordan@waymark.test", "Jordan Lee", Role.VIEWER),
    ("sofia@waymark.test", "Sofia Nilsson", Role.VIEWER),
]

# (key, name, kind, line key, stage, owner email, description)
PORTFOLIO = [
    ("NWC", "Northwind Commerce", Product.Kind.LINE, None, Product.Stage.GROWTH, DEMO_EMAIL,
     "Everything a shop owner needs to sell online: storefront, mobile shopping and payments."),
    ("SHOP", "Storefront", Product.Kind.PRODUCT, "NWC", Product.Stage.MATURITY, "priya@waymark.test",
     "The hosted web storefront: catalogue, search, cart and checkout. Our oldest and largest product."),
    ("MOB", "Mobile Shopping App", Product.Kind.PRODUCT, "NWC", Product.Stage.GROWTH, "mateo@waymark.test",
     "Native iOS and Android apps for shoppers, with saved carts and push offers."),
    ("PAY", "Northwind Pay", Product.Kind.PRODUCT, "NWC", Product.Stage.DEVELOPMENT, "priya@waymark.test",
     "Embedded payments and payouts for merchants. Private beta with ten merchants."),
    ("INS", "Merchant Insights", Product.Kind.PRODUCT, None, Product.Stage.LAUNCH, "chris@waymark.test",
     "Sales and customer analytics for merchants, launched this quarter."),
]


@transaction.atomic
def seed_workspace() -> Workspace:
    """Create the demo workspace, its members and portfolio where missing."""
    people = {}
    for email, full_name, _role in PEOPLE:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email, DEMO_PASSWORD, full_name=full_name)
        people[email] = user
    owner = people[DEMO_EMAIL]

    workspace = Workspace.objects.filter(slug=WORKSPACE_SLUG).first()
    if workspace is None:
        workspace = services.workspace_create(actor=owner, name=WORKSPACE_NAME)
    members = set(workspace.memberships.values_list("user__email", flat=True))
    for email, _name, role in PEOPLE:
        if email not in members:
            services.membership_add(actor=owner, workspace=workspace, user=people[email], role=role)

    existing = {p.key: p for p in workspace.products.all()}
    for key, name, kind, line_key, stage, owner_email, description in PORTFOLIO:
        if key not in existing:
            existing[key] = services.product_create(
                actor=owner, workspace=workspace, key=key, name=name, kind=kind,
                parent=existing.get(line_key), stage=stage, owner=people[owner_email], description=description,
            )
    return workspace


def products_by_key(workspace: Workspace) -> dict[str, Product]:
    return {p.key: p for p in workspace.products.all()}
