"""Reads of the planning pages: the backlog, what blocks its features, the tags in use, and
the conflicts of one or many products' plans."""

from __future__ import annotations

import contextlib
import hashlib
import secrets
import threading
import time
from collections import OrderedDict, defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import connection
from django.db.models import Count, F, Func, Max, Q, QuerySet, Subquery, Sum, Value, Window
from django.db.models.functions import JSONObject, RowNumber

from strategy.models import Product, User

from .. import metrics
from ..filters import SCORE_WITH_DEMAND
from ..models import CLOSED_CATEGORIES, Dependency, Feature, Release
from .features import feature_queryset, feature_rows


def open_features(*, user: User, product: Product) -> QuerySet[Feature]:
    """The backlog: features not done and not won't-do."""
    return feature_queryset(user=user, product=product).exclude(status__category__in=CLOSED_CATEGORIES)


# --- windows of long lists --------------------------------------------------------------------
#
# A big product's backlog and board hold thousands of features; pages send a window of them
# (the browser asks for the next one as the person scrolls) with the true totals, read in the
# same query as the rows by window functions over the whole filtered list.

BACKLOG_WINDOW = 100  # backlog rows per window (about 2 KB of HTML each)
# Cards per board column (per column of each swimlane) per window: about 1 KB each, and a big
# product's board has eight columns (the page stays under 300 KB).
BOARD_WINDOW = 30
# Cards per column of each swimlane: lanes stack, so each shows a few and offers the rest on
# request (a board of 20 lanes by 8 columns would otherwise send 4,800 cards, 2.5 MB).
BOARD_LANE_WINDOW = 6
_AROUND = 2  # rows either side of a backlog window: the move buttons name up to two neighbours


@dataclass
class BacklogWindow:
    """Rows `offset` … `offset + limit - 1` of an ordered backlog, with the totals of the whole
    list. `rows` also holds up to two rows either side (`shown` indexes the window itself)."""

    rows: list[dict]
    shown: range
    offset: int
    total: int  # features in the whole (filtered) list
    points: Decimal  # the sum of their estimates
    top_score: Decimal | None  # the largest score (RICE, or with demand) of the whole list
    top_demand: Decimal | None

    @property
    def window_rows(self) -> list[dict]:
        return [self.rows[i] for i in self.shown]

    @property
    def next_offset(self) -> int | None:
        end = self.offset + len(self.shown)
        return end if end < self.total else None


def backlog_window(features: QuerySet[Feature], *, product: Product, offset: int = 0,
                   limit: int = BACKLOG_WINDOW) -> BacklogWindow:
    """One window of an ordered list of features (the backlog's filtered, sorted queryset), its
    neighbours and the list's totals: one query, whatever the list's length. The totals are
    uncorrelated subqueries (computed once, over the features alone), so the rows themselves
    are read by the order's index up to the window's end, not joined and sorted in full."""
    score = SCORE_WITH_DEMAND if SCORE_WITH_DEMAND in features.query.annotations else "rice_score"
    # GROUP BY a constant: one row, the aggregates of the whole list, as one JSON object.
    totals = Subquery(features.order_by().values(whole=Value(1)).annotate(value=JSONObject(
        total=Count("id"), points=Sum("estimate"), top_score=Max(score), top_demand=Max("demand"))).values("value"))
    start = max(0, offset - _AROUND)
    rows = feature_rows(features.annotate(window_totals=totals), extra=("window_totals",),
                        window=(start, offset - start + limit + _AROUND), product=product)
    first = offset - start
    shown = range(min(first, len(rows)), min(first + limit, len(rows)))
    found = rows[0]["window_totals"] if rows else {}

    def number(name: str) -> Decimal | None:  # JSON numbers, back to the columns' decimals
        return None if found.get(name) is None else Decimal(str(found[name]))

    return BacklogWindow(rows=rows, shown=shown, offset=offset, total=found.get("total") or 0,
                         points=number("points") or Decimal(0), top_score=number("top_score"),
                         top_demand=number("top_demand"))


