"""The demo workspace's usage events: 90 days of synthetic but plausible events for each of its
products, then rolled up synchronously, so the usage pages have something to show.

What the events look like:
- a user base that grows by about half over the 90 days, with weekday seasonality (weekends
  are quieter: these are tools people use at work) and some day-to-day noise;
- a core of frequent users and a long tail of occasional ones (so WAU and MAU are several
  times DAU), plus anonymous visitors who mostly look at one page and leave;
- sessions of one event (bounces) for about 40 % of sessions, others of 2–8 events a minute or
  two apart;
- three feature launches with an S-shaped adoption curve: "offline-sync" about 70 days ago,
  "csv-export" about 45 days ago and "dark-mode" about 20 days ago (the demo features that
  carry these keys get them from a later seeding step); where a product has a demo feature with
  that key, the launch is moved to the day its release shipped, so its adoption starts there.

Deterministic: a random generator seeded per product, dates relative to today. Written with
COPY through the ingest service's write path (which also marks the days for the rollup), about
150,000 events in all, in about 10 seconds. Idempotent: a product with events or rollups is left
as it is."""

from __future__ import annotations

import math
import random
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from releases.models import Feature
from strategy.models import Product, Workspace

from .models import UsageDaily, UsageEvent
from .selectors.adoption import released_on
from .services import usage

DAYS = 90
# Per product: daily active signed-in users at the start, and the random seed.
BASE_DAU = {"SHOP": 120, "MOB": 95, "PAY": 40, "INS": 60}
DEFAULT_DAU = 50
# (feature key, days ago it launched, share of a day's active users who use it once adopted)
LAUNCHES = [("offline-sync", 70, 0.12), ("csv-export", 45, 0.22), ("dark-mode", 20, 0.35)]
WEEKDAY = [1.0, 1.04, 1.02, 0.98, 0.9, 0.5, 0.42]  # Monday … Sunday
PAGES = ["page_viewed", "search_performed", "item_viewed", "list_filtered", "report_viewed", "settings_opened"]
FEATURE_EVENTS = {"offline-sync": "offline_synced", "csv-export": "report_exported", "dark-mode": "theme_switched"}


def adoption(days_since_launch: float, plateau: float) -> float:
    """An S-curve: nothing before the launch, half the plateau after ~10 days."""
    if days_since_launch < 0:
        return 0.0
    return plateau / (1 + math.exp(-(days_since_launch - 10) / 3.5))


def product_events(product: Product, *, today, seed: int, scale: float = 1.0,
                   launches: list[tuple[str, int, float]] | None = None) -> list[tuple]:
    """The rows (as `usage.check_event` makes them) of one product's 90 days; `scale` shrinks
    or grows the user base; `launches` replaces LAUNCHES."""
    launches = LAUNCHES if launches is None else launches
    rng = random.Random(seed)
    zone = ZoneInfo(settings.TIME_ZONE)
    base = max(4, int(BASE_DAU.get(product.key, DEFAULT_DAU) * scale))
    pool = int(base * 2.6)
    rows: list[tuple] = []
    n = 0

    def add(moment, name, user, anonymous, session, feature=None, props="{}"):
        nonlocal n
        n += 1
        rows.append((f"demo-{product.key}-{n}", name, user, anonymous, session, moment.astimezone(ZoneInfo("UTC")),
                     feature, props))

    for offset in range(DAYS - 1, -1, -1):
        day = today - timedelta(days=offset)
        growth = 1 + 0.5 * (DAYS - 1 - offset) / (DAYS - 1)
        dau = max(3, int(base * growth * WEEKDAY[day.weekday()] * rng.uniform(0.92, 1.08)))
        # Frequent users come back often: a skewed pick from a pool that grows with the product.
        reach = int(pool * growth)
        users = {int(reach * rng.random() ** 1.7) for _ in range(dau)}
        start_of_day = datetime.combine(day, time(6), tzinfo=zone)
        for user in users:
            sessions = 1 + (rng.random() < 0.35) + (rng.random() < 0.1)
            used: list[str] = [key for key, launched, plateau in launches
                               if rng.random() < adoption(launched - offset, plateau)]
            for s in range(sessions):
                session = f"s-{day:%m%d}-{user}-{s}"
                moment = start_of_day + timedelta(seconds=rng.randint(0, 15 * 3600))
                bounced = rng.random() < 0.42 and not (used and s == 0)
                length = 1 if bounced else rng.randint(2, 8)
                for i in range(length):
                    add(moment, rng.choice(PAGES) if i else "session_started", f"user-{user}", None, session)
                    moment += timedelta(seconds=rng.randint(15, 150))
                if s == 0:
                    for key in used:
                        add(moment, FEATURE_EVENTS[key], f"user-{user}", None, session, feature=key)
                        moment += timedelta(seconds=rng.randint(15, 90))
        # Visitors who are not signed in: mostly one page and gone.
        for visitor in range(int(dau * 0.3)):
            anonymous = f"anon-{int(reach * 2 * rng.random())}"
            session = f"a-{day:%m%d}-{visitor}"
            moment = start_of_day + timedelta(seconds=rng.randint(0, 15 * 3600))
            for i in range(1 if rng.random() < 0.7 else rng.randint(2, 4)):
                add(moment, "landing_viewed" if i == 0 else "page_viewed", None, anonymous, session,
                    props='{"referrer":"search"}')
                moment += timedelta(seconds=rng.randint(10, 60))
    return rows


def _launches(product: Product, today) -> list[tuple[str, int, float]]:
    """LAUNCHES, each launched when the product's demo feature with that usage key was released
    (so the feature page's adoption starts at its release date), if the product has one."""
    released = {}
    for feature in Feature.objects.filter(product=product).exclude(usage_key="").select_related("release"):
        day = released_on(feature)
        if day is not None and day <= today:
            released[feature.usage_key] = (today - day).days
    return [(key, min(released.get(key, launched), DAYS - 1), plateau) for key, launched, plateau in LAUNCHES]


def seed_usage(workspace: Workspace) -> int:
    """Events for each product of `workspace` that has none, rolled up at once; returns how
    many events were written."""
    today = timezone.localdate()
    written = 0
    products = Product.objects.filter(workspace=workspace, kind=Product.Kind.PRODUCT).order_by("key")
    for index, product in enumerate(products):
        if UsageDaily.objects.filter(product=product).exists() or \
                UsageEvent.objects.filter(product=product).exists():
            continue
        rows = product_events(product, today=today, seed=1000 + index, scale=settings.DEMO_USAGE_SCALE,
                              launches=_launches(product, today))
        written += usage.usage_events_write(product_id=product.pk, rows=rows)
        usage.usage_rollup(product_id=product.pk, today=today)
    return written
