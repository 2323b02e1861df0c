"""Goal arithmetic, pure (no database): key-result progress, goal progress and goal status.

The status rule (checked in this order), also in docs/strategy.md:
- a goal without key results has no progress and the status `no_key_results`;
- a goal whose key results are all at 100 % is `achieved`, whatever its dates;
- after the end date, any other goal is `missed`;
- before the start date it is `not_started`;
- otherwise progress is compared with the share of the time frame that has elapsed
  (`expected`, 0–100 %): on track when progress ≥ expected − 10 points, at risk when
  progress ≥ expected − 25 points, off track below that.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

ON_TRACK_SLACK = Decimal(10)
AT_RISK_SLACK = Decimal(25)

ON_TRACK = "on_track"
AT_RISK = "at_risk"
OFF_TRACK = "off_track"
NOT_STARTED = "not_started"
NO_KEY_RESULTS = "no_key_results"
ACHIEVED = "achieved"
MISSED = "missed"

STATUS_LABELS = {
    ON_TRACK: "On track",
    AT_RISK: "At risk",
    OFF_TRACK: "Off track",
    NOT_STARTED: "Not started",
    NO_KEY_RESULTS: "No key results",
    ACHIEVED: "Achieved",
    MISSED: "Missed",
}


def key_result_progress(*, start: Decimal, target: Decimal, current: Decimal) -> Decimal:
    """Share of the way from start to target, in percent, clamped to 0–100.
    Works for downward targets too: the sign of (target − start) carries the direction."""
    span = Decimal(target) - Decimal(start)
    if span == 0:
        return Decimal(0)
    share = (Decimal(current) - Decimal(start)) / span * 100
    return max(Decimal(0), min(Decimal(100), share)).quantize(Decimal("0.1"))


def goal_progress(progresses: Iterable[Decimal]) -> Decimal | None:
    """Mean progress of a goal's key results; None when it has none."""
    values = list(progresses)
    if not values:
        return None
    return (sum(values, Decimal(0)) / len(values)).quantize(Decimal("0.1"))


def elapsed_share(*, start: date, end: date, today: date) -> Decimal:
    """Share of the time frame that has passed, in percent, clamped to 0–100."""
    if today <= start:
        return Decimal(0)
    if today >= end:
        return Decimal(100)
    return (Decimal((today - start).days) / Decimal((end - start).days) * 100).quantize(Decimal("0.1"))


def goal_status(*, progress: Decimal | None, start: date, end: date, today: date) -> str:
    if progress is None:
        return NO_KEY_RESULTS
    if progress >= 100:
        return ACHIEVED
    if today > end:
        return MISSED
    if today < start:
        return NOT_STARTED
    expected = elapsed_share(start=start, end=end, today=today)
    if progress >= expected - ON_TRACK_SLACK:
        return ON_TRACK
    if progress >= expected - AT_RISK_SLACK:
        return AT_RISK
    return OFF_TRACK


@dataclass(frozen=True)
class GoalHealth:
    progress: Decimal | None
    expected: Decimal
    status: str

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


def goal_health(*, key_results: Iterable[tuple[Decimal, Decimal, Decimal]], start: date, end: date,
                today: date) -> GoalHealth:
    """Progress, expected progress and status of a goal from its key results'
    (start, target, current) values."""
    progress = goal_progress(
        key_result_progress(start=s, target=t, current=c) for s, t, c in key_results
    )
    return GoalHealth(
        progress=progress,
        expected=elapsed_share(start=start, end=end, today=today),
        status=goal_status(progress=progress, start=start, end=end, today=today),
    )
