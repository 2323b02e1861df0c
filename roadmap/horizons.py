"""The horizon rules of Now / Next / Later: pure functions over plain rows, no queries.

Per product, relative to `today`:

- The *current* release is the one whose window (start date to release date) contains
  today, preferring one not yet released; without one, the earliest release in progress.
  The *next* release is the first release after the current one that is neither released
  nor cancelled (without a current release: the first one not yet due). Cancelled
  releases count as no release.
- NOW: the features of the current release. Done ones stay, with a check mark; a feature
  of a release already past (released or overdue) that is still open is also NOW, being
  late work. A feature without a release is NOW when its own window contains today (or
  has passed while it is still open).
- NEXT: the features of the next release; a feature without a release that starts after
  today and by the end of the next calendar quarter.
- LATER: every other open feature: later releases, later dates, and no dates at all.
- Done features outside the current release and won't-do features are left out.

For a product line, the rules run per product of the line and the columns merge
(`roadmap.compose.now_next_later_context`).
"""

from __future__ import annotations

from datetime import date, timedelta

from releases.models import Release, StatusCategory

NOW, NEXT, LATER = "now", "next", "later"
HORIZONS = (NOW, NEXT, LATER)
HORIZON_TITLES = {NOW: "Now", NEXT: "Next", LATER: "Later"}
RULES_TEXT = ("Now: the current release, or work under way today · Next: the next release, or work starting "
              "by the end of next quarter · Later: everything else still open. Won't-do and earlier done work "
              "is left out.")


def quarter_end(day: date, quarters_ahead: int = 0) -> date:
    """The last day of the calendar quarter `quarters_ahead` after the one holding `day`."""
    index = (day.month - 1) // 3 + quarters_ahead
    year, quarter = day.year + index // 4, index % 4
    first_of_next = date(year + (quarter == 3), (quarter + 1) % 4 * 3 + 1, 1)
    return first_of_next - timedelta(days=1)


def current_and_next(releases: list[dict], today: date) -> tuple[dict | None, dict | None]:
    """The current and the next release of ONE product's releases (cancelled ones already
    left out), as the module docstring defines them."""
    ordered = sorted(releases, key=lambda r: (r["release_date"], r["start_date"], r["id"]))
    containing = [r for r in ordered if r["start_date"] <= today <= r["release_date"]]
    unreleased = [r for r in containing if r["status"] != Release.Status.RELEASED]
    current = (unreleased or containing or [None])[0]
    if current is None:
        current = next((r for r in ordered if r["status"] == Release.Status.IN_PROGRESS), None)
    open_ = [r for r in ordered if r["status"] != Release.Status.RELEASED]
    if current is not None:
        after = [r for r in open_ if r["id"] != current["id"] and (r["release_date"], r["start_date"], r["id"])
                 > (current["release_date"], current["start_date"], current["id"])]
    else:
        after = [r for r in open_ if r["release_date"] >= today]
    return current, (after[0] if after else None)


def _is_past(release: dict, today: date) -> bool:
    return release["status"] == Release.Status.RELEASED or release["release_date"] < today


def horizon_of(row: dict, *, release: dict | None, current_id: int | None, next_id: int | None,
               today: date, next_until: date) -> str | None:
    """NOW, NEXT, LATER or None (left out) for one feature row."""
    category = row["status__category"]
    if category == StatusCategory.WONT_DO:
        return None
    if release is not None:
        if release["id"] == current_id:
            return NOW
        if category == StatusCategory.DONE:
            return None
        if release["id"] == next_id:
            return NEXT
        return NOW if _is_past(release, today) else LATER
    if category == StatusCategory.DONE:
        return None
    start, end = row["start_date"], row["end_date"]
    if start and start <= today or end and end < today:
        return NOW
    if start and start <= next_until:
        return NEXT
    return LATER
