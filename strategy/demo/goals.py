"""The demo workspace's goals with key results and months of check-ins, and initiatives
serving the goals.

Every record is written through the services, by the demo admin. Dates are relative to
today, so the goals look current whenever the seed runs. Idempotent: records are found by
their product and name, and what exists is left as it is, so seeding twice changes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from .. import services
from ..models import (
    CheckIn,
    Goal,
    Initiative,
    Product,
    User,
    Workspace,
)
from .tenancy import DEMO_EMAIL


@dataclass(frozen=True)
class KeyResultSpec:
    name: str
    unit: str
    start: str
    target: str
    check_ins: tuple[tuple[str, str], ...]  # (value, note), oldest first, after the starting value


@dataclass(frozen=True)
class GoalSpec:
    product: str | None  # None: company-wide
    name: str
    description: str
    owner: str
    starts: int  # days from today
    ends: int
    key_results: tuple[KeyResultSpec, ...]


# Time frames and values are chosen so the five goals show, on any day the seed runs: on track
# (GMV), at risk (easiest start), off track (checkout), achieved (app habit), on track (Pay).
GOALS = [
    GoalSpec(
        None, "Grow gross merchandise volume by 30 %",
        "More sales through our merchants is the one number the whole company moves together.",
        DEMO_EMAIL, -200, 165, (
            KeyResultSpec("Monthly GMV", "€m", "4.2", "5.5", (
                ("4.3", "Quiet January as expected"), ("4.6", "Spring collections landed"),
                ("4.9", "Mobile app GMV up 40 %"), ("5.0", "Steady; summer sale next"))),
            KeyResultSpec("Merchants with 100+ orders a month", "merchants", "1200", "1600", (
                ("1260", ""), ("1340", "Growth plan upgrades"), ("1420", "Guided setup helping new shops"))),
        ),
    ),
    GoalSpec(
        None, "Make Northwind the easiest place to start selling",
        "New shops should make their first sale in their first week, without talking to us.",
        "chris@waymark.test", -120, 60, (
            KeyResultSpec("Median days from sign-up to first sale", "days", "14", "5", (
                ("12", "Sample products in new shops"), ("10.5", ""), ("9.5", "Payments onboarding still slow"))),
            KeyResultSpec("Self-serve activation rate", "%", "38", "55", (
                ("40", ""), ("43", "Setup checklist shipped"), ("46", "Theme picker A/B test won"))),
        ),
    ),
    GoalSpec(
        "SHOP", "Lift storefront checkout conversion",
        "Checkout is where our merchants lose most sales; fix it before the holiday season.",
        "priya@waymark.test", -150, 30, (
            KeyResultSpec("Checkout conversion rate", "%", "2.8", "3.6", (
                ("2.9", ""), ("3.0", "Address autocomplete live"), ("3.1", "One-page checkout slipped a month"))),
            KeyResultSpec("Cart abandonment rate", "%", "72", "60", (
                ("71", ""), ("69", "Shipping costs shown earlier"), ("67", ""))),
            KeyResultSpec("Checkout page load (p75)", "ms", "2400", "1200", (
                ("2300", ""), ("2100", "Image CDN"), ("1900", "Third-party scripts still heavy"))),
        ),
    ),
    GoalSpec(
        "MOB", "Make the app part of shoppers' week",
        "Shoppers who open a shop's app weekly buy three times as often.",
        "mateo@waymark.test", -270, -10, (
            KeyResultSpec("Weekly active app users", "users", "18000", "30000", (
                ("21000", "Saved carts"), ("25500", "Back-in-stock alerts"), ("28800", ""),
                ("31200", "Target reached"))),
            KeyResultSpec("Push offer open rate", "%", "4", "8", (
                ("5.1", ""), ("6.4", "Personalised offers pilot"), ("7.2", ""), ("8.3", "Rolled out to all shops"))),
        ),
    ),
    GoalSpec(
        "PAY", "Launch Northwind Pay to the first 50 merchants",
        "Prove that merchants switch to Pay and stay, before opening it to everyone.",
        "priya@waymark.test", -45, 135, (
            KeyResultSpec("Merchants live on Pay", "merchants", "10", "50", (
                ("14", "First wave from the waiting list"), ("19", "Onboarding down to two days"))),
            KeyResultSpec("Payout failure rate", "%", "3.0", "0.5", (
                ("2.6", "IBAN validation"), ("2.2", "Retry on bank timeouts"))),
        ),
    ),
]

# (product key, name, description, status, starts, ends (days from today), colour, goal names)
INITIATIVES = [
    ("SHOP", "One-page checkout",
     "Address, delivery and payment on one page, with local payment methods first.",
     Initiative.Status.ACTIVE, -90, 45, "#f97316",
     ["Lift storefront checkout conversion", "Grow gross merchandise volume by 30 %"]),
    ("SHOP", "Guided store setup",
     "A checklist and sample products that get a new shop to its first sale.",
     Initiative.Status.ACTIVE, -60, 60, "#22c55e", ["Make Northwind the easiest place to start selling"]),
    ("MOB", "Personalised push offers",
     "Offers chosen per shopper from what they browsed and opened.",
     Initiative.Status.DONE, -240, -30, "#a855f7", ["Make the app part of shoppers' week"]),
    ("MOB", "Saved carts across devices",
     "A cart started on the web continues in the app, and back.",
     Initiative.Status.ACTIVE, -30, 90, "#0ea5e9", ["Grow gross merchandise volume by 30 %"]),
    ("PAY", "Instant payouts",
     "Payouts within minutes of an order, for a small fee.",
     Initiative.Status.ACTIVE, -45, 100, "#eab308", ["Launch Northwind Pay to the first 50 merchants"]),
    ("INS", "Merchant benchmarks",
     "Compare conversion, basket size and repeat rate with similar shops.",
     Initiative.Status.PROPOSED, 30, 150, "#14b8a6",
     ["Grow gross merchandise volume by 30 %", "Make Northwind the easiest place to start selling"]),
]


# --- seeding ----------------------------------------------------------------


def _at(day: date) -> datetime:
    return datetime.combine(day, time(9, 30), tzinfo=timezone.get_current_timezone())


def _seed_key_result(actor: User, goal: Goal, spec: KeyResultSpec, today: date) -> None:
    key_result = services.key_result_create(
        actor=actor, goal=goal, name=spec.name, unit=spec.unit,
        start_value=Decimal(spec.start), target_value=Decimal(spec.target),
    )
    check_ins = [key_result.check_ins.get()]
    for value, note in spec.check_ins:
        check_ins.append(services.key_result_check_in(actor=actor, key_result=key_result, value=Decimal(value),
                                                      note=note))
    # Spread the check-ins from the goal's start to its end (or to a few days ago), so the
    # progress chart spans the months the goal has been running.
    first, last = goal.start_date, min(goal.end_date, today - timedelta(days=3))
    span, steps = max((last - first).days, 0), max(len(check_ins) - 1, 1)
    for i, check_in in enumerate(check_ins):
        day = first + timedelta(days=round(span * i / steps))
        CheckIn.objects.filter(pk=check_in.pk).update(created_at=_at(day))


def _seed_goals(actor: User, workspace: Workspace, products: dict[str, Product], today: date) -> dict[str, Goal]:
    """The demo goals by name, with their key results; a goal is found by its product and name."""
    existing = {(g.product_id, g.name): g for g in Goal.objects.filter(workspace=workspace)}
    people = {u.email: u for u in User.objects.filter(memberships__workspace=workspace)}
    goals = {}
    for spec in GOALS:
        product = products.get(spec.product) if spec.product else None
        if spec.product and product is None:
            continue
        goal = goals[spec.name] = existing.get((product.pk if product else None, spec.name))
        if goal is None:
            goal = goals[spec.name] = services.goal_create(
                actor=actor, workspace=workspace, product=product, name=spec.name, description=spec.description,
                owner=people.get(spec.owner), start_date=today + timedelta(days=spec.starts),
                end_date=today + timedelta(days=spec.ends),
            )
        have = set(goal.key_results.values_list("name", flat=True))
        for kr_spec in spec.key_results:
            if kr_spec.name not in have:
                _seed_key_result(actor, goal, kr_spec, today)
    return goals


def _seed_initiatives(actor: User, products: dict[str, Product], goals: dict[str, Goal], today: date) -> None:
    have = set(Initiative.objects.filter(product__in=products.values()).values_list("product__key", "name"))
    for key, name, description, status, starts, ends, colour, goal_names in INITIATIVES:
        if key in products and (key, name) not in have:
            services.initiative_create(
                actor=actor, product=products[key], name=name, description=description, status=status,
                start_date=today + timedelta(days=starts), end_date=today + timedelta(days=ends), colour=colour,
                goals=[goals[g] for g in goal_names if g in goals],
            )


def seed_goals(actor: User, workspace: Workspace, products: dict[str, Product], today: date) -> None:
    """Add the demo goals with their key results and check-ins, and the initiatives, where missing."""
    goals = _seed_goals(actor, workspace, products, today)
    _seed_initiatives(actor, products, goals, today)
