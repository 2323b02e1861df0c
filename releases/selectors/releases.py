"""Reads of releases: the lists, and the release page's data (features by status category,
progress, burn-up from the features' history, conflicts)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import BooleanField, F, Func, OuterRef, QuerySet
from django.db.models.functions import JSONObject
from django.shortcuts import get_object_or_404
from django.utils import timezone

from strategy import selectors as strategy_selectors
from strategy.history import history_of
from strategy.models import Product, User, Workspace

from .. import metrics
from ..models import (
    Feature,
    LaunchTodo,
    Milestone,
    Release,
    ReleaseDeliverySnapshot,
    ReleasePhase,
    StatusCategory,
)
from .features import has_rows
from .metrics import latest_release_snapshot, release_snapshot_of
from .planning import ConflictIndex, conflicts_for


def release_list(*, user: User, product: Product | None = None) -> QuerySet[Release]:
    """Releases (of one product, if given) with feature counts, estimates and milestones."""
    releases = Release.objects.visible_to(user)
    if product is not None:
        releases = releases.filter(product=product)
    return releases.with_progress().order_by("release_date", "name", "id")


def release_get(*, user: User, product: Product, pk: int) -> Release:
    return get_object_or_404(release_list(user=user, product=product), pk=pk)


def milestone_list(*, user: User) -> QuerySet[Milestone]:
    """Milestones of the releases `user` may see, by date."""
    return (Milestone.objects.filter(release__workspace__in=Workspace.objects.visible_to(user))
            .select_related("release").order_by("date", "id"))


def release_choices(*, user: User, product: Product | None = None) -> QuerySet[Release]:
    """Releases by date (of one product, if given), for choosing one (forms and the API's input)."""
    releases = Release.objects.visible_to(user).order_by("release_date", "name")
    return releases.filter(product=product) if product is not None else releases


@dataclass
class BacklogChoices:
    """What the backlog's filter and bulk menus offer besides tags (`Plan.tags`): (id, label) pairs."""

    releases: list[tuple[int, str]]
    initiatives: list[tuple[int, str]]
    members: list[tuple[int, str]]  # (id, name or email)


def backlog_choices(*, user: User, workspace: Workspace, product: Product) -> BacklogChoices:
    """The product's releases, initiatives and its workspace's people, as the choosing
    selectors order them: one query (three small ones cost more in planning and Django's
    compiling than in reading)."""
    def pairs(choices: QuerySet, **label) -> ArraySubquery:
        return ArraySubquery(choices.values(json=JSONObject(id="id", **label)))

    found = Product.objects.filter(pk=product.pk).values(
        release_rows=pairs(release_choices(user=user, product=product), name="name", version="version_label"),
        initiative_rows=pairs(strategy_selectors.initiative_choices(user=user, product=product), name="name"),
        member_rows=pairs(strategy_selectors.member_users(workspace=workspace),
                      name="full_name", email="email"),
    ).get()
    return BacklogChoices(
        releases=[(r["id"], f"{r['name']} {r['version']}".strip()) for r in found["release_rows"]],
        initiatives=[(i["id"], i["name"]) for i in found["initiative_rows"]],
        members=[(m["id"], m["name"] or m["email"]) for m in found["member_rows"]],
    )


@dataclass
class ReleaseOverview:
    release: Release
    milestones: list[Milestone]  # by date, read with the release
    features_by_category: dict[str, list[dict]]
    progress: metrics.Progress
    burn_up: list[tuple[date, Decimal, Decimal]]
    conflicts: ConflictIndex
    delivery: ReleaseDeliverySnapshot | None = None  # the latest delivery snapshot, if computed


# The columns of the release page's feature table (few joins: the table may hold 2,000 rows).
_OVERVIEW_ROW_FIELDS = ("id", "number", "title", "status__name", "status__category", "estimate", "assignee_id",
                        "assignee__full_name", "assignee__email")


def release_overview(*, user: User, product: Product, pk: int, today: date | None = None) -> ReleaseOverview:
    """The release page's data: features grouped by status category, progress by count and
    estimate, the burn-up of done estimate from the features' status history, conflicts, and
    the latest delivery snapshot, milestones, messaging and notes (loaded with the release, no
    query of their own), and whether it has launch phases and to-dos."""
    release = get_object_or_404(
        Release.objects.visible_to(user).filter(product=product)
        .select_related("messaging", "note")
        .annotate(delivery_json=latest_release_snapshot(),
                  milestones_json=ArraySubquery(Milestone.objects.filter(release=OuterRef("pk")).order_by("date", "id")
                                                .values(json=JSONObject(id="id", name="name", date="date",
                                                                        description="description"))),
                  # Whether the launch section has phases and to-dos to read (`release_launch`).
                  has_phases=has_rows(Release, ReleasePhase._meta.db_table, "release_id"),
                  has_todos=has_rows(Release, LaunchTodo._meta.db_table, "release_id")), pk=pk)
    rows = list(Feature.objects.filter(release=release).order_by("rank", "id").values(*_OVERVIEW_ROW_FIELDS))
    grouped: dict[str, list[dict]] = {category: [] for category in StatusCategory.values}
    for row in rows:
        row["key"] = f"{product.key}-{row['number']}"
        grouped[row["status__category"]].append(row)
    feature_ids = {r["id"] for r in rows}
    progress = metrics.progress((r["status__category"], r["estimate"]) for r in rows)
    # What `with_progress` annotates on a listed release, counted from the rows already read.
    release.feature_count, release.done_count = progress.total, progress.done
    release.planned_estimate, release.done_estimate = progress.estimate_total, progress.estimate_done
    series = metrics.burn_up(events=_status_events(release), start=release.start_date, end=release.release_date,
                             today=today or timezone.localdate())
    return ReleaseOverview(
        release=release,
        milestones=[Milestone(release_id=release.pk, **{**found, "date": date.fromisoformat(found["date"])})
                    for found in release.milestones_json],
        features_by_category=grouped,
        progress=progress,
        burn_up=series,
        conflicts=ConflictIndex.of([c for c in conflicts_for(product=product)
                                    if c.release_id == release.pk or c.feature_id in feature_ids]),
        delivery=release_snapshot_of(release.pk, release.delivery_json),
    )


def _status_events(release: Release) -> list[tuple]:
    """(feature id, when, status category, estimate) for every saved version of every feature
    that was ever in this release. A version outside the release (moved away, or deleted)
    counts as out of scope, like won't do. One query."""
    history = history_of(Feature)
    ever_in = history.filter(release_id=release.pk).values("id")
    # `= ANY(ARRAY(…))` rather than `IN (…)`: PostgreSQL then looks the few hundred ids up in
    # the index, where for `IN` it chose to scan the whole history (35 ms against 1 ms here).
    in_release = Func(F("id"), ArraySubquery(ever_in), template="%(expressions)s)", arg_joiner=" = ANY(",
                      output_field=BooleanField())
    versions = history.filter(in_release).values_list(
        "id", "history_date", "status__category", "estimate", "release_id", "history_type")
    events = []
    # Days are counted in the installation's time zone, like "today" (looked up once, not per version).
    zone = timezone.get_current_timezone()
    for feature_id, when, category, estimate, release_id, history_type in versions:
        in_scope = release_id == release.pk and history_type != "-"
        category = (category or StatusCategory.NOT_STARTED) if in_scope else StatusCategory.WONT_DO
        events.append((feature_id, when.astimezone(zone), category, estimate))
    return events
