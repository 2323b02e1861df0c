"""Release and feature arithmetic: pure functions, no database."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest

from releases import metrics
from releases.metrics import (
    ENDS_AFTER_RELEASE,
    ENDS_BEFORE_DEPENDENCY,
    OVER_CAPACITY,
    UNFINISHED_IN_RELEASED,
    FeatureRow,
    ReleaseRow,
    burn_up,
    progress,
    rice_score,
)

D = Decimal
START = date(2026, 3, 1)
RELEASE_DAY = date(2026, 3, 31)


# --- rice_score -------------------------------------------------------------


@pytest.mark.parametrize(
    ("reach", "impact", "confidence", "effort", "expected"),
    [
        pytest.param(1000, D(2), 80, D(4), "400.0", id="whole-numbers"),
        pytest.param(500, D("0.25"), 50, D("0.5"), "125.0", id="fractional-impact-and-effort"),
        pytest.param(10, D(1), 100, D(3), "3.3", id="thirds-round-down"),
        pytest.param(20, D(1), 100, D(3), "6.7", id="two-thirds-round-up"),
        pytest.param(1000, D(3), 0, D(1), "0.0", id="no-confidence-scores-zero"),
        pytest.param(0, D(3), 100, D(1), "0.0", id="no-reach-scores-zero"),
        pytest.param(7, 2, 90, 1, "12.6", id="plain-integers"),
    ],
)
def test_rice_is_reach_times_impact_times_confidence_over_effort(reach, impact, confidence, effort, expected):
    score = rice_score(reach=reach, impact=impact, confidence=confidence, effort=effort)
    assert isinstance(score, Decimal)
    assert score == D(expected)
    assert score.as_tuple().exponent == -1


@pytest.mark.parametrize("missing", ["reach", "impact", "confidence", "effort"])
def test_rice_is_none_while_a_part_is_missing(missing):
    parts = {"reach": 100, "impact": D(1), "confidence": 50, "effort": D(2), missing: None}
    assert rice_score(**parts) is None


@pytest.mark.parametrize("effort", [0, D(0), D("0.0"), D(-1)])
def test_rice_is_none_without_effort(effort):
    assert rice_score(reach=100, impact=D(1), confidence=50, effort=effort) is None


# --- conflicts --------------------------------------------------------------


def feature(id=1, *, category="not_started", estimate=None, own_end=None, end=None, release_id=10, key=None):
    if end is None:
        end = own_end if own_end is not None else (RELEASE_DAY if release_id == 10 else None)
    return FeatureRow(id=id, key=key or f"MOB-{id}", category=category, estimate=estimate, end=end, own_end=own_end,
                      release_id=release_id)


def release(id=10, *, status="planned", capacity=None, release_date=RELEASE_DAY, name="Spring"):
    return ReleaseRow(id=id, name=name, release_date=release_date, status=status, capacity=capacity)


def rules(found):
    return sorted((c.rule, c.feature_id, c.release_id) for c in found)


def test_a_plan_without_problems_has_no_conflicts():
    features = [feature(1, estimate=D(3)), feature(2, estimate=D(5), own_end=START)]
    assert metrics.conflicts(features, [release(capacity=D(8))], [(1, 2)]) == []


def test_nothing_at_all_has_no_conflicts():
    assert metrics.conflicts([], [], []) == []


# ends_after_release


def test_a_feature_ending_after_its_release_is_a_conflict_naming_both_dates():
    found = metrics.conflicts([feature(1, own_end=RELEASE_DAY + timedelta(days=1))], [release()], [])
    assert rules(found) == [(ENDS_AFTER_RELEASE, 1, 10)]
    assert found[0].message == "MOB-1 ends 01 Apr 2026, after Spring ships on 31 Mar 2026."


def test_a_feature_ending_on_its_release_date_is_fine():
    assert metrics.conflicts([feature(1, own_end=RELEASE_DAY)], [release()], []) == []


def test_an_inherited_end_never_ends_after_the_release():
    row = feature(1, own_end=None, end=RELEASE_DAY)
    assert metrics.conflicts([row], [release()], []) == []


def test_an_unscheduled_feature_cannot_end_after_a_release():
    row = feature(1, own_end=RELEASE_DAY + timedelta(days=30), release_id=None)
    assert metrics.conflicts([row], [release()], []) == []


def test_a_feature_of_a_release_not_given_is_ignored():
    row = feature(1, own_end=RELEASE_DAY + timedelta(days=30), release_id=99, category="in_progress")
    assert metrics.conflicts([row], [release(status="released")], []) == []


# unfinished_in_released


@pytest.mark.parametrize("category", ["not_started", "in_progress"])
def test_an_unfinished_feature_of_a_released_release_is_a_conflict(category):
    found = metrics.conflicts([feature(1, category=category)], [release(status="released")], [])
    assert rules(found) == [(UNFINISHED_IN_RELEASED, 1, 10)]
    assert found[0].message == "MOB-1 is not done, but Spring has been released."


@pytest.mark.parametrize("category", ["done", "wont_do"])
def test_done_and_wont_do_features_of_a_released_release_are_fine(category):
    assert metrics.conflicts([feature(1, category=category)], [release(status="released")], []) == []


@pytest.mark.parametrize("status", ["planned", "in_progress", "cancelled"])
def test_unfinished_features_are_fine_while_the_release_is_not_released(status):
    assert metrics.conflicts([feature(1, category="in_progress")], [release(status=status)], []) == []


# ends_before_dependency


def test_a_feature_ending_before_what_it_depends_on_is_a_conflict():
    features = [feature(1, own_end=date(2026, 3, 10)), feature(2, own_end=date(2026, 3, 20))]
    found = metrics.conflicts(features, [release()], [(1, 2)])
    assert rules(found) == [(ENDS_BEFORE_DEPENDENCY, 1, None)]
    assert found[0].message == "MOB-1 ends 10 Mar, before MOB-2, which it depends on, ends 20 Mar."


def test_a_feature_ending_on_the_same_day_as_its_dependency_is_fine():
    features = [feature(1, own_end=date(2026, 3, 20)), feature(2, own_end=date(2026, 3, 20))]
    assert metrics.conflicts(features, [release()], [(1, 2)]) == []


def test_a_feature_ending_after_its_dependency_is_fine():
    features = [feature(1, own_end=date(2026, 3, 25)), feature(2, own_end=date(2026, 3, 20))]
    assert metrics.conflicts(features, [release()], [(1, 2)]) == []


def test_dependency_ends_use_inherited_dates():
    # MOB-1 follows a release shipping on 31 Mar; MOB-2 is in a later release.
    later = release(11, release_date=date(2026, 4, 30), name="Summer")
    features = [feature(1), feature(2, release_id=11, end=date(2026, 4, 30))]
    found = metrics.conflicts(features, [release(), later], [(1, 2)])
    assert rules(found) == [(ENDS_BEFORE_DEPENDENCY, 1, None)]


def test_dependencies_without_dates_or_on_unknown_features_are_ignored():
    features = [feature(1, release_id=None), feature(2, own_end=date(2026, 3, 20))]
    assert metrics.conflicts(features, [release()], [(1, 2), (2, 1), (2, 99), (99, 2)]) == []


# over_capacity


def test_a_release_planning_more_than_its_capacity_is_a_conflict():
    features = [feature(1, estimate=D(5)), feature(2, estimate=D("3.5"))]
    found = metrics.conflicts(features, [release(capacity=D(8))], [])
    assert rules(found) == [(OVER_CAPACITY, None, 10)]
    assert found[0].message == "Spring plans 8.5 points for a capacity of 8."


def test_a_release_planned_exactly_to_capacity_is_fine():
    features = [feature(1, estimate=D(5)), feature(2, estimate=D(3))]
    assert metrics.conflicts(features, [release(capacity=D(8))], []) == []


def test_wont_do_features_do_not_count_towards_capacity():
    features = [feature(1, estimate=D(5)), feature(2, estimate=D(13), category="wont_do")]
    assert metrics.conflicts(features, [release(capacity=D(8))], []) == []


@pytest.mark.parametrize("category", ["done", "in_progress", "not_started"])
def test_every_other_category_counts_towards_capacity(category):
    features = [feature(1, estimate=D(5)), feature(2, estimate=D(4), category=category)]
    assert rules(metrics.conflicts(features, [release(capacity=D(8))], [])) == [(OVER_CAPACITY, None, 10)]


def test_a_release_without_capacity_is_never_over_it():
    assert metrics.conflicts([feature(1, estimate=D(500))], [release(capacity=None)], []) == []


def test_a_release_with_zero_capacity_is_over_it_with_any_estimate():
    assert rules(metrics.conflicts([feature(1, estimate=D(1))], [release(capacity=D(0))], [])) == [
        (OVER_CAPACITY, None, 10)]
    assert metrics.conflicts([feature(1, estimate=None)], [release(capacity=D(0))], []) == []


def test_one_plan_can_break_every_rule_at_once():
    features = [
        feature(1, own_end=RELEASE_DAY + timedelta(days=2), estimate=D(8), category="in_progress"),
        feature(2, own_end=START, estimate=D(5), category="done"),
    ]
    found = metrics.conflicts(features, [release(status="released", capacity=D(10))], [(2, 1)])
    assert rules(found) == [
        (ENDS_AFTER_RELEASE, 1, 10),
        (ENDS_BEFORE_DEPENDENCY, 2, None),
        (OVER_CAPACITY, None, 10),
        (UNFINISHED_IN_RELEASED, 1, 10),
    ]


# --- progress ---------------------------------------------------------------


def test_progress_of_nothing_is_zero():
    result = progress([])
    assert (result.total, result.done, result.percent, result.estimate_percent) == (0, 0, 0, 0)
    assert result.by_category == {}


def test_progress_counts_done_features_and_estimates():
    result = progress([("done", D(3)), ("in_progress", D(5)), ("not_started", D(2)), ("done", D(10))])
    assert (result.total, result.done, result.percent) == (4, 2, 50)
    assert (result.estimate_total, result.estimate_done, result.estimate_percent) == (D(20), D(13), 65)
    assert result.by_category == {"done": 2, "in_progress": 1, "not_started": 1}


def test_wont_do_features_are_left_out_of_progress_but_still_counted_by_category():
    result = progress([("done", D(3)), ("wont_do", D(40)), ("not_started", D(3))])
    assert (result.total, result.done, result.percent) == (2, 1, 50)
    assert (result.estimate_total, result.estimate_done) == (D(6), D(3))
    assert result.by_category == {"done": 1, "wont_do": 1, "not_started": 1}


def test_features_without_estimates_count_by_number_but_not_by_estimate():
    result = progress([("done", None), ("in_progress", None), ("in_progress", D(4))])
    assert (result.total, result.done, result.percent) == (3, 1, 33)
    assert (result.estimate_total, result.estimate_done, result.estimate_percent) == (D(4), D(0), 0)


def test_progress_percentages_round_to_whole_numbers():
    result = progress([("done", D(2)), ("not_started", D(1)), ("not_started", D(0))])
    assert result.percent == 33
    assert result.estimate_percent == 67


def test_only_wont_do_features_make_no_progress_and_no_division_by_zero():
    result = progress([("wont_do", D(5))])
    assert (result.total, result.percent, result.estimate_percent) == (0, 0, 0)


# --- burn_up ----------------------------------------------------------------


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour))


def days(n: int) -> date:
    return START + timedelta(days=n)


def test_a_release_without_history_has_no_burn_up_points():
    assert burn_up(events=[], start=START, end=days(4), today=days(30)) == []


def test_one_feature_done_in_the_middle_of_the_window():
    events = [(1, at(days(-3)), "not_started", D(5)), (1, at(days(2)), "in_progress", D(5)),
              (1, at(days(4)), "done", D(5))]
    series = burn_up(events=events, start=START, end=days(6), today=days(30))
    assert [(done, scope) for _day, done, scope in series] == [
        (D(0), D(5)), (D(0), D(5)), (D(0), D(5)), (D(0), D(5)), (D(5), D(5)), (D(5), D(5)), (D(5), D(5))]


def test_the_burn_up_begins_on_the_day_of_the_first_event():
    events = [(1, at(days(3)), "not_started", D(8)), (2, at(days(5)), "done", D(2))]
    series = burn_up(events=events, start=START, end=days(6), today=days(30))
    assert series[0][0] == days(3)
    assert [scope for _day, _done, scope in series] == [8, 8, 10, 10]
    assert [done for _day, done, _scope in series] == [0, 0, 2, 2]


def test_a_window_reaching_back_to_1900_costs_points_only_for_the_days_with_history():
    events = [(1, at(days(0)), "not_started", D(8)), (1, at(days(2)), "done", D(8))]
    series = burn_up(events=events, start=date(1900, 1, 1), end=date(2199, 12, 31), today=days(3))
    assert [day for day, _done, _scope in series] == [days(0), days(1), days(2), days(3)]


def test_a_feature_moved_out_of_the_release_leaves_the_scope():
    # The selector reports a version outside the release as won't do.
    events = [(1, at(days(-1)), "not_started", D(5)), (2, at(days(-1)), "not_started", D(3)),
              (2, at(days(2)), "wont_do", D(3))]
    series = burn_up(events=events, start=START, end=days(3), today=days(30))
    assert [scope for _day, _done, scope in series] == [8, 8, 5, 5]


def test_a_done_feature_moved_out_of_scope_takes_its_done_estimate_with_it():
    events = [(1, at(days(0)), "done", D(5)), (1, at(days(2)), "wont_do", D(5))]
    series = burn_up(events=events, start=START, end=days(3), today=days(30))
    assert [(done, scope) for _day, done, scope in series] == [(5, 5), (5, 5), (0, 0), (0, 0)]


def test_a_changed_estimate_replaces_the_old_one():
    events = [(1, at(days(0)), "in_progress", D(3)), (1, at(days(1)), "in_progress", D(8)),
              (1, at(days(2)), "done", D(8))]
    series = burn_up(events=events, start=START, end=days(2), today=days(30))
    assert [(done, scope) for _day, done, scope in series] == [(0, 3), (0, 8), (8, 8)]


def test_a_day_counts_the_last_version_of_that_day_whatever_the_order_of_events():
    events = [(1, at(days(1), 17), "done", D(5)), (1, at(days(1), 9), "in_progress", D(5)),
              (1, at(days(0)), "not_started", D(5))]
    series = burn_up(events=events, start=START, end=days(1), today=days(30))
    assert series == [(days(0), D(0), D(5)), (days(1), D(5), D(5))]


def test_features_without_estimates_count_as_zero():
    series = burn_up(events=[(1, at(days(0)), "done", None)], start=START, end=days(1), today=days(30))
    assert series == [(days(0), D(0), D(0)), (days(1), D(0), D(0))]


def test_today_before_the_release_date_cuts_the_series_at_today():
    events = [(1, at(days(0)), "done", D(5))]
    series = burn_up(events=events, start=START, end=days(30), today=days(3))
    assert [day for day, _done, _scope in series] == [days(0), days(1), days(2), days(3)]


def test_a_release_that_has_not_started_has_no_series_yet():
    assert burn_up(events=[(1, at(days(-5)), "done", D(5))], start=START, end=days(30), today=days(-1)) == []


def test_a_one_day_release_has_one_point():
    assert burn_up(events=[(1, at(days(0)), "done", D(2))], start=START, end=START, today=days(9)) == [
        (START, D(2), D(2))]
