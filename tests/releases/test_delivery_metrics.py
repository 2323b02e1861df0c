"""Delivery arithmetic of releases/metrics.py against hand-computed fixtures: no database."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from releases import metrics
from releases.metrics import Version

BERLIN = ZoneInfo("Europe/Berlin")  # UTC+2 in July


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def v(feature_id, when, category, estimate=None, release=None, deleted=False) -> Version:
    return Version(feature_id, at(when), category, Decimal(estimate) if estimate is not None else None, release,
                   deleted)


# --- finished features and weekly throughput --------------------------------------


def test_a_reopened_feature_counts_once_at_its_final_done():
    versions = [
        v(1, "2026-03-02 09:00", "in_progress"),
        v(1, "2026-03-03 09:00", "done"),
        v(1, "2026-03-05 09:00", "in_progress"),  # re-opened
        v(1, "2026-03-18 09:00", "done"),
        v(1, "2026-03-19 09:00", "done"),  # another save while done: still the 18th
    ]

    assert metrics.finished_at(versions) == {1: at("2026-03-18 09:00")}


def test_features_reopened_wont_do_or_deleted_are_not_finished():
    versions = [
        v(1, "2026-03-03 09:00", "done"), v(1, "2026-03-05 09:00", "in_progress"),
        v(2, "2026-03-03 09:00", "wont_do"),
        v(3, "2026-03-03 09:00", "done"), v(3, "2026-03-04 09:00", "done", deleted=True),
    ]

    assert metrics.finished_at(versions) == {}


def test_weekly_throughput_counts_each_iso_week_with_empty_weeks_as_zero():
    days = [date(2026, 3, 2), date(2026, 3, 8), date(2026, 3, 17), date(2026, 2, 20)]  # Mon, Sun, Tue, earlier

    weeks = metrics.weekly_throughput(days, first_week=date(2026, 3, 4), last_week=date(2026, 3, 22))

    assert weeks == [(date(2026, 3, 2), 2), (date(2026, 3, 9), 0), (date(2026, 3, 16), 1)]


def test_a_done_late_on_sunday_in_utc_falls_in_the_next_week_in_a_utc_plus_two_zone():
    versions = [v(1, "2026-07-12 23:30", "done")]  # Sunday 23:30 UTC = Monday 01:30 in Berlin
    today = date(2026, 7, 15)

    in_utc = metrics.throughput(versions, today=today, tz=UTC, chart_weeks=2)
    in_berlin = metrics.throughput(versions, today=today, tz=BERLIN, chart_weeks=2)

    assert in_utc.weeks == [(date(2026, 7, 6), 1), (date(2026, 7, 13), 0)]
    assert in_berlin.weeks == [(date(2026, 7, 6), 0), (date(2026, 7, 13), 1)]


def test_throughput_of_a_reopened_feature_lands_in_the_week_of_its_final_done():
    versions = [v(1, "2026-03-03 09:00", "done"), v(1, "2026-03-05 09:00", "in_progress"),
                v(1, "2026-03-18 09:00", "done")]

    pace = metrics.throughput(versions, today=date(2026, 3, 20), tz=UTC, chart_weeks=3)

    assert pace.weeks == [(date(2026, 3, 2), 0), (date(2026, 3, 9), 0), (date(2026, 3, 16), 1)]


def test_the_forecast_samples_complete_weeks_since_the_first_change_only():
    weekly = [(date(2026, 2, 23) + timedelta(days=7 * i), i) for i in range(6)]  # 23 Feb .. 30 Mar

    sample = metrics.throughput_sample(weekly, today=date(2026, 4, 1), since=date(2026, 3, 4), weeks=12)

    # From the week of 2 Mar (the first change), to the week before today's (30 Mar, still open).
    assert sample == [1, 2, 3, 4]


def test_the_forecast_samples_at_most_the_last_twelve_weeks():
    weekly = [(date(2026, 1, 5) + timedelta(days=7 * i), 1 if i < 5 else 2) for i in range(20)]

    sample = metrics.throughput_sample(weekly, today=date(2026, 5, 25), since=date(2025, 1, 1))

    assert len(sample) == 12 and sample == [2] * 12


# --- cycle time -------------------------------------------------------------------


def test_cycle_time_runs_from_the_first_in_progress_to_the_final_done():
    versions = [
        v(1, "2026-03-01 09:00", "not_started"),
        v(1, "2026-03-02 09:00", "in_progress"),
        v(1, "2026-03-04 09:00", "done"),
        v(1, "2026-03-05 09:00", "in_progress"),
        v(1, "2026-03-12 17:00", "done"),
        v(2, "2026-03-10 08:00", "in_progress"), v(2, "2026-03-10 18:00", "done"),  # the same day: 0
        v(3, "2026-03-10 08:00", "done"),  # never in progress: no known start
    ]

    cycles = metrics.cycle_times(versions, tz=UTC)

    assert [(c.feature_id, c.started, c.finished, c.days) for c in cycles] == [
        (2, date(2026, 3, 10), date(2026, 3, 10), 0),
        (1, date(2026, 3, 2), date(2026, 3, 12), 10),
    ]


def test_cycle_time_days_are_counted_in_the_installations_time_zone():
    versions = [v(1, "2026-07-01 21:30", "in_progress"), v(1, "2026-07-03 23:30", "done")]

    assert metrics.cycle_times(versions, tz=UTC)[0].days == 2
    (cycle,) = metrics.cycle_times(versions, tz=BERLIN)
    assert (cycle.started, cycle.finished, cycle.days) == (date(2026, 7, 1), date(2026, 7, 4), 3)


@pytest.mark.parametrize(("values", "p", "expected"), [
    ([1, 2, 3, 10], 50, 2.5),
    ([1, 2, 3, 10], 85, 6.85),  # rank 2.55: 3 + 0.55 × (10 − 3)
    ([7], 85, 7),
    ([], 50, None),
])
def test_percentiles_interpolate_between_ranks(values, p, expected):
    assert metrics.percentile(values, p) == (pytest.approx(expected) if expected is not None else None)


def test_the_throughput_summary_gives_cycle_percentiles_of_the_chart_weeks():
    versions = []
    for feature_id, days in enumerate([1, 2, 3, 10], start=1):
        versions += [v(feature_id, "2026-03-02 09:00", "in_progress"),
                     v(feature_id, (datetime(2026, 3, 2, 9) + timedelta(days=days)).isoformat(), "done")]

    pace = metrics.throughput(versions, today=date(2026, 3, 20), tz=UTC, chart_weeks=4)

    assert (pace.cycle_p50, pace.cycle_p85) == (2.5, pytest.approx(6.85))
    assert [count for _, count in pace.weeks] == [0, 3, 1, 0]  # weeks of 23 Feb, 2, 9 and 16 Mar


# --- scope change -----------------------------------------------------------------


def test_scope_added_and_removed_since_the_release_started():
    start = date(2026, 3, 10)
    versions = [
        v(1, "2026-03-01 09:00", "not_started", 5, release=1),
        v(1, "2026-03-12 09:00", "in_progress", 8, release=1),  # grew by 3
        v(2, "2026-03-01 09:00", "not_started", 3, release=1),
        v(2, "2026-03-15 09:00", "not_started", 3, release=2),  # moved away: removed
        v(3, "2026-03-01 09:00", "not_started", 2, release=None),
        v(3, "2026-03-12 09:00", "not_started", 2, release=1),  # joined: added
        v(4, "2026-03-12 09:00", "not_started", 13, release=1),
        v(4, "2026-03-14 09:00", "not_started", 13, release=None),  # joined and left: neither
        v(5, "2026-03-01 09:00", "not_started", 4, release=1),
        v(5, "2026-03-13 09:00", "wont_do", 4, release=1),  # won't do: removed
        v(6, "2026-03-01 09:00", "not_started", 5, release=1),
        v(6, "2026-03-16 09:00", "not_started", 2, release=1),  # shrank by 3
        v(7, "2026-03-10 15:00", "not_started", 1, release=1),  # on the start day: in the baseline
        v(8, "2026-03-12 09:00", "not_started", 20, release=2),  # another release's
        v(9, "2026-03-01 09:00", "done", 1, release=1),
        v(9, "2026-03-11 09:00", "done", 1, release=1, deleted=True),  # deleted: removed
    ]

    change = metrics.scope_change(versions, release_id=1, start=start, today=date(2026, 3, 20), tz=UTC)

    assert change == metrics.ScopeChange(True, added_count=1, removed_count=3, added_estimate=Decimal(5),
                                         removed_estimate=Decimal(11))
    assert change.net_estimate == Decimal(-6)


def test_scope_change_waits_for_the_release_to_start():
    versions = [v(1, "2026-03-01 09:00", "not_started", 5, release=1)]

    change = metrics.scope_change(versions, release_id=1, start=date(2026, 3, 10), today=date(2026, 3, 9), tz=UTC)

    assert change == metrics.ScopeChange(started=False)


def test_a_feature_joining_just_after_midnight_local_time_is_added_scope():
    # 22:30 UTC on the start day is already the next day in Berlin.
    versions = [v(1, "2026-07-10 22:30", "not_started", 3, release=1)]

    in_utc = metrics.scope_change(versions, release_id=1, start=date(2026, 7, 10), today=date(2026, 7, 20), tz=UTC)
    in_berlin = metrics.scope_change(versions, release_id=1, start=date(2026, 7, 10), today=date(2026, 7, 20),
                                     tz=BERLIN)

    assert (in_utc.added_count, in_berlin.added_count) == (0, 1)


def test_the_burn_up_of_a_release_counts_a_feature_moved_away_as_out_of_scope():
    versions = [v(1, "2026-03-01 09:00", "not_started", 5, release=1),
                v(1, "2026-03-03 09:00", "not_started", 5, release=2),
                v(2, "2026-03-01 09:00", "done", 3, release=1),
                v(3, "2026-03-01 09:00", "done", 8, release=2)]  # never in release 1

    events = metrics.release_events(versions, release_id=1, tz=UTC)
    series = metrics.burn_up(events=events, start=date(2026, 3, 1), end=date(2026, 3, 31), today=date(2026, 3, 3))

    assert [(day.day, done, scope) for day, done, scope in series] == [(1, 3, 8), (2, 3, 8), (3, 3, 3)]


# --- Monte Carlo forecast -------------------------------------------------------------


TODAY = date(2026, 3, 4)


def test_the_forecast_is_the_same_with_the_same_seed():
    sample = [0, 1, 3, 2, 0, 5, 1, 1, 2, 0, 4, 2]

    first = metrics.forecast(remaining=17, sample=sample, today=TODAY, release_date=date(2026, 5, 1), seed=7)
    again = metrics.forecast(remaining=17, sample=sample, today=TODAY, release_date=date(2026, 5, 1), seed=7)

    assert first == again
    assert first.status == metrics.FORECAST_OK and first.simulations == 10_000
    assert first.dates[50] <= first.dates[85] <= first.dates[95]


def test_a_steady_team_finishes_on_a_known_day():
    # Two a week, ten to go: five weeks in every simulation.
    result = metrics.forecast(remaining=10, sample=[2] * 12, today=TODAY, release_date=TODAY + timedelta(days=35))

    assert result.dates == {50: TODAY + timedelta(days=35), 85: TODAY + timedelta(days=35),
                            95: TODAY + timedelta(days=35)}
    assert result.probability == 1.0
    assert metrics.forecast(remaining=10, sample=[2] * 12, today=TODAY,
                            release_date=TODAY + timedelta(days=34)).probability == 0.0


def test_the_chance_of_finishing_matches_the_hand_computed_odds():
    # Weeks of 1 or 3, four to go: done within two weeks unless both weeks are 1s (1 in 4).
    result = metrics.forecast(remaining=4, sample=[1, 3], today=TODAY, release_date=TODAY + timedelta(days=14))

    assert result.probability == pytest.approx(0.75, abs=0.02)
    assert result.dates[50] == TODAY + timedelta(days=14)


def test_more_remaining_work_never_finishes_sooner():
    sample = [0, 1, 3, 2, 0, 5, 1, 1, 2, 0, 4, 2]
    needed = metrics.simulate_weeks([5, 20, 60], sample, seed=3)

    dates = {amount: metrics.forecast(remaining=amount, sample=sample, today=TODAY, needed=needed[amount]).dates
             for amount in (5, 20, 60)}

    for confidence in metrics.CONFIDENCES:
        assert dates[5][confidence] < dates[20][confidence] < dates[60][confidence]


def test_nothing_remaining_is_done_today_for_sure():
    result = metrics.forecast(remaining=0, sample=[], today=TODAY, release_date=TODAY - timedelta(days=3))

    assert result.status == metrics.FORECAST_DONE
    assert result.dates == {50: TODAY, 85: TODAY, 95: TODAY}
    assert result.probability == 1.0


@pytest.mark.parametrize("sample", [[], [0] * 12])
def test_without_throughput_there_is_not_enough_history(sample):
    result = metrics.forecast(remaining=3, sample=sample, today=TODAY, release_date=TODAY + timedelta(days=30))

    assert result.status == metrics.FORECAST_NO_HISTORY
    assert result.dates == {50: None, 85: None, 95: None}
    assert result.probability is None and not result.has_dates


def test_work_beyond_the_horizon_has_no_date_and_no_chance():
    result = metrics.forecast(remaining=1000, sample=[1], today=TODAY, release_date=TODAY + timedelta(days=60))

    assert result.dates == {50: None, 85: None, 95: None}
    assert result.probability == 0.0
    assert result.horizon == TODAY + timedelta(weeks=metrics.HORIZON_WEEKS)


def test_a_release_date_already_past_with_work_left_has_no_chance():
    result = metrics.forecast(remaining=2, sample=[5], today=TODAY, release_date=TODAY - timedelta(days=1))

    assert result.probability == 0.0


def test_open_releases_queue_behind_earlier_ones():
    queue = metrics.release_queue([(1, False, 2), (2, True, 3), (3, True, 0), (4, True, 4), (5, False, 1)])

    assert queue == {1: 2, 2: 3, 3: 3, 4: 7, 5: 1}
