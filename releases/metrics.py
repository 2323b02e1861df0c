"""Release and feature arithmetic, pure (no database): RICE, progress, conflicts, burn-up.

Delivery metrics (progress, scope change, throughput, cycle time, forecasts) belong here, in
`releases`, because the release page shows them; tasks that store their snapshots stay thin
wrappers over services. Usage metrics, key results bound to metrics and dashboards live at
the top, in `roadmap` (docs/architecture.md).

Conflict rules (shown on features, releases and the backlog):
- `ends_after_release`: a feature's end date is after its release's release date;
- `ends_before_dependency`: a feature is scheduled to end before a feature it depends on ends;
- `over_capacity`: a release's planned estimate (features not won't-do) exceeds its capacity;
- `unfinished_in_released`: a feature of a released release is not done (or won't do).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

ENDS_AFTER_RELEASE = "ends_after_release"
ENDS_BEFORE_DEPENDENCY = "ends_before_dependency"
OVER_CAPACITY = "over_capacity"
UNFINISHED_IN_RELEASED = "unfinished_in_released"


def _points(value: Decimal) -> str:
    """12, or 12.5: estimates without a trailing .0."""
    return f"{value.normalize():f}"


def rice_score(*, reach, impact, confidence, effort) -> Decimal | None:
    """Reach × impact × confidence ÷ effort, or None while any part is missing."""
    if None in (reach, impact, confidence, effort) or Decimal(effort) <= 0:
        return None
    score = Decimal(reach) * Decimal(impact) * Decimal(confidence) / 100 / Decimal(effort)
    return score.quantize(Decimal("0.1"))


@dataclass(frozen=True)
class FeatureRow:
    """What the conflict rules need to know of a feature (from `.values()` rows)."""

    id: int
    key: str
    category: str
    estimate: Decimal | None
    end: date | None  # effective end: its own or its release's
    own_end: date | None
    release_id: int | None


@dataclass(frozen=True)
class ReleaseRow:
    id: int
    name: str
    release_date: date
    status: str
    capacity: Decimal | None


@dataclass(frozen=True)
class Conflict:
    rule: str
    message: str
    feature_id: int | None = None
    release_id: int | None = None


def conflicts(features: Iterable[FeatureRow], releases: Iterable[ReleaseRow],
              dependencies: Iterable[tuple[int, int]]) -> list[Conflict]:
    """Every conflict among the given features and releases. `dependencies` are
    (feature id, depends-on id) pairs; pairs naming unknown features are ignored."""
    features = {f.id: f for f in features}
    releases = {r.id: r for r in releases}
    found: list[Conflict] = []
    planned: dict[int, Decimal] = defaultdict(Decimal)
    for feature in features.values():
        release = releases.get(feature.release_id)
        if release is None:
            continue
        if feature.own_end and feature.own_end > release.release_date:
            found.append(Conflict(ENDS_AFTER_RELEASE, f"{feature.key} ends {feature.own_end:%d %b %Y}, after "
                                  f"{release.name} ships on {release.release_date:%d %b %Y}.", feature_id=feature.id,
                                  release_id=release.id))
        if release.status == "released" and feature.category not in ("done", "wont_do"):
            found.append(Conflict(UNFINISHED_IN_RELEASED, f"{feature.key} is not done, but {release.name} has "
                                  "been released.", feature_id=feature.id, release_id=release.id))
        if feature.category != "wont_do" and feature.estimate:
            planned[release.id] += feature.estimate
    for feature_id, depends_on_id in dependencies:
        feature, prerequisite = features.get(feature_id), features.get(depends_on_id)
        if feature is None or prerequisite is None or feature.end is None or prerequisite.end is None:
            continue
        if feature.end < prerequisite.end:
            # Two dates of one year read best without it; across years, each carries its own.
            shape = "%d %b" if feature.end.year == prerequisite.end.year else "%d %b %Y"
            found.append(Conflict(ENDS_BEFORE_DEPENDENCY, f"{feature.key} ends {feature.end:{shape}}, before "
                                  f"{prerequisite.key}, which it depends on, ends {prerequisite.end:{shape}}.",
                                  feature_id=feature.id))
    for release_id, estimate in planned.items():
        release = releases[release_id]
        if release.capacity is not None and estimate > release.capacity:
            found.append(Conflict(OVER_CAPACITY, f"{release.name} plans {_points(estimate)} points for a capacity "
                                  f"of {_points(release.capacity)}.", release_id=release_id))
    return found


@dataclass
class Progress:
    """Done share of a set of features, by count and by estimate (won't-do features left out)."""

    total: int = 0
    done: int = 0
    estimate_total: Decimal = Decimal(0)
    estimate_done: Decimal = Decimal(0)
    by_category: dict[str, int] = field(default_factory=dict)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def estimate_percent(self) -> int:
        return round(100 * self.estimate_done / self.estimate_total) if self.estimate_total else 0


def progress(rows: Iterable[tuple[str, Decimal | None]]) -> Progress:
    """From (status category, estimate) pairs."""
    result = Progress()
    counts: dict[str, int] = defaultdict(int)
    for category, estimate in rows:
        counts[category] += 1
        if category == "wont_do":
            continue
        result.total += 1
        result.estimate_total += estimate or 0
        if category == "done":
            result.done += 1
            result.estimate_done += estimate or 0
    result.by_category = dict(counts)
    return result


def burn_up(*, events: Iterable[tuple[int, datetime, str, Decimal | None]], start: date, end: date,
            today: date) -> list[tuple[date, Decimal, Decimal]]:
    """Per day from `start` to min(`end`, `today`): (day, done estimate, scope estimate),
    beginning no earlier than the day of the first event: days before any history carry no
    data, and a window reaching far back (1900) must not cost a point per day. Without
    events, no points.

    `events` are a release's features' historical versions (feature id, when, status category,
    estimate), in any order; on each day a feature counts as its last version of that day says.
    Won't-do features leave the scope. One pass over the events, however many days."""
    ordered = sorted(events, key=lambda event: event[1])
    if not ordered:
        return []
    start = max(start, ordered[0][1].date())
    state: dict[int, tuple[str, Decimal]] = {}
    done = scope = Decimal(0)

    def weight(entry):
        category, estimate = entry
        in_scope = estimate if category != "wont_do" else Decimal(0)
        return in_scope, (estimate if category == "done" else Decimal(0))

    series, position, day, last_day = [], 0, start, min(end, today)
    while day <= last_day:
        while position < len(ordered) and ordered[position][1].date() <= day:
            feature_id, _when, category, estimate = ordered[position]
            if feature_id in state:
                old_scope, old_done = weight(state[feature_id])
                scope -= old_scope
                done -= old_done
            state[feature_id] = (category, estimate or Decimal(0))
            new_scope, new_done = weight(state[feature_id])
            scope += new_scope
            done += new_done
            position += 1
        series.append((day, done, scope))
        day += timedelta(days=1)
    return series
