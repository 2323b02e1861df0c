"""Release and feature arithmetic, pure (no database): RICE, progress, conflicts, burn-up.

Delivery metrics (progress, scope change, throughput, cycle time, forecasts) belong here, in
`releases`, because the release page shows them; tasks that store their snapshots stay thin
wrappers over services. Usage metrics, key results bound to metrics and dashboards live at
the top, in `roadmap` (docs/architecture.md).

Conflict rules (shown on features, releases and the backlog):
- `ends_after_release`: a feature's end date is after its release's release date;
- `ends_before_dependency`: a feature is scheduled to end before a feature it depends on ends;
- `over_capacity`: a release's planned estimate (features not won't-do) exceeds its capacity;
- `unfinished_in_released`: a feature of a released release is not done (or won't do);
- `phase_after_release`: a phase of a release (its beta, its launch) ends after the release date.

Launch readiness (`readiness`): the share of a release's launch to-dos done against the share
of its time gone.
"""

from __future__ import annotations

import bisect
import math
import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

ENDS_AFTER_RELEASE = "ends_after_release"
ENDS_BEFORE_DEPENDENCY = "ends_before_dependency"
OVER_CAPACITY = "over_capacity"
UNFINISHED_IN_RELEASED = "unfinished_in_released"
PHASE_AFTER_RELEASE = "phase_after_release"


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
class PhaseRow:
    """A phase of a release: its type's name and its last day."""

    release_id: int
    name: str
    end: date


@dataclass(frozen=True)
class Conflict:
    rule: str
    message: str
    feature_id: int | None = None
    release_id: int | None = None


def conflicts(features: Iterable[FeatureRow], releases: Iterable[ReleaseRow],
              dependencies: Iterable[tuple[int, int]], phases: Iterable[PhaseRow] = ()) -> list[Conflict]:
    """Every conflict among the given features and releases. `dependencies` are
    (feature id, depends-on id) pairs; pairs naming unknown features are ignored. `phases`
    are the releases' phases (those ending after their release date are enough)."""
    features = {f.id: f for f in features}
    releases = {r.id: r for r in releases}
    found: list[Conflict] = []
    for phase in phases:
        release = releases.get(phase.release_id)
        if release is None or release.status == "cancelled" or phase.end <= release.release_date:
            continue
        # Two dates of one year read best without it; across years, each carries its own.
        shape = "%d %b" if phase.end.year == release.release_date.year else "%d %b %Y"
        found.append(Conflict(PHASE_AFTER_RELEASE, f"The {phase.name} phase of {release.name} ends "
                              f"{phase.end:{shape}}, after its release date, {release.release_date:{shape}}.",
                              release_id=release.id))
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


# --- delivery metrics: history, throughput, cycle time, scope change, forecasts ------------
#
# Read from the features' saved versions (django-simple-history), oldest first. Every date
# below is a day in the installation's time zone (`tz`), like "today": a feature finished at
# 23:30 UTC on a Monday is finished on Tuesday in Europe/Berlin.

DONE = "done"
IN_PROGRESS = "in_progress"
WONT_DO = "wont_do"

FORECAST_WEEKS = 12  # the throughput history a forecast samples: the last complete ISO weeks
CHART_WEEKS = 26  # the weeks the throughput chart and the cycle-time scatter show
SIMULATIONS = 10_000
HORIZON_WEEKS = 156  # a simulation that has not finished after three years stops there
CONFIDENCES = (50, 85, 95)

FORECAST_DONE = "done"  # nothing left to do
FORECAST_OK = "forecast"
FORECAST_NO_HISTORY = "no_history"  # no feature finished in the sampled weeks: not enough history


@dataclass(frozen=True)
class Version:
    """One saved version of a feature: when it was saved (aware), its status category, estimate
    and release then, and whether this version is its deletion."""

    feature_id: int
    when: datetime
    category: str
    estimate: Decimal | None = None
    release_id: int | None = None
    deleted: bool = False


def local_day(when: datetime, tz) -> date:
    """The day `when` falls on in time zone `tz`."""
    return when.astimezone(tz).date()


def week_start(day: date) -> date:
    """The Monday of `day`'s ISO week."""
    return day - timedelta(days=day.weekday())


def timelines(versions: Iterable[Version]) -> dict[int, list[Version]]:
    """Each feature's versions, oldest first (equal times keep their given order)."""
    by_feature: dict[int, list[Version]] = defaultdict(list)
    for version in sorted(versions, key=lambda v: v.when):
        by_feature[version.feature_id].append(version)
    return dict(by_feature)