def board_window(features: QuerySet[Feature], *, product: Product, lane_field: str | None = None,
                 limit: int = BOARD_WINDOW) -> list[dict]:
    """The first `limit` cards (in rank order) of each column of a board, or of each column of
    each swimlane (`lane_field`: the rows' field lanes split by), with each column's true total
    (`column_total`) and estimate (`column_points`) on its rows: one query."""
    partition = [F("status_id"), *([F(lane_field)] if lane_field else [])]
    # The window functions sort the whole list, so they run over the features' own narrow
    # columns, and the cards' joined columns are read for the cards kept only (two queries: on
    # a 3,200-feature board 4 + 1 ms, where one query joining everything first took 17 ms).
    placed = features.order_by().annotate(
        column_place=Window(RowNumber(), partition_by=partition, order_by=[F("rank").asc(), F("id").asc()]),
        column_total=Window(Count("id"), partition_by=partition),
        column_points=Window(Sum("estimate"), partition_by=partition),
    ).filter(column_place__lte=limit).values_list("id", "column_total", "column_points")
    totals = {pk: (total, points) for pk, total, points in placed}
    rows = feature_rows(Feature.objects.filter(pk__in=totals).order_by("rank", "id"), product=product) if totals else []
    for row in rows:
        row["column_total"], row["column_points"] = totals[row["id"]]
    return rows


def board_column_window(features: QuerySet[Feature], *, product: Product, after: tuple[str, int],
                        limit: int = BOARD_WINDOW) -> tuple[list[dict], int]:
    """The next cards of one board column (`features`: already narrowed to the column) after
    the card (rank, id) `after`, and how many come after it in all: one query."""
    rank, pk = after
    rest = features.filter(Q(rank__gt=rank) | Q(rank=rank, id__gt=pk)).order_by("rank", "id")
    rows = feature_rows(rest.annotate(column_rest=Window(Count("id"))), extra=("column_rest",), window=(0, limit),
                        product=product)
    return rows, (rows[0]["column_rest"] if rows else 0)


def _blockers(rows: list[dict], dependencies: list[tuple[int, int]]) -> dict[int, list[str]]:
    """{feature id: keys of the features it depends on that are not finished}, for the
    unfinished features among `rows` (which hold their prerequisites too), by number."""
    by_id = {r["id"]: r for r in rows}
    found: dict[int, list[dict]] = defaultdict(list)
    for feature_id, depends_on in dependencies:
        feature, prerequisite = by_id.get(feature_id), by_id.get(depends_on)
        if (feature is not None and prerequisite is not None and feature["status__category"] not in CLOSED_CATEGORIES
                and prerequisite["status__category"] not in CLOSED_CATEGORIES):
            found[feature_id].append(prerequisite)
    return {feature_id: [r["key"] for r in sorted(found_rows, key=lambda r: (r["number"], r["key"]))]
            for feature_id, found_rows in found.items()}


def tags_in_use(*, product: Product) -> list[str]:
    """Every tag on the product's features, in one query (unnest in PostgreSQL), in the order
    of `Plan.tags` (Python's, whatever the database's collation)."""
    return sorted(Feature.objects.filter(product=product).annotate(tag=Func(F("tags"), function="unnest"))
                  .values_list("tag", flat=True).distinct().order_by())


def _conflicts(rows: list[dict], product_ids: list[int], *, dependencies: list[tuple[int, int]] | None = None,
               releases: list[Release] | None = None) -> list[metrics.Conflict]:
    """The conflict rules over the products' features (`rows`: all of them). Pages that have
    already read the dependencies or releases pass them in to save the queries."""
    if dependencies is None:
        dependencies = _dependencies_of(product_ids)
    rows = _with_prerequisites_elsewhere(rows, dependencies)
    features = [
        metrics.FeatureRow(id=r["id"], key=r["key"], category=r["status__category"], estimate=r["estimate"],
                           end=r["effective_end"], own_end=r["end_date"], release_id=r["release_id"])
        for r in rows
    ]
    phases: list[metrics.PhaseRow] = []
    if releases is None:
        release_rows = []
        for r in Release.objects.filter(product_id__in=product_ids).with_late_phases().values(
                "id", "name", "release_date", "status", "capacity", "late_phases"):
            release_rows.append(metrics.ReleaseRow(id=r["id"], name=r["name"], release_date=r["release_date"],
                                                   status=r["status"], capacity=r["capacity"]))
            phases.extend(late_phase_rows(r["id"], r["late_phases"]))
    else:
        release_rows = [metrics.ReleaseRow(id=r.pk, name=r.name, release_date=r.release_date, status=r.status,
                                           capacity=r.capacity) for r in releases]
        if all(hasattr(r, "late_phases") for r in releases):
            for r in releases:
                phases.extend(late_phase_rows(r.pk, r.late_phases))
        elif releases:
            # Releases read without the annotation: one more query.
            late = Release.objects.filter(pk__in=[r.pk for r in releases]).with_late_phases().values_list(
                "id", "late_phases")
            for release_id, found in late:
                phases.extend(late_phase_rows(release_id, found))
    return metrics.conflicts(features, release_rows, dependencies, phases)


