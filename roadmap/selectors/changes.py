"""Reads of the plan as it was at an earlier moment, from the history Waymark keeps of
features and releases (django-simple-history): three queries however many features.

Most of a plan does not change in a few weeks, so the history is read only where it did:
the features with a history row after the moment (their ids and kinds of change), the newest
row at or before the moment of those features only, and the releases as they were (a few
dozen per product). A feature without a history row since the moment is as it is now, except
for the dates it takes from a release that has moved since. Reading the whole plan then (the
newest history row of every feature) cost about as much as drawing the timeline itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Subquery

from releases.models import Feature, Release, StatusCategory

from ..changes import PlanRow


@dataclass
class PlanThen:
    """The plan at a moment, as far as a view needs it: {feature id: row then} for the
    features it shows that existed then, the features of the plan then deleted since, and
    {release id: (start, release date)} of the releases as they were."""

    features: dict[int, PlanRow] = field(default_factory=dict)
    deleted: list[PlanRow] = field(default_factory=list)
    releases: dict[int, tuple[date, date]] = field(default_factory=dict)


def _as_of(history, when: datetime):
    return history.filter(history_date__lte=when).order_by("id", "-history_date", "-history_id").distinct("id")


def plan_then(product_ids: list[int], when: datetime, now: list[PlanRow]) -> PlanThen:
    """The plan of these products at `when`, for the features `now` (rows read from the
    current plan, with their own dates and release: `plan_now`). Three queries."""
    if not product_ids:
        return PlanThen()
    since = Feature.history.filter(product_id__in=product_ids, history_date__gt=when)
    changed: dict[int, bool] = {}  # id: deleted since
    for pk, kind in since.values_list("id", "history_type").distinct():
        changed[pk] = changed.get(pk, False) or kind == "-"
    releases = {
        row["id"]: (row["start_date"], row["release_date"])
        for row in _as_of(Release.history.filter(product_id__in=product_ids), when)
        .values("id", "start_date", "release_date", "history_type") if row["history_type"] != "-"}
    found = PlanThen(releases=releases)
    # Filtering by product as well lets PostgreSQL use its index rather than scan the history.
    changed_since = Feature.history.filter(product_id__in=product_ids, id__in=Subquery(since.values("id")))
    old_rows = _as_of(changed_since, when).values(
        "id", "number", "product__key", "title", "start_date", "end_date", "release_id", "status__category",
        "history_type")
    for row in old_rows:
        if row["history_type"] == "-":
            continue
        start, end = releases.get(row["release_id"], (None, None))
        old = PlanRow(row["id"], f"{row['product__key']}-{row['number']}", row["title"],
                      row["start_date"] or start, row["end_date"] or end,
                      row["status__category"] == StatusCategory.DONE, row["release_id"], row["start_date"],
                      row["end_date"])
        found.features[old.id] = old
        if changed.get(old.id):
            found.deleted.append(old)
    found.deleted.sort(key=lambda row: row.id)
    for row in now:
        if row.id in changed:
            continue  # its row then was read above (or it did not exist then)
        then = row
        if row.release_id in releases and (row.own_start is None or row.own_end is None):
            start, end = releases[row.release_id]
            then = row._replace(start=row.own_start or start, end=row.own_end or end)
        found.features[row.id] = then
    return found


def plan_now(rows: list[dict]) -> list[PlanRow]:
    """Plan rows of feature rows a view already read (`key`, own and effective dates,
    release, status category)."""
    return [PlanRow(row["id"], row["key"], row["title"], row["effective_start"], row["effective_end"],
                    row["status__category"] == StatusCategory.DONE, row["release_id"], row["start_date"],
                    row["end_date"]) for row in rows]
