"""The demo workspace's key results fed by metrics, seeded last (after the delivery snapshots
and the usage rollups): three key results that follow a metric, and their first values.

- Mobile App: a goal "Get shoppers using what we ship" with "Dark mode adoption" (the share of
  weekly active users who used dark-mode, 0 → 40 %) and "Weekly active app users" (from the
  figure on the goal's first day to half as many again);
- Storefront: "Storefront bounce rate" (50 → 35 %) on its checkout goal;
- Northwind Pay: "Chance the next Pay release ships on time" (50 → 90 %) on its launch goal.

Idempotent: a key result that already exists (by name, in its goal) is left as it is.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from releases.models import Release
from strategy import services as strategy_services
from strategy.demo import DEMO_EMAIL
from strategy.models import Goal, Product, User, Workspace

from .models import Metric, UsageDaily
from .services import key_result_bind, key_results_refresh

MOBILE_GOAL = "Get shoppers using what we ship"


def _key_result(actor: User, goal: Goal, name: str, unit: str, start, target):
    existing = goal.key_results.filter(name=name).first()
    if existing is not None:
        return None
    return strategy_services.key_result_create(actor=actor, goal=goal, name=name, unit=unit,
                                               start_value=Decimal(start), target_value=Decimal(target))


def seed_metrics(workspace: Workspace) -> int:
    """Bind the demo's key results to their metrics and take the metrics' latest values;
    returns how many key results changed."""
    today = timezone.localdate()
    actor = User.objects.get(email=DEMO_EMAIL)
    products = {p.key: p for p in workspace.products.filter(kind=Product.Kind.PRODUCT)}
    mobile = products.get("MOB")
    if mobile is not None:
        goal = Goal.objects.filter(workspace=workspace, product=mobile, name=MOBILE_GOAL).first() or \
            strategy_services.goal_create(
                actor=actor, workspace=workspace, product=mobile, name=MOBILE_GOAL,
                description="Features only matter once shoppers use them: follow adoption of what shipped.",
                owner=User.objects.filter(email="mateo@waymark.test").first() or actor,
                start_date=today - timedelta(days=30), end_date=today + timedelta(days=60))
        adoption = _key_result(actor, goal, "Dark mode adoption", "%", 0, 40)
        if adoption is not None:
            key_result_bind(actor=actor, key_result=adoption, metric=Metric.FEATURE_ADOPTION,
                            product=mobile, feature_key="dark-mode")
        first_day = UsageDaily.objects.filter(product=mobile, day__gte=goal.start_date).order_by("day").first()
        start = first_day.wau if first_day and first_day.wau else 400
        active = _key_result(actor, goal, "Weekly active app users", "users", start, round(start * 1.5))
        if active is not None:
            key_result_bind(actor=actor, key_result=active, metric=Metric.WAU, product=mobile)
    shop = products.get("SHOP")
    shop_goal = Goal.objects.filter(workspace=workspace, product=shop).order_by("-end_date").first() if shop else None
    if shop_goal is not None:
        bounce = _key_result(actor, shop_goal, "Storefront bounce rate", "%", 50, 35)
        if bounce is not None:
            key_result_bind(actor=actor, key_result=bounce, metric=Metric.BOUNCE_RATE, product=shop)
    pay = products.get("PAY")
    pay_goal = Goal.objects.filter(workspace=workspace, product=pay).order_by("-end_date").first() if pay else None
    upcoming = Release.objects.filter(product=pay, release_date__gte=today).exclude(
        status__in=[Release.Status.RELEASED, Release.Status.CANCELLED]).order_by("release_date").first() \
        if pay else None
    if pay_goal is not None and upcoming is not None:
        chance = _key_result(actor, pay_goal, "Chance the next Pay release ships on time", "%", 50, 90)
        if chance is not None:
            key_result_bind(actor=actor, key_result=chance, metric=Metric.ON_TIME_PROBABILITY,
                            product=pay, release=upcoming)
    # Every bound key result of the demo, not only the new ones: usage seeded since takes effect.
    return key_results_refresh(product_ids=[product.pk for product in products.values()], today=today)
