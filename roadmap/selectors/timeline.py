"""Reads of the product and portfolio timelines: features, lanes of releases, dependencies,
statuses and goals of one product, and the products of a line."""


from __future__ import annotations

import hashlib
from datetime import date, datetime

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import OuterRef, QuerySet
from django.db.models.functions import JSONObject

from releases import selectors as release_selectors
from releases.models import Dependency, Feature, Milestone, Release, ReleasePhase, WorkflowStatus
from strategy.models import Product


def product_features(product: Product) -> QuerySet[Feature]:
    """The product's features, for the timeline's FeatureFilterSet to narrow."""
    return Feature.objects.filter(product=product)


_MILESTONE_FIELDS = ("id", "name", "date", "description", "created_at", "updated_at")


def lane_releases(product_ids: list[int]) -> list[Release]:
    """The releases of these products with their milestones, product by product in date
    order: what timeline lanes draw; one query (the milestones come along as a JSON array,
    and `release.milestones.all()` answers from them, in their usual order). `with_late_phases`
    lets the conflict rules see late phases without a query of their own, and `timeline_phases`
    holds the release's phases in date order, as {"name", "colour", "start", "end"} (dates), for
    the bands under its bar."""
    milestones = (Milestone.objects.filter(release=OuterRef("pk")).order_by(*Milestone._meta.ordering)
                  .values(row=JSONObject(**{name: name for name in _MILESTONE_FIELDS})))
    phases = (ReleasePhase.objects.filter(release=OuterRef("pk")).order_by(*ReleasePhase._meta.ordering)
              .values(row=JSONObject(name="phase_type__name", colour="phase_type__colour", start="start_date",
                                     end="end_date")))
    releases = list(Release.objects.filter(product_id__in=product_ids)
                    .annotate(milestone_rows=ArraySubquery(milestones), phase_rows=ArraySubquery(phases))
                    .with_late_phases().order_by("product_id", "release_date", "name", "id"))
    for release in releases:
        _remember_milestones(release, [_milestone(release, row) for row in release.milestone_rows])
        release.timeline_phases = [{"name": row["name"], "colour": row["colour"],
                                    "start": date.fromisoformat(row["start"]), "end": date.fromisoformat(row["end"])}
                                   for row in release.phase_rows]
        del release.milestone_rows, release.phase_rows
    return releases


def _milestone(release: Release, row: dict) -> Milestone:
    milestone = Milestone(id=row["id"], release=release, name=row["name"], date=date.fromisoformat(row["date"]),
                          description=row["description"], created_at=datetime.fromisoformat(row["created_at"]),
                          updated_at=datetime.fromisoformat(row["updated_at"]))
    milestone._state.adding = False
    milestone._state.db = Release.objects.db
    return milestone


def _remember_milestones(release: Release, milestones: list[Milestone]) -> None:
    """What prefetch_related("milestones") leaves on a release, from rows read already."""
    queryset = release.milestones.get_queryset()
    queryset._result_cache = milestones
    queryset._prefetch_done = True
    release._prefetched_objects_cache = {Release.milestones.rel.get_accessor_name(): queryset}


def timeline_rows(features: QuerySet[Feature]) -> tuple[list[dict], list[tuple[int, int]]]:
    """The features' rows (`feature_rows`) and the (feature id, depends-on id) pairs of their
    dependencies, in one query: each row brings the ids it depends on as an array."""
    depends_on = Dependency.objects.filter(feature=OuterRef("pk")).order_by("id").values("depends_on_id")
    rows = release_selectors.feature_rows(features.annotate(depends_on_ids=ArraySubquery(depends_on)),
                                          extra=("depends_on_ids",))
    return rows, [(row["id"], other) for row in rows for other in row.pop("depends_on_ids")]


def workflow_statuses(product: Product) -> list[WorkflowStatus]:
    """The statuses in use in the product's workspace, in workflow order; one query."""
    return list(WorkflowStatus.objects.filter(workspace_id=product.workspace_id, retired_at__isnull=True)
                .order_by("position", "id"))


def goals_by_feature(product: Product) -> dict[int, tuple[int, str]]:
    """{feature id: (goal id, name)} of each feature's first goal by name, in one query. A
    feature serving several goals is drawn once, under the first."""
    pairs = (Feature.goals.through.objects.filter(feature__product=product)
             .order_by("feature_id", "goal__name", "goal_id")
             .values_list("feature_id", "goal_id", "goal__name"))
    found: dict[int, tuple[int, str]] = {}
    for feature_id, goal_id, name in pairs:
        found.setdefault(feature_id, (goal_id, name))
    return found


def line_children(line: Product) -> list[Product]:
    """The products directly below a product line that are not archived, by name; one query."""
    return list(Product.objects.filter(parent=line, workspace_id=line.workspace_id, archived_at__isnull=True)
                .order_by("name", "id"))


def line_features(product_ids: list[int]) -> QuerySet[Feature]:
    """The features of these products (a line's), for the portfolio timeline to draw."""
    return Feature.objects.filter(product_id__in=product_ids)


# What the roadmap drawings read besides what the plan cache's fingerprint covers (features,
# releases, dependencies, phases, statuses, phase types, the products): milestones, the goals
# features serve, initiatives' and goals' names and colours, and the names of the people
# features are assigned to (users have no time of change, so their names are hashed).
_VIEW_FINGERPRINT_SQL = f"""
SELECT {release_selectors.PLAN_FINGERPRINT_COLUMNS},
  (SELECT count(*)::text || '/' || coalesce(max(m.updated_at)::text, '') FROM releases_milestone m
     JOIN releases_release r ON r.id = m.release_id WHERE r.product_id = ANY(%(ids)s)),
  (SELECT count(*)::text || '/' || coalesce(max(fg.id), 0)::text FROM releases_feature_goals fg
     JOIN releases_feature f ON f.id = fg.feature_id WHERE f.product_id = ANY(%(ids)s)),
  (SELECT count(*)::text || '/' || coalesce(max(updated_at)::text, '') FROM strategy_initiative
    WHERE workspace_id IN (SELECT workspace_id FROM strategy_product WHERE id = ANY(%(ids)s))),
  (SELECT count(*)::text || '/' || coalesce(max(updated_at)::text, '') FROM strategy_goal
    WHERE workspace_id IN (SELECT workspace_id FROM strategy_product WHERE id = ANY(%(ids)s))),
  (SELECT md5(coalesce(string_agg(id::text || ':' || full_name || ':' || email, ',' ORDER BY id), ''))
     FROM strategy_user WHERE id IN (SELECT assignee_id FROM releases_feature WHERE product_id = ANY(%(ids)s)))
"""  # noqa: S608 - constants only; the products' ids are a query parameter


def view_fingerprint(product_ids: list[int]) -> str | None:
    """A digest of everything a roadmap drawing of these products reads, that changes when any
    of it changes: the products' plan generations (renewed on `features_changed` and by the
    release and workflow services) and one query over the rows' counts and times of change;
    None when the cache does not answer (then nothing is cached)."""
    product_ids = sorted(set(product_ids))
    generations = release_selectors.plan_generations(product_ids)
    if generations is None:
        return None
    with connection.cursor() as cursor:
        cursor.execute(_VIEW_FINGERPRINT_SQL, {"ids": product_ids})
        fingerprint = "|".join(str(part) for part in cursor.fetchone())
    return hashlib.sha256(f"{','.join(generations)}|{fingerprint}".encode()).hexdigest()
