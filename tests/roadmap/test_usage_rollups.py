"""The usage rollups against hand-counted fixtures: DAU, WAU and MAU windows, sessions and
bounce rate, empty days, feature keys and their weekly adoption, days of settings.TIME_ZONE,
idempotence, incremental recomputation of dirty days only, and retention by partition."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from roadmap.models import UsageDaily, UsageDirtyDay, UsageFeatureDaily
from roadmap.selectors import usage as selectors
from roadmap.services import usage

pytestmark = pytest.mark.django_db

D0 = date(2026, 10, 1)
TODAY = D0 + timedelta(days=40)


def at(day: date, hour: int = 12, minute: int = 0, zone=UTC) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=zone)


class Events:
    """Rows written as the ingest service writes them, with ids of their own."""

    def __init__(self, product):
        self.product = product
        self.count = 0

    def add(self, moment: datetime, *, user=None, anonymous=None, session="s", feature=None, name="view"):
        self.count += 1
        row = (f"e{self.count}", name, user, anonymous, session, moment, feature, "{}")
        return usage.usage_events_write(product_id=self.product.pk, rows=[row])


def daily(product) -> dict[date, dict]:
    return {row["day"]: row for row in UsageDaily.objects.filter(product=product).order_by("day").values(
        "day", "dau", "wau", "mau", "sessions", "bounced_sessions", "events")}


def test_sessions_bounces_and_daily_users_of_one_day(product):
    events = Events(product)
    for minute in (0, 1, 2):
        events.add(at(D0, 9, minute), user="u1", session="a")
    events.add(at(D0, 10), user="u2", session="b")
    events.add(at(D0, 11), anonymous="anon-3", session="c")
    events.add(at(D0, 15), user="u1", session="d")

    usage.usage_rollup(product_id=product.pk, today=D0)

    row = daily(product)[D0]
    assert (row["dau"], row["sessions"], row["bounced_sessions"], row["events"]) == (3, 4, 3, 6)
    assert selectors.usage_daily_series(product=product, start=D0, end=D0)[0]["bounce_rate"] == 75.0


def test_a_user_id_and_an_anonymous_id_of_the_same_text_are_two_people(product):
    events = Events(product)
    events.add(at(D0), user="42", session="a")
    events.add(at(D0), anonymous="42", session="b")

    usage.usage_rollup(product_id=product.pk, today=D0)

    assert daily(product)[D0]["dau"] == 2


@pytest.fixture
def history(product):
    """u1 on D0, D0+3, D0+8 (using csv-export) and D0+10; u2 on D0+6 (csv-export); u3 on D0+35."""
    events = Events(product)
    for offset in (0, 3, 10):
        events.add(at(D0 + timedelta(days=offset)), user="u1", session=f"u1-{offset}")
    events.add(at(D0 + timedelta(days=8)), user="u1", session="u1-8", feature="csv-export")
    events.add(at(D0 + timedelta(days=6)), user="u2", session="u2-6", feature="csv-export")
    events.add(at(D0 + timedelta(days=35)), user="u3", session="u3-35")
    usage.usage_rollup(product_id=product.pk, today=TODAY)
    return events


@pytest.mark.parametrize(("offset", "dau", "wau", "mau"), [
    (0, 1, 1, 1),
    (3, 1, 1, 1),
    (6, 1, 2, 2),
    (10, 1, 2, 2),
    (13, 0, 1, 2),
    (20, 0, 0, 2),
    (29, 0, 0, 2),
    (30, 0, 0, 2),   # u1's D0+3 is still in the 30 days D0+1 … D0+30
    (36, 0, 1, 2),   # u1's D0+10 and u3
    (40, 0, 1, 1),   # only u3
])
def test_active_users_in_their_windows(product, history, offset, dau, wau, mau):
    row = daily(product)[D0 + timedelta(days=offset)]

    assert (row["dau"], row["wau"], row["mau"]) == (dau, wau, mau)


def test_days_without_events_have_rows_of_zeros_and_no_bounce_rate(product, history):
    empty = D0 + timedelta(days=20)
    row = selectors.usage_daily_series(product=product, start=empty, end=empty)[0]

    assert (row["dau"], row["sessions"], row["bounced_sessions"], row["events"]) == (0, 0, 0, 0)
    assert row["bounce_rate"] is None
    assert len(daily(product)) == 41  # D0 … TODAY, every day


def test_feature_keys_per_day_and_weekly_adoption(product, history):
    rows = {r["day"]: r for r in UsageFeatureDaily.objects.filter(product=product, feature_key="csv-export")
            .values("day", "users", "users_7d", "events")}
    assert (rows[D0 + timedelta(days=6)]["users"], rows[D0 + timedelta(days=6)]["users_7d"]) == (1, 1)
    assert rows[D0 + timedelta(days=8)]["users_7d"] == 2
    assert D0 + timedelta(days=15) not in rows  # seven days after its last use

    weeks = selectors.feature_adoption_weekly(product=product, starts={"csv-export": D0, "dark-mode": D0},
                                              end=D0 + timedelta(days=20))

    assert [(w["week_start"], w["users"], w["active_users"], w["share"]) for w in weeks["csv-export"]] == [
        (D0, 1, 2, 50.0),
        (D0 + timedelta(days=7), 1, 1, 100.0),
        (D0 + timedelta(days=14), 0, 0, None),
    ]
    assert [w["users"] for w in weeks["dark-mode"]] == [0, 0, 0]


def test_top_feature_keys(product, history):
    top = selectors.usage_top_feature_keys(product=product, start=D0, end=TODAY)

    assert [(t["feature_key"], t["total_events"], t["first_day"]) for t in top] == [
        ("csv-export", 2, D0 + timedelta(days=6))]


def test_days_are_days_of_the_configured_time_zone(product, settings):
    settings.TIME_ZONE = "Europe/Berlin"
    events = Events(product)
    events.add(datetime(2026, 11, 10, 22, 59, tzinfo=UTC), user="u1", session="a")  # 23:59 in Berlin
    events.add(datetime(2026, 11, 10, 23, 30, tzinfo=UTC), user="u1", session="a")  # 00:30 the next day
    # Summer time: Berlin is UTC+2 on 1 October.
    events.add(datetime(2026, 9, 30, 22, 30, tzinfo=UTC), user="u2", session="b")

    usage.usage_rollup(product_id=product.pk, today=date(2026, 11, 11))

    rows = daily(product)
    assert rows[date(2026, 11, 10)]["events"] == 1
    assert rows[date(2026, 11, 11)]["events"] == 1
    assert rows[date(2026, 11, 10)]["bounced_sessions"] == rows[date(2026, 11, 11)]["bounced_sessions"] == 1
    assert rows[date(2026, 10, 1)]["events"] == 1
    assert date(2026, 9, 30) not in rows
    assert usage.local_bounds(date(2026, 11, 11), date(2026, 11, 11))[0] == datetime(
        2026, 11, 11, tzinfo=ZoneInfo("Europe/Berlin"))


def test_the_same_events_in_utc_fall_on_one_day(product):
    events = Events(product)
    events.add(datetime(2026, 11, 10, 22, 59, tzinfo=UTC), user="u1", session="a")
    events.add(datetime(2026, 11, 10, 23, 30, tzinfo=UTC), user="u1", session="a")

    usage.usage_rollup(product_id=product.pk, today=date(2026, 11, 11))

    assert daily(product)[date(2026, 11, 10)]["events"] == 2


def _snapshot(product):
    days = list(UsageDaily.objects.filter(product=product).order_by("day").values(
        "day", "dau", "wau", "mau", "sessions", "bounced_sessions", "events"))
    features = list(UsageFeatureDaily.objects.filter(product=product).order_by("day", "feature_key").values(
        "day", "feature_key", "users", "users_7d", "events"))
    return days, features


def test_rolling_up_twice_gives_the_same_rows(product, history):
    first = _snapshot(product)

    usage.usage_rollup_all(product_id=product.pk, today=TODAY)
    usage.usage_rollup(product_id=product.pk, today=TODAY)

    assert _snapshot(product) == first
    assert not UsageDirtyDay.objects.filter(product=product).exists()


def test_only_dirty_days_and_the_windows_they_reach_are_recomputed(product, history):
    before = dict(UsageDaily.objects.filter(product=product).values_list("day", "computed_at"))
    new_day = D0 + timedelta(days=36)
    Events(product).add(at(new_day), user="u9", session="new")

    result = usage.usage_rollup(product_id=product.pk, today=TODAY)

    assert result.days == [new_day]
    assert result.ranges == [(new_day, TODAY)]
    after = dict(UsageDaily.objects.filter(product=product).values_list("day", "computed_at"))
    changed = sorted(day for day in after if after[day] != before[day])
    assert changed == [new_day + timedelta(days=n) for n in range(5)]
    assert daily(product)[new_day]["dau"] == 1
    assert daily(product)[TODAY]["mau"] == 2


def test_window_ranges_merge_and_stop_at_today():
    today = date(2026, 12, 31)
    days = [date(2026, 12, 1), date(2026, 12, 2), date(2026, 10, 1)]

    assert usage.window_ranges(days, today=today) == [
        (date(2026, 10, 1), date(2026, 10, 30)), (date(2026, 12, 1), today)]
    assert usage.window_ranges([date(2027, 1, 1)], today=today) == [(date(2027, 1, 1), date(2027, 1, 1))]


def test_a_mark_moved_on_during_a_rollup_stays_for_the_next(product, history, monkeypatch):
    day = D0 + timedelta(days=36)
    events = Events(product)
    events.add(at(day), user="u9", session="x")
    original = usage.window_ranges

    def ingest_meanwhile(days, *, today):
        # Another request stores an event of the same day while the rollup runs.
        usage.usage_days_mark_dirty(product_id=product.pk, days=[day])
        return original(days, today=today)

    monkeypatch.setattr(usage, "window_ranges", ingest_meanwhile)
    usage.usage_rollup(product_id=product.pk, today=TODAY)

    assert list(UsageDirtyDay.objects.filter(product=product).values_list("day", flat=True)) == [day]


def test_nothing_dirty_is_nothing_to_do(product):
    result = usage.usage_rollup(product_id=product.pk, today=TODAY)

    assert (result.days, result.ranges) == ([], [])


def test_products_are_rolled_up_apart(product, other_product):
    Events(product).add(at(D0), user="u1", session="a")
    Events(other_product).add(at(D0), user="u1", session="a")
    Events(other_product).add(at(D0), user="u2", session="b")

    usage.usage_rollup(product_id=product.pk, today=D0)

    assert daily(product)[D0]["dau"] == 1
    assert not UsageDaily.objects.filter(product=other_product).exists()
    assert usage.usage_dirty_products() == [other_product.pk]


# --- retention and partitions --------------------------------------------------------------------


def test_retention_drops_whole_months_past_it(product, settings):
    settings.USAGE_EVENT_RETENTION_DAYS = 400
    now = datetime(2026, 12, 7, 12, tzinfo=UTC)
    usage.usage_partitions_ensure(months_ahead=0, today=date(2025, 9, 15))
    usage.usage_partitions_ensure(months_ahead=0, today=date(2025, 11, 15))
    Events(product).add(datetime(2025, 9, 20, tzinfo=UTC), user="old", session="o")
    Events(product).add(datetime(2025, 11, 20, tzinfo=UTC), user="kept", session="k")

    dropped = usage.usage_partitions_drop_expired(now=now)

    # The cutoff is 2 Nov 2025: September and October 2025 ended before it, November did not.
    assert "roadmap_usage_event_p202509" in dropped
    assert "roadmap_usage_event_p202511" not in dropped
    names = [name for name, _first in usage.usage_partitions()]
    assert "roadmap_usage_event_p202511" in names and "roadmap_usage_event_p202509" not in names
    from roadmap.models import UsageEvent

    assert list(UsageEvent.objects.filter(product=product).values_list("user_id", flat=True)) == ["kept"]


def test_partitions_are_made_ahead(db):
    created = usage.usage_partitions_ensure(months_ahead=3, today=date(2031, 1, 15))

    assert created == [f"roadmap_usage_event_p2031{m:02d}" for m in (1, 2, 3, 4)]
    assert usage.usage_partitions_ensure(months_ahead=3, today=date(2031, 1, 15)) == []


def test_a_deleted_product_takes_its_activity_and_rollups_along(product, history):
    from django.db import connection

    product_id = product.pk
    product.delete()

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM roadmap_usage_actor_day WHERE product_id = %s", [product_id])
        assert cursor.fetchone()[0] == 0
    assert not UsageDaily.objects.filter(product_id=product_id).exists()
