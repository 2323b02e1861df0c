"""Reads of the plan as it was at an earlier moment, from the history Waymark keeps of
features and releases (django-simple-history): three queries however many features, each
taking the newest history row of every record at or before the moment."""

from __future__ import annotations

from datetime import datetime

from releases.models import Feature, Release, StatusCategory

from ..changes import PlanRow


def _as_of(history, when: datetime):
    return history.filter(history_date__lte=when).order_by("id", "-history_date", "-history_id").distinct("id")


def plan_then(product_ids: list[int], when: datetime) -> tuple[dict[int, PlanRow], list[PlanRow]]:
    """({feature id: row} of the features these products had at `when`, with effective dates
    from their releases as they were then; and the rows of those deleted since). Three queries."""
    if not product_ids:
        return {}, []
    release_dates = {
        row["id"]: (row["start_date"], row["release_date"])
        for row in _as_of(Release.history.filter(product_id__in=product_ids), when)
        .values("id", "start_date", "release_date", "history_type") if row["history_type"] != "-"}
    then: dict[int, PlanRow] = {}
    for row in _as_of(Feature.history.filter(product_id__in=product_ids), when).values(
            "id", "number", "product__key", "title", "start_date", "end_date", "release_id", "status__category",
            "history_type"):
        if row["history_type"] == "-":
            continue
        start, end = release_dates.get(row["release_id"], (None, None))
        then[row["id"]] = PlanRow(row["id"], f"{row['product__key']}-{row['number']}", row["title"],
                                  row["start_date"] or start, row["end_date"] or end,
                                  row["status__category"] == StatusCategory.DONE)
    deleted = set(Feature.history.filter(product_id__in=product_ids, history_type="-", history_date__gt=when)
                  .values_list("id", flat=True))
    return then, [then[pk] for pk in sorted(deleted) if pk in then]


def plan_now(rows: list[dict]) -> list[PlanRow]:
    """Plan rows of feature rows a view already read (`key`, effective dates, status category)."""
    return [PlanRow(row["id"], row["key"], row["title"], row["effective_start"], row["effective_end"],
                    row["status__category"] == StatusCategory.DONE) for row in rows]