def finished_at(versions: Iterable[Version]) -> dict[int, datetime]:
    """When each feature that is done now reached done for the last time. A feature re-opened
    (done → in progress → done) counts once, at its final done; one re-opened and not done
    again, a won't-do one and a deleted one are not finished."""
    result = {}
    for feature_id, history in timelines(versions).items():
        if history[-1].deleted or history[-1].category != DONE:
            continue
        first = len(history) - 1
        while first > 0 and history[first - 1].category == DONE and not history[first - 1].deleted:
            first -= 1
        result[feature_id] = history[first].when
    return result


@dataclass(frozen=True)
class CycleTime:
    """A finished feature's cycle time: calendar days from the first time it went in progress
    to its final done (0 when both fall on the same day)."""

    feature_id: int
    started: date
    finished: date

    @property
    def days(self) -> int:
        return (self.finished - self.started).days


def cycle_times(versions: Iterable[Version], *, tz) -> list[CycleTime]:
    """The cycle time of every finished feature (see `finished_at`) that went through an
    in-progress status at some point; one that jumped straight to done has no known start
    and is left out. Ordered by finish day, then feature id."""
    versions = list(versions)
    finished = finished_at(versions)
    result = []
    for feature_id, history in timelines(versions).items():
        if feature_id not in finished:
            continue
        started = next((v.when for v in history if v.category == IN_PROGRESS), None)
        if started is None or started > finished[feature_id]:
            continue
        result.append(CycleTime(feature_id, local_day(started, tz), local_day(finished[feature_id], tz)))
    return sorted(result, key=lambda c: (c.finished, c.feature_id))


def weekly_throughput(done_days: Iterable[date], *, first_week: date, last_week: date) -> list[tuple[date, int]]:
    """(Monday, features finished that ISO week) for every week from `first_week`'s to
    `last_week`'s, oldest first; weeks without a finish count 0, days outside are ignored."""
    first, last = week_start(first_week), week_start(last_week)
    counts: dict[date, int] = defaultdict(int)
    for day in done_days:
        counts[week_start(day)] += 1
    weeks, week = [], first
    while week <= last:
        weeks.append((week, counts.get(week, 0)))
        week += timedelta(days=7)
    return weeks


def percentile(values: Iterable[float], p: float) -> float | None:
    """The `p`-th percentile (0–100) by linear interpolation between the closest ranks (as
    spreadsheets' PERCENTILE.INC): the median of 1, 2, 3, 10 is 2.5. None without values."""
    ordered = sorted(values)
    if not ordered:
        return None
    position = (len(ordered) - 1) * p / 100
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass(frozen=True)
class ScopeChange:
    """How a release's scope moved since it started. The scope at the start is every feature
    in the release (not won't do, not deleted) as its last version saved on or before the
    start day says; the scope now is the same by its latest version. Then:

    - added: features in scope now that were not at the start (joined later, or came back
      from won't do), with their current estimates, plus every estimate that grew on a
      feature in scope at both times, by how much it grew;
    - removed: features in scope at the start that are not now (moved to another release,
      unscheduled, won't do, deleted), with their estimates at the start, plus every
      estimate that shrank on a feature in scope at both times.

    Net, not churn: a feature that joined after the start and left again counts neither way.
    Before the release starts there is no change to count (`started` is False)."""

    started: bool = False
    added_count: int = 0
    removed_count: int = 0
    added_estimate: Decimal = Decimal(0)
    removed_estimate: Decimal = Decimal(0)

    @property
    def net_estimate(self) -> Decimal:
        return self.added_estimate - self.removed_estimate


def _in_scope(version: Version | None, release_id: int) -> bool:
    return (version is not None and not version.deleted and version.release_id == release_id
            and version.category != WONT_DO)


def scope_change(versions: Iterable[Version], *, release_id: int, start: date, today: date, tz) -> ScopeChange:
    """See `ScopeChange`. `versions` may include other releases' features: they are ignored."""
    if today < start:
        return ScopeChange()
    added_count = removed_count = 0
    added = removed = Decimal(0)
    for history in timelines(versions).values():
        at_start = None
        for version in history:
            if local_day(version.when, tz) > start:
                break
            at_start = version
        now = history[-1]
        was, is_ = _in_scope(at_start, release_id), _in_scope(now, release_id)
        if is_ and not was:
            added_count += 1
            added += now.estimate or 0
        elif was and not is_:
            removed_count += 1
            removed += at_start.estimate or 0
        elif was and is_:
            change = (now.estimate or Decimal(0)) - (at_start.estimate or Decimal(0))
            if change > 0:
                added += change
            else:
                removed -= change
    return ScopeChange(True, added_count, removed_count, added, removed)


