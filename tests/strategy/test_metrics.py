"""Goal arithmetic: pure functions, no database."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from strategy import metrics
from strategy.metrics import (
    ACHIEVED,
    AT_RISK,
    MISSED,
    NO_KEY_RESULTS,
    NOT_STARTED,
    OFF_TRACK,
    ON_TRACK,
    elapsed_share,
    goal_health,
    goal_progress,
    goal_status,
    key_result_progress,
)

D = Decimal

# A 100-day frame, so that the elapsed share in percent equals the number of days passed.
START = date(2026, 1, 1)
END = date(2026, 4, 11)
HALFWAY = START + timedelta(days=50)


def test_the_test_frame_is_one_hundred_days_long():
    assert (END - START).days == 100
    assert elapsed_share(start=START, end=END, today=HALFWAY) == D(50)


# --- key_result_progress ----------------------------------------------------


@pytest.mark.parametrize(
    ("start", "target", "current", "expected"),
    [
        pytest.param("0", "100", "40", "40.0", id="up-part-way"),
        pytest.param("20", "70", "45", "50.0", id="up-from-a-non-zero-start"),
        pytest.param("72", "60", "69", "25.0", id="down-part-way"),
        pytest.param("2400", "1200", "1200", "100.0", id="down-reached"),
        pytest.param("0", "100", "-5", "0.0", id="up-below-start-clamps-to-0"),
        pytest.param("72", "60", "80", "0.0", id="down-worse-than-start-clamps-to-0"),
        pytest.param("0", "100", "150", "100.0", id="up-beyond-target-clamps-to-100"),
        pytest.param("72", "60", "50", "100.0", id="down-beyond-target-clamps-to-100"),
        pytest.param("10", "20", "10", "0.0", id="current-equals-start"),
        pytest.param("10", "20", "20", "100.0", id="current-equals-target"),
        pytest.param("0.50", "1.50", "0.75", "25.0", id="decimals"),
        pytest.param("0", "3", "1", "33.3", id="thirds-round-to-one-decimal"),
        pytest.param("0", "3", "2", "66.7", id="two-thirds-round-up"),
        pytest.param("5", "5", "7", "0", id="no-span-is-no-progress"),
    ],
)
def test_key_result_progress(start, target, current, expected):
    assert key_result_progress(start=D(start), target=D(target), current=D(current)) == D(expected)


def test_key_result_progress_accepts_integers_and_returns_a_decimal():
    progress = key_result_progress(start=0, target=8, current=2)
    assert isinstance(progress, Decimal)
    assert progress == D("25.0")


# --- goal_progress ----------------------------------------------------------


def test_a_goal_without_key_results_has_no_progress():
    assert goal_progress([]) is None


@pytest.mark.parametrize(
    ("progresses", "expected"),
    [
        pytest.param(["40"], "40.0", id="one-key-result"),
        pytest.param(["100", "0"], "50.0", id="two-key-results"),
        pytest.param(["33.3", "66.7", "100"], "66.7", id="three-key-results"),
        pytest.param(["10", "10", "11"], "10.3", id="mean-rounds-to-one-decimal"),
    ],
)
def test_goal_progress_is_the_mean_of_its_key_results(progresses, expected):
    assert goal_progress(D(p) for p in progresses) == D(expected)


# --- elapsed_share ----------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "today", "expected"),
    [
        pytest.param(START, END, START - timedelta(days=30), "0", id="before-start"),
        pytest.param(START, END, START, "0", id="on-the-start-date"),
        pytest.param(START, END, START + timedelta(days=1), "1.0", id="one-day-in"),
        pytest.param(START, END, END, "100", id="on-the-end-date"),
        pytest.param(START, END, END + timedelta(days=300), "100", id="after-end"),
        pytest.param(date(2028, 2, 1), date(2028, 3, 1), date(2028, 2, 15), "48.3", id="leap-february-has-29-days"),
        pytest.param(date(2027, 2, 1), date(2027, 3, 1), date(2027, 2, 15), "50.0", id="common-february-has-28-days"),
        pytest.param(date(2028, 2, 1), date(2028, 3, 1), date(2028, 2, 29), "96.6", id="leap-day-itself"),
        pytest.param(date(2026, 1, 1), date(2026, 2, 1), date(2026, 1, 16), "48.4", id="january-has-31-days"),
        pytest.param(date(2026, 4, 1), date(2026, 5, 1), date(2026, 4, 16), "50.0", id="april-has-30-days"),
        pytest.param(date(2028, 1, 1), date(2029, 1, 1), date(2028, 7, 2), "50.0", id="leap-year-has-366-days"),
        pytest.param(date(2026, 3, 1), date(2026, 3, 1), date(2026, 3, 1), "0", id="one-day-frame-on-its-day"),
        pytest.param(date(2026, 3, 1), date(2026, 3, 1), date(2026, 3, 2), "100", id="one-day-frame-after"),
    ],
)
def test_elapsed_share(start, end, today, expected):
    assert elapsed_share(start=start, end=end, today=today) == D(expected)


def test_a_leap_february_frame_is_29_days():
    start, end = date(2028, 2, 1), date(2028, 3, 1)
    assert (end - start).days == 29
    # 29 days in, the share is complete; 28 days in (the leap day), it is not.
    assert elapsed_share(start=start, end=end, today=start + timedelta(days=28)) == D("96.6")
    assert elapsed_share(start=start, end=end, today=start + timedelta(days=29)) == D(100)


# --- goal_status ------------------------------------------------------------


@pytest.mark.parametrize(
    ("progress", "today", "expected"),
    [
        # halfway through the frame: expected progress is 50 %
        pytest.param("50", HALFWAY, ON_TRACK, id="on-schedule-is-on-track"),
        pytest.param("90", HALFWAY, ON_TRACK, id="ahead-of-schedule-is-on-track"),
        pytest.param("40", HALFWAY, ON_TRACK, id="exactly-expected-minus-10-is-on-track"),
        pytest.param("39.9", HALFWAY, AT_RISK, id="just-below-expected-minus-10-is-at-risk"),
        pytest.param("30", HALFWAY, AT_RISK, id="between-the-thresholds-is-at-risk"),
        pytest.param("25", HALFWAY, AT_RISK, id="exactly-expected-minus-25-is-at-risk"),
        pytest.param("24.9", HALFWAY, OFF_TRACK, id="just-below-expected-minus-25-is-off-track"),
        pytest.param("0", HALFWAY, OFF_TRACK, id="no-progress-halfway-is-off-track"),
        # at the start, expected is 0: anything counts as on track
        pytest.param("0", START, ON_TRACK, id="on-the-start-date-is-on-track"),
        # ten days in, expected is 10: nothing done yet is still within the slack
        pytest.param("0", START + timedelta(days=10), ON_TRACK, id="early-with-no-progress-is-on-track"),
        pytest.param("0", START + timedelta(days=11), AT_RISK, id="slightly-later-with-no-progress-is-at-risk"),
        # on the end date, expected is 100
        pytest.param("90", END, ON_TRACK, id="end-date-within-slack-is-on-track"),
        pytest.param("75", END, AT_RISK, id="end-date-at-risk"),
        pytest.param("74.9", END, OFF_TRACK, id="end-date-off-track"),
        pytest.param("100", END, ACHIEVED, id="end-date-complete-is-achieved"),
        # after the end date
        pytest.param("100", END + timedelta(days=1), ACHIEVED, id="past-end-complete-is-achieved"),
        pytest.param("99.9", END + timedelta(days=1), MISSED, id="past-end-incomplete-is-missed"),
        pytest.param("0", END + timedelta(days=90), MISSED, id="long-past-end-with-nothing-is-missed"),
        # before the start date
        pytest.param("0", START - timedelta(days=1), NOT_STARTED, id="day-before-start-is-not-started"),
        pytest.param("60", START - timedelta(days=30), NOT_STARTED, id="before-start-with-progress-is-not-started"),
        # complete before the end
        pytest.param("100", HALFWAY, ACHIEVED, id="complete-before-the-end-is-achieved"),
        pytest.param("100", START + timedelta(days=1), ACHIEVED, id="complete-on-day-one-is-achieved"),
    ],
)
def test_goal_status(progress, today, expected):
    assert goal_status(progress=D(progress), start=START, end=END, today=today) == expected


@pytest.mark.parametrize(
    "today",
    [
        pytest.param(START - timedelta(days=1), id="before-start"),
        pytest.param(HALFWAY, id="during"),
        pytest.param(END + timedelta(days=1), id="after-end"),
    ],
)
def test_a_goal_without_key_results_has_its_own_status_whenever_it_is(today):
    assert goal_status(progress=None, start=START, end=END, today=today) == NO_KEY_RESULTS


def test_a_goal_already_complete_before_its_start_counts_as_achieved():
    # The rule checks completion before the time frame: 100 % wins over "not started".
    assert goal_status(progress=D(100), start=START, end=END, today=START - timedelta(days=5)) == ACHIEVED


def test_every_status_has_a_label():
    assert set(metrics.STATUS_LABELS) == {ON_TRACK, AT_RISK, OFF_TRACK, NOT_STARTED, NO_KEY_RESULTS, ACHIEVED, MISSED}


# --- goal_health ------------------------------------------------------------


def kr(start, target, current):
    return D(start), D(target), D(current)


@pytest.mark.parametrize(
    ("key_results", "today", "progress", "expected", "status", "label"),
    [
        pytest.param([kr(0, 100, 60), kr(72, 60, 66)], HALFWAY, "55.0", "50.0", ON_TRACK, "On track",
                     id="up-and-down-key-results-on-track"),
        pytest.param([kr(0, 100, 30), kr(72, 60, 72)], HALFWAY, "15.0", "50.0", OFF_TRACK, "Off track",
                     id="one-untouched-key-result-drags-it-off-track"),
        pytest.param([kr(2400, 1200, 1800)], HALFWAY, "50.0", "50.0", ON_TRACK, "On track",
                     id="downward-target-halfway"),
        pytest.param([kr(2400, 1200, 2040)], HALFWAY, "30.0", "50.0", AT_RISK, "At risk",
                     id="downward-target-at-risk"),
        pytest.param([kr(2400, 1200, 2700)], HALFWAY, "0.0", "50.0", OFF_TRACK, "Off track",
                     id="downward-target-moving-the-wrong-way"),
        pytest.param([kr(72, 60, 55), kr(0, 10, 12)], HALFWAY, "100.0", "50.0", ACHIEVED, "Achieved",
                     id="all-beyond-target-is-achieved-early"),
        pytest.param([kr(0, 100, 80)], END + timedelta(days=3), "80.0", "100", MISSED, "Missed",
                     id="ended-short-of-target"),
        pytest.param([kr(0, 100, 0)], START - timedelta(days=3), "0.0", "0", NOT_STARTED, "Not started",
                     id="not-started-yet"),
        pytest.param([], HALFWAY, None, "50.0", NO_KEY_RESULTS, "No key results", id="no-key-results"),
    ],
)
def test_goal_health_end_to_end(key_results, today, progress, expected, status, label):
    health = goal_health(key_results=key_results, start=START, end=END, today=today)
    assert health.progress == (None if progress is None else D(progress))
    assert health.expected == D(expected)
    assert health.status == status
    assert health.status_label == label


def test_goal_health_reads_any_iterable_of_key_results():
    health = goal_health(key_results=iter([kr(0, 4, 1), kr(0, 4, 3)]), start=START, end=END, today=HALFWAY)
    assert health.progress == D("50.0")
