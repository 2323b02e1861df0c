"""What changed in a plan since an earlier moment: pure functions over plain rows, no queries.

`compare_plans` takes the plan as it was (rows read from the history Waymark keeps of
features and releases, `roadmap.selectors.plan_then`) and as it is (the rows the view already
drew), and says for each feature what happened since: added, moved later or earlier (by how
many days, comparing ends, or starts when there is no end), newly done, or removed (deleted).
A feature is marked once, by its most telling change: added, then done, then moved.

Dates are effective ones: a feature without dates of its own takes its release's, then as now,
from the release as it was then.

`parse_since` reads the `since` parameter (a date, or a date and time such as a browser's last
visit) without raising.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import NamedTuple

from django.utils import timezone

from .timeline import format_date

ADDED, REMOVED, LATER, EARLIER, DONE = "added", "removed", "later", "earlier", "done"
KINDS = (LATER, ADDED, DONE, EARLIER, REMOVED)  # the order of the summary
_PHRASES = {LATER: "slipped", ADDED: "added", DONE: "shipped", EARLIER: "moved earlier", REMOVED: "removed"}
LISTED = 50  # changes listed under the summary; the marks on the view show them all
LEGEND = ((ADDED, "Added"), (LATER, "Moved later"), (EARLIER, "Moved earlier"), (DONE, "Newly done"))


# Plain tuples: a 3,000-feature comparison builds thousands of these, and a named tuple is
# built about eight times faster than a frozen dataclass.
class PlanRow(NamedTuple):
    """A feature as a plan shows it: its effective dates and whether it is done (and, to
    tell its dates then from a release that moved, its release and its own dates)."""

    id: int
    key: str
    title: str
    start: date | None
    end: date | None
    done: bool
    release_id: int | None = None
    own_start: date | None = None
    own_end: date | None = None


class Change(NamedTuple):
    """What happened to one feature (or release) since the moment compared with."""

    feature_id: int
    kind: str
    key: str
    title: str
    days: int = 0  # how far it moved (always positive)
    was_start: date | None = None
    was_end: date | None = None

    @property
    def text(self) -> str:
        """The change in a few words, for a tooltip and the list."""
        if self.kind == ADDED:
            return "Added"
        if self.kind == REMOVED:
            return "Removed"
        if self.kind == DONE:
            return "Newly done"
        direction = "later" if self.kind == LATER else "earlier"
        was = " – ".join(format_date(day) for day in (self.was_start, self.was_end) if day)
        return f"Moved {self.days} day{'s' if self.days != 1 else ''} {direction}" + (f" (was {was})" if was else "")


@dataclass
class PlanChanges:
    since: datetime
    changes: list[Change] = field(default_factory=list)

    @property
    def by_feature(self) -> dict[int, Change]:
        return {change.feature_id: change for change in self.changes}

    @property
    def counts(self) -> Counter:
        return Counter(change.kind for change in self.changes)

    def since_text(self, today: date) -> str:
        day = timezone.localtime(self.since).date() if timezone.is_aware(self.since) else self.since.date()
        return format_date(day) if day.year != today.year else format_date(day).rsplit(" ", 1)[0]

    def summary(self, today: date) -> str:
        """"3 features slipped, 2 added, 1 shipped since 12 Nov"."""
        counts = self.counts
        parts = [(counts[kind], _PHRASES[kind]) for kind in KINDS if counts[kind]]
        if not parts:
            return f"Nothing changed since {self.since_text(today)}"
        first, *rest = parts
        words = [f"{first[0]} feature{'s' if first[0] != 1 else ''} {first[1]}"]
        words += [f"{count} {phrase}" for count, phrase in rest]
        return f"{', '.join(words)} since {self.since_text(today)}"

    def ordered(self, limit: int | None = LISTED) -> list[Change]:
        """The changes, slips first and the biggest moves first, at most `limit` of them."""
        rank = {kind: index for index, kind in enumerate(KINDS)}
        return sorted(self.changes, key=lambda change: (rank[change.kind], -change.days, change.feature_id))[:limit]

    @property
    def unlisted(self) -> int:
        return max(len(self.changes) - LISTED, 0)


def counts_text(counts: Counter) -> str:
    """"2 slipped · 1 added": counts of changes by kind, in the summary's order."""
    return " · ".join(f"{counts[kind]} {_PHRASES[kind]}" for kind in KINDS if counts[kind])


def _moved(then: PlanRow, now: PlanRow) -> tuple[str, int] | None:
    before, after = (then.end, now.end) if then.end and now.end else (then.start, now.start)
    if before is None or after is None or before == after:
        return None
    days = after.toordinal() - before.toordinal()
    return (LATER, days) if days > 0 else (EARLIER, -days)


def compare_plans(*, then: Mapping[int, PlanRow], now: Iterable[PlanRow], removed: Iterable[PlanRow] = (),
                  since: datetime) -> PlanChanges:
    """The changes from `then` (the plan at `since`) to `now` (the rows a view shows);
    `removed` are features of the plan then that have been deleted since."""
    found = PlanChanges(since=since)
    for row in now:
        old = then.get(row.id)
        if old is row:
            continue  # unchanged since (most of a plan): nothing to compare
        if old is None:
            found.changes.append(Change(row.id, ADDED, row.key, row.title))
        elif row.done and not old.done:
            found.changes.append(Change(row.id, DONE, row.key, row.title))
        elif moved := _moved(old, row):
            found.changes.append(Change(row.id, moved[0], row.key, row.title, moved[1], old.start, old.end))
    found.changes.extend(Change(row.id, REMOVED, row.key, row.title) for row in removed)
    return found


def parse_since(raw: str | None, now: datetime) -> tuple[datetime | None, str]:
    """The moment `since` names (a date means its start, in the current time zone), or None
    and a message saying why it was ignored (empty, malformed, or not in the past)."""
    raw = (raw or "").strip()
    if not raw:
        return None, ""
    try:
        if len(raw) == 10:
            moment = timezone.make_aware(datetime.combine(date.fromisoformat(raw), time.min))
        else:
            moment = datetime.fromisoformat(raw[:40])
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment)
    except ValueError:
        return None, f"“{raw[:40]}” is not a date (use YYYY-MM-DD); not comparing with an earlier plan."
    if moment >= now:
        return None, "Compare with a moment in the past; showing today's plan only."
    return moment, ""
