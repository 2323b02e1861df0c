"""Reads of a product's usage metrics, as the rollups left them (see roadmap.services.usage):
the usage page and the executive dashboard share them.

They take a product the caller has already resolved for the user (`strategy.web.product_for`,
or a dashboard's `product_list(user=…)`), read only that product's rows, and cost a fixed
number of queries whatever the range: one per function, two for adoption. Days are days of
settings.TIME_ZONE; rows are plain dicts. A day the rollups have not reached has no row: the
series skip it rather than show a zero that was never counted."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta

from django.db.models import Max, Min, Subquery, Sum

from strategy.models import Product

from ..models import UsageDaily, UsageFeatureDaily

DAILY_FIELDS = ("day", "dau", "wau", "mau", "sessions", "bounced_sessions", "events", "computed_at")


def bounce_rate(sessions: int, bounced: int) -> float | None:
    """Bounced sessions as a percentage of sessions; None without sessions."""
    return bounced * 100 / sessions if sessions else None


def _with_rate(row: dict) -> dict:
    row["bounce_rate"] = bounce_rate(row["sessions"], row["bounced_sessions"])
    return row


def usage_daily_series(*, product: Product, start: date, end: date) -> list[dict]:
    """The product's daily rows from `start` to `end` (both included), oldest first: day, dau,
    wau, mau, sessions, bounced_sessions, bounce_rate (percent or None), events, computed_at."""
    rows = (UsageDaily.objects.filter(product=product, day__gte=start, day__lte=end)
            .order_by("day").values(*DAILY_FIELDS))
    return [_with_rate(row) for row in rows]


def usage_latest(*, product: Product, today: date) -> dict | None:
    """The product's row of its latest day up to `today`, with `computed_at` the moment of the
    product's last rollup (any day); None before the first rollup. One query."""
    last_rollup = (UsageDaily.objects.filter(product=product).values("product")
                   .annotate(at=Max("computed_at")).values("at"))
    row = (UsageDaily.objects.filter(product=product, day__lte=today).order_by("-day")
           .values(*DAILY_FIELDS).annotate(last_computed_at=Subquery(last_rollup)).first())
    if row is None:
        return None
    row["computed_at"] = row.pop("last_computed_at") or row["computed_at"]
    return _with_rate(row)


def usage_top_feature_keys(*, product: Product, start: date, end: date, limit: int = 8) -> list[dict]:
    """The feature keys used most from `start` to `end`, by events: feature_key, events (in
    the range), first_day and last_day (with use in the range). One query."""
    return list(UsageFeatureDaily.objects
                .filter(product=product, day__gte=start, day__lte=end, events__gt=0)
                .values("feature_key")
                .annotate(total_events=Sum("events"), first_day=Min("day"), last_day=Max("day"))
                .order_by("-total_events", "feature_key")[:limit])


def feature_adoption_weekly(*, product: Product, starts: Mapping[str, date], end: date) -> dict[str, list[dict]]:
    """Weekly adoption of each feature key from its start date (a feature's release date, say):
    for each whole week from the start up to `end` whose last day the rollups have reached,
    {week_start, week_end, users (distinct users of the key in the week), active_users (WAU of
    the week's last day), share (users ÷ active users, percent; None without active users)}.
    Keys without use have weeks of zero users. Two queries, whatever the keys and weeks."""
    if not starts:
        return {}
    first = min(starts.values())
    active = dict(UsageDaily.objects.filter(product=product, day__gte=first, day__lte=end)
                  .values_list("day", "wau"))
    used: dict[tuple[str, date], int] = {
        (key, day): users for key, day, users in UsageFeatureDaily.objects
        .filter(product=product, feature_key__in=list(starts), day__gte=first, day__lte=end)
        .values_list("feature_key", "day", "users_7d")}
    adoption: dict[str, list[dict]] = {}
    for key, start in starts.items():
        weeks = []
        week_end = start + timedelta(days=6)
        while week_end <= end and week_end in active:
            users, actives = used.get((key, week_end), 0), active[week_end]
            weeks.append({"week_start": week_end - timedelta(days=6), "week_end": week_end, "users": users,
                          "active_users": actives, "share": users * 100 / actives if actives else None})
            week_end += timedelta(days=7)
        adoption[key] = weeks
    return adoption


def usage_computed_at(*, products: list[Product]) -> dict[int, datetime]:
    """When each product's usage was last rolled up (products never rolled up are absent). One query."""
    return dict(UsageDaily.objects.filter(product__in=products).values("product")
                .annotate(at=Max("computed_at")).values_list("product", "at"))