def release_events(versions: Iterable[Version], *, release_id: int, tz) -> list[tuple]:
    """What `burn_up` reads for one release, (feature id, local time, category, estimate): every
    version of every feature that was ever in it, a version outside it (moved away, deleted)
    counting as out of scope, like won't do."""
    versions = list(versions)
    ever_in = {v.feature_id for v in versions if v.release_id == release_id}
    return [(v.feature_id, v.when.astimezone(tz),
             v.category if v.release_id == release_id and not v.deleted else WONT_DO, v.estimate)
            for v in versions if v.feature_id in ever_in]


def release_queue(releases: Iterable[tuple[int, bool, int]]) -> dict[int, int]:
    """The work ahead of each release, in features: `releases` are (id, open, remaining) in
    release-date order. The team is taken to work through open releases in that order, so an
    open release's forecast covers its own remaining features plus those of every open
    release due before it; a released or cancelled one, only its own leftovers."""
    ahead, result = 0, {}
    for release_id, is_open, remaining in releases:
        if is_open:
            ahead += remaining
            result[release_id] = ahead
        else:
            result[release_id] = remaining
    return result


def throughput_sample(weekly: Sequence[tuple[date, int]], *, today: date, since: date | None = None,
                      weeks: int = FORECAST_WEEKS) -> list[int]:
    """The weekly counts a forecast samples: the `weeks` complete ISO weeks before `today`'s
    week (the current week is still open), and none before `since`'s week (the product's
    first recorded change), so the weeks before a new product existed do not count as idle."""
    current = week_start(today)
    first = current - timedelta(days=7 * weeks)
    if since is not None:
        first = max(first, week_start(since))
    return [count for week, count in weekly if first <= week < current]


def simulate_weeks(remaining: Iterable[int], sample: Sequence[int], *, simulations: int = SIMULATIONS,
                   seed: int = 0, horizon: int = HORIZON_WEEKS) -> dict[int, list[int]]:
    """Monte Carlo: in each of `simulations` runs, draw weeks at random (with replacement)
    from `sample` and add their counts up until each amount of `remaining` work is done.
    Returns, per amount, the weeks each run needed, sorted; `horizon + 1` for a run that had
    not finished after `horizon` weeks. The runs are shared by all amounts, so more remaining
    work never finishes sooner; the same seed gives the same result. Needs a sample with at
    least one week above zero (see `forecast`)."""
    targets = sorted({amount for amount in remaining if amount > 0})
    needed: dict[int, list[int]] = {amount: [] for amount in targets}
    if not targets:
        return needed
    rng = random.Random(seed)
    draw, size = rng.random, len(sample)
    for _ in range(simulations):
        done = week = reached = 0
        while reached < len(targets) and week < horizon:
            week += 1
            done += sample[int(draw() * size)]
            while reached < len(targets) and done >= targets[reached]:
                needed[targets[reached]].append(week)
                reached += 1
        for amount in targets[reached:]:
            needed[amount].append(horizon + 1)
    for runs in needed.values():
        runs.sort()
    return needed


@dataclass(frozen=True)
class Forecast:
    """When the remaining features of a release are done, from throughput history.

    `status` is "done" (nothing left: every date is today, probability 1), "forecast", or
    "no_history" (no feature finished in the sampled weeks: not enough history to forecast;
    dates and probability are None). `dates` maps a confidence (50, 85, 95) to the day by
    which that share of the simulations had finished, or None when it is beyond the horizon
    (`horizon`, three years out). `probability` is the share of simulations finished by the
    release date (0 for a release date already past with work left)."""

    status: str
    remaining: int
    dates: dict[int, date | None]
    probability: float | None = None
    history_weeks: int = 0
    simulations: int = 0
    horizon: date | None = None

    @property
    def has_dates(self) -> bool:
        return self.status in (FORECAST_DONE, FORECAST_OK)


