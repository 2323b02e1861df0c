"""Reads of releases and features, scoped to the user's workspaces and loaded so that a
page costs a fixed number of queries whether it shows 10 features or 2,000. Big lists
come as `.values()` rows of just the columns a page draws (see DESIGN.md, performance)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, F, Func, IntegerField, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from strategy.models import Goal, Product, User, Workspace

from . import metrics
from .models import (
    CLOSED_CATEGORIES,
    Comment,
    Dependency,
    Feature,
    Release,
    Requirement,
    StatusCategory,
    WorkflowStatus,
)

FEATURE_ROW_FIELDS = (
    "id", "number", "title", "status_id", "status__name", "status__category", "release_id", "release__name",
    "initiative_id", "initiative__name", "initiative__colour", "estimate", "start_date", "end_date",
    "release__start_date", "release__release_date", "assignee_id", "assignee__full_name", "assignee__email",
    "tags", "rice_score", "reach", "impact", "confidence", "effort", "rank", "version",
)


# --- workflow ---------------------------------------------------------------


def status_list(*, user: User, workspace: Workspace | None = None,
                include_retired: bool = False) -> QuerySet[WorkflowStatus]:
    """Workflow statuses `user` may see (of one workspace, if given) in their order; retired
    ones only when asked for."""
    statuses = (WorkflowStatus.objects.visible_to(user).select_related("workspace")
                .order_by("workspace__name", "workspace_id", "position", "id"))
    if workspace is not None:
        statuses = statuses.filter(workspace=workspace)
    return statuses if include_retired else statuses.filter(retired_at__isnull=True)


def status_get(*, user: User, workspace: Workspace, pk: int) -> WorkflowStatus:
    return get_object_or_404(status_list(user=user, workspace=workspace, include_retired=True), pk=pk)


# --- releases ---------------------------------------------------------------


def release_list(*, user: User, product: Product | None = None) -> QuerySet[Release]:
    """Releases (of one product, if given) with feature counts, estimates and milestones."""
    releases = Release.objects.visible_to(user)
    if product is not None:
        releases = releases.filter(product=product)
    return releases.with_progress().order_by("release_date", "name", "id")


def release_get(*, user: User, product: Product, pk: int) -> Release:
    return get_object_or_404(release_list(user=user, product=product), pk=pk)


def release_choices(*, user: User, product: Product | None = None) -> QuerySet[Release]:
    """Releases by date (of one product, if given), for choosing one (forms and the API's input)."""
    releases = Release.objects.visible_to(user).order_by("release_date", "name")
    return releases.filter(product=product) if product is not None else releases


# --- features ---------------------------------------------------------------


def feature_queryset(*, user: User, product: Product | None = None) -> QuerySet[Feature]:
    """Features `user` may see (of one product, if given), with what a list draws loaded."""
    features = (
        Feature.objects.visible_to(user)
        .select_related("product", "status", "release", "initiative", "assignee")
        .order_by("rank", "id")
    )
    return features.filter(product=product) if product is not None else features


def feature_get(*, user: User, product: Product, number: int) -> Feature:
    """A feature with everything its page shows. Raises Http404."""
    return get_object_or_404(
        feature_queryset(user=user, product=product).prefetch_related(
            "goals", "requirements",
            Prefetch("dependencies", queryset=Dependency.objects.select_related(
                "depends_on__product", "depends_on__status", "depends_on__release")),
            Prefetch("dependents", queryset=Dependency.objects.select_related(
                "feature__product", "feature__status", "feature__release")),
            Prefetch("comments", queryset=Comment.objects.select_related("author")),
        ),
        number=number,
    )


def feature_rows(features: QuerySet[Feature]) -> list[dict]:
    """Plain rows of the columns lists and boards draw, with `key`, `effective_start` and
    `effective_end` added; one query."""
    rows = list(features.values(*FEATURE_ROW_FIELDS, product_key=F("product__key")))
    for row in rows:
        row["key"] = f"{row['product_key']}-{row['number']}"
        row["effective_start"] = row["start_date"] or row["release__start_date"]
        row["effective_end"] = row["end_date"] or row["release__release_date"]
    return rows


def features_with_counts(*, user: User) -> QuerySet[Feature]:
    """Features of every product `user` may see, with goal ids and the number of requirements
    loaded (the API's list)."""
    requirements = (Requirement.objects.filter(feature=OuterRef("pk")).order_by().values("feature")
                    .annotate(n=Count("id")).values("n"))
    return (
        feature_queryset(user=user)
        .prefetch_related(Prefetch("goals", queryset=Goal.objects.order_by("id").only("id")))
        .annotate(requirement_count=Coalesce(Subquery(requirements, output_field=IntegerField()), 0))
    )


def open_features(*, user: User, product: Product) -> QuerySet[Feature]:
    """The backlog: features not done and not won't-do."""
    return feature_queryset(user=user, product=product).exclude(status__category__in=CLOSED_CATEGORIES)


def blockers_for(*, product: Product, feature_ids: set[int] | None = None) -> dict[int, list[str]]:
    """{feature id: keys of the features it depends on that are not finished}, one query."""
    pairs = (Dependency.objects.filter(feature__product=product)
             .exclude(feature__status__category__in=CLOSED_CATEGORIES)
             .exclude(depends_on__status__category__in=CLOSED_CATEGORIES))
    if feature_ids is not None:
        pairs = pairs.filter(feature_id__in=feature_ids)
    found: dict[int, list[str]] = defaultdict(list)
    for feature_id, key, number in pairs.values_list("feature_id", "depends_on__product__key",
                                                     "depends_on__number").order_by("depends_on__number"):
        found[feature_id].append(f"{key}-{number}")
    return dict(found)


def tags_in_use(*, product: Product) -> list[str]:
    """Every tag on the product's features, in one query (unnest in PostgreSQL)."""
    tags = (Feature.objects.filter(product=product)
            .annotate(tag=Func(F("tags"), function="unnest"))
            .values_list("tag", flat=True).distinct().order_by("tag"))
    return list(tags)


# --- conflicts --------------------------------------------------------------


def _conflicts(rows: list[dict], product_ids: list[int], *, dependencies: list[tuple[int, int]] | None = None,
               releases: list[Release] | None = None) -> list[metrics.Conflict]:
    """The conflict rules over the products' features (`rows`: all of them). Pages that have
    already read the dependencies or releases pass them in to save the queries."""
    if dependencies is None:
        dependencies = list(Dependency.objects.filter(feature__product_id__in=product_ids).values_list(
            "feature_id", "depends_on_id"))
    # Prerequisites in other products count for "ends before a feature it depends on".
    known = {r["id"] for r in rows}
    elsewhere = {depends_on for _feature, depends_on in dependencies if depends_on not in known}
    if elsewhere:
        rows = rows + feature_rows(Feature.objects.filter(pk__in=elsewhere))
    features = [
        metrics.FeatureRow(id=r["id"], key=r["key"], category=r["status__category"], estimate=r["estimate"],
                           end=r["effective_end"], own_end=r["end_date"], release_id=r["release_id"])
        for r in rows
    ]
    if releases is None:
        release_rows = [
            metrics.ReleaseRow(id=r["id"], name=r["name"], release_date=r["release_date"], status=r["status"],
                               capacity=r["capacity"])
            for r in Release.objects.filter(product_id__in=product_ids).values(
                "id", "name", "release_date", "status", "capacity")
        ]
    else:
        release_rows = [metrics.ReleaseRow(id=r.pk, name=r.name, release_date=r.release_date, status=r.status,
                                           capacity=r.capacity) for r in releases]
    return metrics.conflicts(features, release_rows, dependencies)


def conflicts_for(*, product: Product, feature_rows_: list[dict] | None = None,
                  dependencies: list[tuple[int, int]] | None = None,
                  releases: list[Release] | None = None) -> list[metrics.Conflict]:
    """Every conflict in the product's plan: at most four queries, fewer for what the caller
    passes in (all the product's feature rows, its dependency pairs, its releases); one more
    when features depend on features of other products."""
    rows = feature_rows_ if feature_rows_ is not None else feature_rows(Feature.objects.filter(product=product))
    return _conflicts(rows, [product.pk], dependencies=dependencies, releases=releases)


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
    """The conflicts of some products' plans, and which release each of their features is in."""

    conflicts: ConflictIndex
    release_of: dict[int, int | None]

    def of_feature(self, feature_id: int) -> list[metrics.Conflict]:
        return self.conflicts.by_feature.get(feature_id, [])

    def of_release(self, release_id: int) -> list[metrics.Conflict]:
        """The release's own conflicts and its features' (as the release page shows them)."""
        return [c for c in self.conflicts.all
                if c.release_id == release_id or (c.feature_id and self.release_of.get(c.feature_id) == release_id)]


def plan_for(*, product_ids: list[int]) -> Plan:
    """The conflicts of many products' plans at once, in four queries."""
    product_ids = sorted(set(product_ids))
    if not product_ids:
        return Plan(ConflictIndex.of([]), {})
    rows = feature_rows(Feature.objects.filter(product_id__in=product_ids))
    return Plan(ConflictIndex.of(_conflicts(rows, product_ids)), {r["id"]: r["release_id"] for r in rows})


# --- the release page -------------------------------------------------------


@dataclass
class ReleaseOverview:
    release: Release
    features_by_category: dict[str, list[dict]]
    progress: metrics.Progress
    burn_up: list[tuple[date, Decimal, Decimal]]
    conflicts: ConflictIndex


def release_overview(*, user: User, product: Product, pk: int, today: date | None = None) -> ReleaseOverview:
    """The release page's data: features grouped by status category, progress by count and
    estimate, the burn-up of done estimate from the features' status history, and conflicts."""
    release = release_get(user=user, product=product, pk=pk)
    rows = feature_rows(Feature.objects.filter(release=release).order_by("rank", "id"))
    grouped: dict[str, list[dict]] = {category: [] for category in StatusCategory.values}
    for row in rows:
        grouped[row["status__category"]].append(row)
    feature_ids = {r["id"] for r in rows}
    series = metrics.burn_up(events=_status_events(release), start=release.start_date, end=release.release_date,
                             today=today or timezone.localdate())
    return ReleaseOverview(
        release=release,
        features_by_category=grouped,
        progress=metrics.progress((r["status__category"], r["estimate"]) for r in rows),
        burn_up=series,
        conflicts=ConflictIndex.of([c for c in conflicts_for(product=product)
                                    if c.release_id == release.pk or c.feature_id in feature_ids]),
    )


def _status_events(release: Release) -> list[tuple]:
    """(feature id, when, status category, estimate) for every saved version of every feature
    that was ever in this release. A version outside the release (moved away, or deleted)
    counts as out of scope, like won't do. Two queries."""
    categories = dict(WorkflowStatus.objects.filter(workspace_id=release.workspace_id).values_list("id", "category"))
    ever_in = Feature.history.filter(release_id=release.pk).values("id")
    versions = Feature.history.filter(id__in=ever_in).values_list(
        "id", "history_date", "status_id", "estimate", "release_id", "history_type")
    events = []
    for feature_id, when, status_id, estimate, release_id, history_type in versions:
        in_scope = release_id == release.pk and history_type != "-"
        category = categories.get(status_id, StatusCategory.NOT_STARTED) if in_scope else StatusCategory.WONT_DO
        # Days are counted in the installation's time zone, like "today".
        events.append((feature_id, timezone.localtime(when), category, estimate))
    return events
