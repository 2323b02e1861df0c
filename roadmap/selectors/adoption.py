"""Feature adoption: after a feature's release date, the share of a product's weekly active
users who used the feature's usage key, week by week, from the usage rollups.

A week is the 7 days ending on a Sunday: its share is the feature's distinct users in those
7 days (`UsageFeatureDaily.users_7d`) ÷ the product's weekly active users on that Sunday
(`UsageDaily.wau`). The current figure is the same ratio for the 7 days ending on the last
complete day. Two queries for any number of features.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from releases.models import Feature

from ..models import UsageDaily, UsageFeatureDaily

WEEKS_SHOWN = 12


@dataclass(frozen=True)
class AdoptionWeek:
    start: date  # the Monday
    users: int
    active: int  # weekly active users of the product

    @property
    def share(self) -> float:
        return self.users * 100 / self.active if self.active else 0.0


@dataclass
class Adoption:
    """A shipped feature's adoption: weeks oldest first (complete weeks since its release,
    at most WEEKS_SHOWN), and the last 7 days as `current` (None before any rollup)."""

    feature_id: int
    usage_key: str
    released: date
    weeks: list[AdoptionWeek] = field(default_factory=list)
    current: AdoptionWeek | None = None
    computed_at: datetime | None = None


def released_on(feature: Feature) -> date | None:
    """The day a feature reached users: its release's date, or its own end date without one."""
    if feature.release_id and feature.release is not None:
        return feature.release.release_date
    return feature.end_date


def _sundays(first: date, last: date) -> list[date]:
    """Sundays from the week of `first` up to `last`, the newest WEEKS_SHOWN of them."""
    sunday = first + timedelta(days=6 - first.weekday())
    days = []
    while sunday <= last:
        days.append(sunday)
        sunday += timedelta(days=7)
    return days[-WEEKS_SHOWN:]


def feature_adoption(features: Iterable[Feature], *, today: date) -> dict[int, Adoption]:
    """{feature id: adoption} for the features with a usage key whose release date has passed
    (features come with their release loaded)."""
    yesterday = today - timedelta(days=1)
    shipped = {}
    for feature in features:
        released = released_on(feature)
        if feature.usage_key and released is not None and released <= yesterday:
            shipped[feature.pk] = (feature, released)
    if not shipped:
        return {}
    days_of = {pk: sorted({*_sundays(released, yesterday), yesterday}) for pk, (_f, released) in shipped.items()}
    wanted_days = {day for days in days_of.values() for day in days}
    product_ids = {feature.product_id for feature, _released in shipped.values()}
    active = {(row.product_id, row.day): row for row in UsageDaily.objects.filter(
        product_id__in=product_ids, day__in=wanted_days).only("product_id", "day", "wau", "computed_at")}
    used = {(row["product_id"], row["feature_key"], row["day"]): row["users_7d"] for row in UsageFeatureDaily.objects
            .filter(product_id__in=product_ids, feature_key__in={f.usage_key for f, _r in shipped.values()},
                    day__in=wanted_days).values("product_id", "feature_key", "day", "users_7d")}
    found = {}
    for pk, (feature, released) in shipped.items():
        adoption = Adoption(feature_id=pk, usage_key=feature.usage_key, released=released)
        for day in days_of[pk]:
            row = active.get((feature.product_id, day))
            if row is None:
                continue
            week = AdoptionWeek(start=day - timedelta(days=6), users=used.get((feature.product_id, feature.usage_key,
                                                                               day), 0), active=row.wau)
            if day.weekday() == 6:  # a Sunday ends a complete week
                adoption.weeks.append(week)
            if day == yesterday:
                adoption.current = week
            if adoption.computed_at is None or row.computed_at > adoption.computed_at:
                adoption.computed_at = row.computed_at
        found[pk] = adoption
    return found