def _dependencies_of(product_ids: list[int]) -> list[tuple[int, int]]:
    return list(Dependency.objects.filter(feature__product_id__in=product_ids).values_list(
        "feature_id", "depends_on_id"))


def _with_prerequisites_elsewhere(rows: list[dict], dependencies: list[tuple[int, int]]) -> list[dict]:
    """`rows` and the rows of the prerequisites in other products (they count for "ends before
    a feature it depends on", and block their dependents): one query when there are any."""
    known = {r["id"] for r in rows}
    elsewhere = {depends_on for _feature, depends_on in dependencies if depends_on not in known}
    return rows + feature_rows(Feature.objects.filter(pk__in=elsewhere)) if elsewhere else rows


def late_phase_rows(release_id: int, found: list[dict] | None) -> list[metrics.PhaseRow]:
    """The `late_phases` annotation of a release (see `ReleaseQuerySet.with_late_phases`) as rows."""
    return [metrics.PhaseRow(release_id=release_id, name=p["name"], end=date.fromisoformat(p["end"]))
            for p in found or ()]


def conflicts_for(*, product: Product, feature_rows_: list[dict] | None = None,
                  dependencies: list[tuple[int, int]] | None = None,
                  releases: list[Release] | None = None) -> list[metrics.Conflict]:
    """Every conflict in the product's plan. With all the product's feature rows passed in
    (`feature_rows_`), they are computed from them (and from `dependencies` and `releases` when
    given: up to two queries saved); without, they come from the plan cache (`plan_for`): one
    query while the plan is unchanged, five or six when it changed."""
    if feature_rows_ is None:
        return plan_for(product_ids=[product.pk]).conflicts.all
    return _conflicts(feature_rows_, [product.pk], dependencies=dependencies, releases=releases)


@dataclass
class ConflictIndex:
    """Conflicts looked up by feature and by release, for templates."""

    all: list[metrics.Conflict]
    by_feature: dict[int, list[metrics.Conflict]] = field(default_factory=dict)
    by_release: dict[int, list[metrics.Conflict]] = field(default_factory=dict)

    @classmethod
    def of(cls, conflicts: list[metrics.Conflict]) -> ConflictIndex:
        index = cls(all=conflicts)
        for conflict in conflicts:
            if conflict.feature_id:
                index.by_feature.setdefault(conflict.feature_id, []).append(conflict)
            if conflict.release_id:
                index.by_release.setdefault(conflict.release_id, []).append(conflict)
        return index


@dataclass
class Plan:
    """The conflicts of some products' plans, which release each of their features is in, and,
    read with the plan so that they cost no query: every tag on those features (for filter
    menus) and what blocks each unfinished one (the keys of its unfinished prerequisites)."""

    conflicts: ConflictIndex
    release_of: dict[int, int | None]
    tags: list[str] = field(default_factory=list)
    blockers: dict[int, list[str]] = field(default_factory=dict)
    _by_release: dict[int, list[metrics.Conflict]] | None = field(default=None, repr=False, compare=False)

    def of_feature(self, feature_id: int) -> list[metrics.Conflict]:
        return self.conflicts.by_feature.get(feature_id, [])

    def of_release(self, release_id: int) -> list[metrics.Conflict]:
        """The release's own conflicts and its features' (as the release page shows them)."""
        if self._by_release is None:  # grouped once: a release list asks for every release
            self._by_release = {}
            for c in self.conflicts.all:
                for found in {c.release_id, self.release_of.get(c.feature_id) if c.feature_id else None} - {None}:
                    self._by_release.setdefault(found, []).append(c)
        return self._by_release.get(release_id, [])


