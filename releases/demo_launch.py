"""Go-to-market demo data, added by `seed_releases` to the products it has just seeded: the
upcoming releases get phases, the workspace's launch template applied (some to-dos done,
one overdue) and messaging; the last shipped release of the storefront gets published
release notes. Everything goes through releases.services, like any other change."""

from __future__ import annotations

from datetime import date, timedelta

from strategy.models import Competitor, Persona, Product, User, Workspace

from . import services
from .models import Feature, LaunchTemplate, LaunchTodo, PhaseType, Release, StatusCategory

TEMPLATE_NAME = "Standard launch"
TEMPLATE_ITEMS = [
    ("Write the positioning brief", "Marketing", -28),
    ("Update the sales deck and battlecard", "Sales", -14),
    ("Train support on the new features", "Support", -10),
    ("Publish help-centre articles", "Docs", -3),
    ("Send the launch email", "Marketing", 0),
    ("Customer follow-up calls", "Sales", 7),
]
# Who takes each team's to-dos in the demo (a viewer on sales and support: they tick their own).
OWNERS = {"Marketing": "priya@waymark.test", "Sales": "jordan@waymark.test", "Support": "sofia@waymark.test",
          "Docs": "mateo@waymark.test"}
MESSAGES = {
    "SHOP": "- **Check out in one page**: fewer steps, fewer abandoned carts.\n- Saved addresses for returning "
            "customers.",
    "MOB": "- **Your shop in your pocket**: the full catalogue, offline.\n- Push offers your customers asked for.",
    "PAY": "- **Get paid the same day** with instant payouts.\n- Fewer declined cards.",
    "INS": "- **Know what sells**: live dashboards for every shop.\n- Exports your accountant can read.",
}


def _template(actor: User, workspace: Workspace) -> LaunchTemplate:
    found = LaunchTemplate.objects.filter(workspace=workspace, name=TEMPLATE_NAME).first()
    if found is not None:
        return found
    return services.template_create(actor=actor, workspace=workspace, name=TEMPLATE_NAME,
                                    description="What marketing, sales, support and docs do for every release.",
                                    items=[{"title": t, "team": team, "offset_days": d}
                                           for t, team, d in TEMPLATE_ITEMS])


def _phases(actor: User, release: Release, types: dict[str, PhaseType]) -> None:
    start, end = release.start_date, release.release_date
    span = (end - start).days
    plan_end = start + timedelta(days=span // 5)
    beta_start = end - timedelta(days=14)
    for name, first, last in [("Plan", start, plan_end), ("Build", plan_end + timedelta(days=1), beta_start),
                              ("Beta", beta_start, end - timedelta(days=3)),
                              ("Launch", end - timedelta(days=2), end)]:
        if name in types and first <= last:
            services.release_phase_create(actor=actor, release=release, phase_type=types[name], start_date=first,
                                          end_date=last)


def _checklist(actor: User, release: Release, template: LaunchTemplate, people: dict[str, User],
               today: date, *, leave_overdue: bool) -> None:
    services.template_apply(actor=actor, template=template, release=release)
    todos = list(LaunchTodo.objects.filter(release=release).order_by("due_date", "id"))
    for todo in todos:
        owner = people.get(OWNERS.get(todo.team, ""))
        if owner is not None:
            services.todo_update(actor=actor, todo=todo, assignee=owner)
    past = [t for t in todos if t.due_date and t.due_date < today]
    # Everything already due is done, but (once in the demo) the most recent one: it is overdue.
    for todo in past[:-1] if leave_overdue else past:
        services.todo_set_done(actor=actor, todo=todo, done=True)


def _messaging(actor: User, product: Product, release: Release) -> None:
    lineage = [product.pk] + ([product.parent_id] if product.parent_id else [])
    personas = list(Persona.objects.filter(product_id__in=lineage).order_by("name")[:2])
    competitors = list(Competitor.objects.filter(product_id__in=lineage).order_by("name")[:1])
    services.messaging_update(actor=actor, release=release, key_messages=MESSAGES.get(product.key, ""),
                              personas=personas, competitors=competitors)


def _release_notes(actor: User, release: Release) -> None:
    shipped = list(Feature.objects.filter(release=release, status__category=StatusCategory.DONE).order_by("rank")[:4])
    for feature in shipped:
        services.feature_update(actor=actor, feature=feature, in_release_notes=True,
                                customer_description=f"Available to every shop from version {release.version_label}.")
    services.release_note_save(actor=actor, release=release, body=services.release_note_draft(release=release))
    services.release_note_publish(actor=actor, release=release)


def seed_launch(*, actor: User, workspace: Workspace, products: list[Product], people: dict[str, User],
                today: date) -> None:
    """Phases, the launch template applied, messaging on each product's releases still to come
    (the first two), and published notes on the storefront's last shipped release."""
    if not products:
        return
    if not PhaseType.objects.filter(workspace=workspace).exists():
        services.phase_types_defaults_create(workspace=workspace)
    types = {t.name: t for t in PhaseType.objects.filter(workspace=workspace)}
    template = _template(actor, workspace)
    overdue_left = False
    # The storefront first: its current release carries the demo's one overdue to-do.
    for product in sorted(products, key=lambda p: (p.key != "SHOP", p.key)):
        upcoming = list(Release.objects.filter(product=product, release_date__gte=today)
                        .exclude(status__in=[Release.Status.RELEASED, Release.Status.CANCELLED])
                        .order_by("release_date")[:2])
        for i, release in enumerate(upcoming):
            _phases(actor, release, types)
            _messaging(actor, product, release)
            if i == 0:
                _checklist(actor, release, template, people, today, leave_overdue=not overdue_left)
                overdue_left = overdue_left or LaunchTodo.objects.filter(
                    release=release, state=LaunchTodo.State.OPEN, due_date__lt=today).exists()
        if product.key == "SHOP":
            shipped = Release.objects.filter(product=product, status=Release.Status.RELEASED).order_by(
                "-release_date").first()
            if shipped is not None:
                _release_notes(actor, shipped)