def forecast(*, remaining: int, sample: Sequence[int], today: date, release_date: date | None = None,
             needed: Sequence[int] | None = None, simulations: int = SIMULATIONS, seed: int = 0,
             horizon: int = HORIZON_WEEKS) -> Forecast:
    """The forecast of `remaining` features from weekly throughput `sample` (see
    `throughput_sample`). A simulated run finishing in its k-th week is done by today + 7k
    days. `needed` takes runs already simulated by `simulate_weeks` for this amount (a product's
    releases share one simulation); without it, they are simulated here with `seed`."""
    history = len(sample)
    if remaining <= 0:
        return Forecast(FORECAST_DONE, 0, {c: today for c in CONFIDENCES}, 1.0, history, 0)
    if not any(sample):
        return Forecast(FORECAST_NO_HISTORY, remaining, {c: None for c in CONFIDENCES}, None, history, 0)
    if needed is None:
        needed = simulate_weeks([remaining], sample, simulations=simulations, seed=seed, horizon=horizon)[remaining]
    runs = len(needed)
    dates: dict[int, date | None] = {}
    for confidence in CONFIDENCES:
        weeks = needed[max(math.ceil(confidence / 100 * runs) - 1, 0)]
        dates[confidence] = today + timedelta(days=7 * weeks) if weeks <= horizon else None
    probability = None
    if release_date is not None:
        within = (release_date - today).days // 7
        probability = bisect.bisect_right(needed, within) / runs if within >= 0 else 0.0
    return Forecast(FORECAST_OK, remaining, dates, probability, history, runs,
                    today + timedelta(days=7 * horizon))


@dataclass(frozen=True)
class Throughput:
    """A product's delivery pace: finished features per ISO week over the chart's weeks, the
    sample a forecast draws from, and cycle times of the features finished in those weeks."""

    weeks: list[tuple[date, int]]
    sample: list[int]
    cycle_times: list[CycleTime]

    @property
    def done_in_sample(self) -> int:
        return sum(self.sample)

    @property
    def mean(self) -> float:
        return sum(self.sample) / len(self.sample) if self.sample else 0.0

    @property
    def cycle_p50(self) -> float | None:
        return percentile([c.days for c in self.cycle_times], 50)

    @property
    def cycle_p85(self) -> float | None:
        return percentile([c.days for c in self.cycle_times], 85)


def throughput(versions: Iterable[Version], *, today: date, tz, chart_weeks: int = CHART_WEEKS,
               forecast_weeks: int = FORECAST_WEEKS) -> Throughput:
    """Weekly throughput for the `chart_weeks` ISO weeks up to `today`'s (the current week
    included, still open), the forecast sample (`throughput_sample`: complete weeks only) and
    the cycle times of features finished within the chart's weeks."""
    versions = list(versions)
    first_week = week_start(today) - timedelta(days=7 * (chart_weeks - 1))
    finished = {fid: local_day(when, tz) for fid, when in finished_at(versions).items()}
    weeks = weekly_throughput(finished.values(), first_week=first_week, last_week=today)
    since = min((local_day(v.when, tz) for v in versions), default=None)
    # The sample may reach further back than the chart when the chart is shorter.
    sample_weeks = weekly_throughput(finished.values(), first_week=min(
        first_week, week_start(today) - timedelta(days=7 * forecast_weeks)), last_week=today)
    sample = throughput_sample(sample_weeks, today=today, since=since, weeks=forecast_weeks)
    cycles = [c for c in cycle_times(versions, tz=tz) if c.finished >= first_week]
    return Throughput(weeks, sample, cycles)


@dataclass(frozen=True)
class Readiness:
    """How ready a release's launch is: to-dos done (closed ones left out) against time gone."""

    total: int
    done: int
    overdue: int
    time_percent: int  # share of the release window gone, 0–100
    state: str  # none, ready, on_track, behind, closed

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def label(self) -> str:
        return {"none": "No launch to-dos", "ready": "Ready", "on_track": "On track", "behind": "Behind",
                "closed": "Closed"}[self.state]


def readiness(*, total: int, done: int, overdue: int, start: date, release_date: date, today: date,
              status: str) -> Readiness:
    """A release's launch readiness. On track while the share of to-dos done is at least the
    share of the release's time gone (start date to release date), and nothing is overdue;
    behind otherwise; ready when every to-do is done."""
    window = max((release_date - start).days, 0) + 1
    gone = min(max((today - start).days + 1, 0), window)
    time_percent = round(100 * gone / window)
    if status == "cancelled":
        state = "closed"
    elif total == 0:
        state = "none"
    elif done >= total:
        state = "ready"
    elif overdue or 100 * done / total < time_percent:
        state = "behind"
    else:
        state = "on_track"
    return Readiness(total=total, done=done, overdue=overdue, time_percent=time_percent, state=state)