def _compute_plan(product_ids: list[int]) -> Plan:
    rows = feature_rows(Feature.objects.filter(product_id__in=product_ids))
    dependencies = _dependencies_of(product_ids)
    everything = _with_prerequisites_elsewhere(rows, dependencies)
    return Plan(ConflictIndex.of(_conflicts(everything, product_ids, dependencies=dependencies)),
                {r["id"]: r["release_id"] for r in rows}, tags=sorted({tag for r in rows for tag in r["tags"]}),
                blockers=_blockers(everything, dependencies))


# --- the plan cache ----------------------------------------------------------------------------
#
# The conflict rules read every feature of a plan (3,200 rows in a big product: tens of ms on
# every planning page), so their result is kept in the cache (Redis), per set of products, under
# a key made of
# - a generation per product, renewed by `forget_plans` (the `features_changed` receiver, and the
#   release and workflow services, which change what the rules read without touching features);
# - a fingerprint of what the rules read, taken in one small query: counts and latest changes of
#   the products' features, releases, dependencies (with their prerequisites elsewhere and those
#   prerequisites' releases), the releases' phases (late phases are a conflict), the workspace's
#   statuses and phase types, and the products themselves. It catches
#   writes that bypass the services (the admin, data migrations, tests' factories).
# A cache that does not answer (Redis down) only costs the computation.

PLAN_CACHE_SECONDS = 24 * 3600
# The select list of the fingerprint (over `%(ids)s`, the products), which the roadmap's view
# cache (`roadmap.selectors.view_fingerprint`) extends with what its drawings read besides.
PLAN_FINGERPRINT_COLUMNS = """
  (SELECT count(*)::text || '/' || coalesce(max(updated_at)::text, '') FROM releases_feature
    WHERE product_id = ANY(%(ids)s)),
  (SELECT count(*)::text || '/' || coalesce(max(updated_at)::text, '') FROM releases_release
    WHERE product_id = ANY(%(ids)s)),
  (SELECT count(*)::text || '/' || coalesce(max(d.id), 0)::text || '/' || coalesce(max(o.updated_at)::text, '')
          || '/' || coalesce(max(r.updated_at)::text, '')
     FROM releases_dependency d JOIN releases_feature f ON f.id = d.feature_id
     JOIN releases_feature o ON o.id = d.depends_on_id LEFT JOIN releases_release r ON r.id = o.release_id
    WHERE f.product_id = ANY(%(ids)s)),
  (SELECT count(*)::text || '/' || coalesce(max(updated_at)::text, '') FROM releases_workflowstatus
    WHERE workspace_id IN (SELECT workspace_id FROM strategy_product WHERE id = ANY(%(ids)s))),
  (SELECT count(*)::text || '/' || coalesce(max(p.updated_at)::text, '') FROM releases_releasephase p
     JOIN releases_release r ON r.id = p.release_id WHERE r.product_id = ANY(%(ids)s)),
  (SELECT coalesce(max(updated_at)::text, '') FROM releases_phasetype
    WHERE workspace_id IN (SELECT workspace_id FROM strategy_product WHERE id = ANY(%(ids)s))),
  (SELECT coalesce(max(updated_at)::text, '') FROM strategy_product WHERE id = ANY(%(ids)s))
"""
_FINGERPRINT_SQL = f"SELECT {PLAN_FINGERPRINT_COLUMNS}"


def _generation_key(product_id: int) -> str:
    return f"plan-generation:{product_id}"


def _plan_key(product_ids: list[int]) -> str | None:
    with connection.cursor() as cursor:
        cursor.execute(_FINGERPRINT_SQL, {"ids": product_ids})
        fingerprint = "|".join(str(part) for part in cursor.fetchone())
    parts = plan_generations(product_ids)
    if parts is None:
        return None
    digest = hashlib.sha256(f"{','.join(parts)}|{fingerprint}".encode()).hexdigest()[:32]
    return f"plan-conflicts:v3:{digest}"


