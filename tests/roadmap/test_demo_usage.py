"""The demo's usage events: deterministic, shaped like real use (weekday seasonality, growth,
a bounce rate between 30 and 50 %, three feature launches), and rolled up by seed_demo."""

from collections import Counter, defaultdict
from datetime import timedelta

import pytest
from django.core.management import call_command

from roadmap import demo_usage
from roadmap.models import UsageDaily, UsageFeatureDaily
from strategy.models import Product, Workspace

from ..factories import ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows(today):
    return demo_usage.product_events(ProductFactory(key="PAY"), today=today, seed=7)


def test_the_same_seed_gives_the_same_events(rows, today):
    again = demo_usage.product_events(ProductFactory(key="PAY", workspace__slug="again"), today=today, seed=7)

    assert again == rows


def test_the_demo_looks_like_real_use(rows, settings, today):
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(settings.TIME_ZONE)
    sessions: dict[str, int] = Counter(row[4] for row in rows)
    bounce = sum(1 for n in sessions.values() if n == 1) / len(sessions)
    users_by_day: dict = defaultdict(set)
    first_use: dict[str, object] = {}
    for _id, _name, user, anonymous, _session, moment, key, _props in rows:
        day = moment.astimezone(zone).date()
        users_by_day[day].add(user or anonymous)
        if key and (key not in first_use or day < first_use[key]):
            first_use[key] = day

    assert 0.30 <= bounce <= 0.50
    assert min(users_by_day) == today - timedelta(days=89) and max(users_by_day) == today
    weekday = [len(users) for day, users in users_by_day.items() if day.weekday() < 5]
    weekend = [len(users) for day, users in users_by_day.items() if day.weekday() >= 5]
    assert sum(weekend) / len(weekend) < 0.7 * sum(weekday) / len(weekday)
    first_weeks = sum(len(users_by_day[today - timedelta(days=89 - n)]) for n in range(14))
    last_weeks = sum(len(users_by_day[today - timedelta(days=n)]) for n in range(14))
    assert last_weeks > 1.2 * first_weeks
    assert set(first_use) == {"csv-export", "dark-mode", "offline-sync"}
    for key, launched, _plateau in demo_usage.LAUNCHES:
        assert today - timedelta(days=launched) <= first_use[key] <= today - timedelta(days=launched - 7), key


def test_seed_demo_rolls_the_demo_usage_up():
    call_command("seed_demo")

    workspace = Workspace.objects.get(slug="northwind-labs")
    products = Product.objects.filter(workspace=workspace, kind=Product.Kind.PRODUCT)
    assert UsageDaily.objects.filter(product__in=products).values("product").distinct().count() == products.count()
    assert UsageFeatureDaily.objects.filter(product__in=products, feature_key="dark-mode").exists()
    before = UsageDaily.objects.count()
    call_command("seed_demo")
    assert UsageDaily.objects.count() == before