def plan_generations(product_ids: list[int]) -> list[str] | None:
    """The products' plan generations ("id.generation" each, renewed by `forget_plans`), or
    None when the cache does not answer."""
    from django.core.cache import cache

    try:
        generations = cache.get_many([_generation_key(pk) for pk in product_ids])
    except Exception:  # noqa: BLE001 - the cache is a help, never a requirement
        return None
    return [f"{pk}.{generations.get(_generation_key(pk), 0)}" for pk in product_ids]


def forget_plans(product_ids) -> None:
    """Drop the cached conflicts of these products' plans (their next reader recomputes them)."""
    from django.core.cache import cache

    with contextlib.suppress(Exception):  # without a cache there is nothing to forget
        cache.set_many({_generation_key(pk): secrets.token_hex(8) for pk in product_ids}, PLAN_CACHE_SECONDS)


def forget_plans_on_features_changed(sender, *, product_ids: frozenset[int], **kwargs) -> None:
    """The `features_changed` receiver of the plan cache."""
    forget_plans(product_ids)


# The plans a worker read last, by the same key, for a short while: a big product's plan is
# ~60 KB to fetch from the cache and unpickle on every planning page (about a millisecond). The
# key changes with the plan, so a plan kept here is as current as the cache's; kept no longer
# than a minute, it is never older than the cache's own entry could be.
PLANS_IN_MEMORY = 8
PLAN_MEMORY_SECONDS = 60
_plans_in_memory: OrderedDict[str, tuple[float, Plan]] = OrderedDict()
_plans_lock = threading.Lock()


def _remembered_plan(key: str) -> Plan | None:
    with _plans_lock:
        found = _plans_in_memory.get(key)
        if found is None or found[0] < time.monotonic():
            return None
        return found[1]


def _remember_plan(key: str, plan: Plan) -> None:
    with _plans_lock:
        _plans_in_memory[key] = (time.monotonic() + PLAN_MEMORY_SECONDS, plan)
        _plans_in_memory.move_to_end(key)
        while len(_plans_in_memory) > PLANS_IN_MEMORY:
            _plans_in_memory.popitem(last=False)


def plan_for(*, product_ids: list[int]) -> Plan:
    """The conflicts of many products' plans at once: one query while they are unchanged (read
    from the plan cache), six when they changed (and the one more when features depend on
    features of other products). The plan returned may be shared: read it, never change it."""
    from django.core.cache import cache

    product_ids = sorted(set(product_ids))
    if not product_ids:
        return Plan(ConflictIndex.of([]), {})
    key = _plan_key(product_ids)
    if key is None:
        return _compute_plan(product_ids)
    plan = _remembered_plan(key)
    if plan is not None:
        return plan
    try:
        cached = cache.get(key)
    except Exception:  # noqa: BLE001
        cached = None
    if cached is not None:
        plan = Plan(ConflictIndex.of(cached[0]), cached[1], tags=cached[2], blockers=cached[3])
    else:
        plan = _compute_plan(product_ids)
        with contextlib.suppress(Exception):
            cache.set(key, (plan.conflicts.all, plan.release_of, plan.tags, plan.blockers), PLAN_CACHE_SECONDS)
    _remember_plan(key, plan)
    return plan


def conflicts_among(*, product_ids: list[int]) -> tuple[dict[int, dict], list[metrics.Conflict]]:
    """The conflicts of some products' plans with the feature rows they name ({id: row}, keys
    included) for links: four queries at most, five when features depend on other products'."""
    product_ids = sorted(set(product_ids))
    if not product_ids:
        return {}, []
    # Only the columns the rules read (a product's whole plan: thousands of rows).
    rows = list(Feature.objects.filter(product_id__in=product_ids).order_by().values(
        "id", "number", "status__category", "estimate", "start_date", "end_date", "release_id",
        "release__start_date", "release__release_date", product_key=F("product__key")))
    for row in rows:
        row["key"] = f"{row['product_key']}-{row['number']}"
        row["effective_end"] = row["end_date"] or row["release__release_date"]
    return {row["id"]: row for row in rows}, _conflicts(rows, product_ids)
