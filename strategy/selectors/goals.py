"""Reads of a product's goals (key results, check-ins) and initiatives, scoped to the user's
workspaces and loaded so that each page costs a fixed number of queries however many goals or
key results there are."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch, Q, QuerySet, prefetch_related_objects
from django.shortcuts import get_object_or_404
from django.utils import timezone

from ..metrics import GoalHealth, goal_health, key_result_progress
from ..models import (
    CheckIn,
    Goal,
    Initiative,
    KeyResult,
    Product,
    User,
    Workspace,
)
from .tenancy import product_lineage_ids

# --- goals ------------------------------------------------------------------


@dataclass
class GoalView:
    """A goal with its computed health and its key results' progress."""

    goal: Goal
    health: GoalHealth
    key_results: list[tuple[KeyResult, object]]  # (key result, progress in %)


def goals_with_health(goals: Iterable[Goal], *, today: date | None = None) -> list[GoalView]:
    """Each goal with its health and its key results' progress, in at most one query (the
    key results, unless `goal_queryset` already loaded them)."""
    goals = list(goals)
    prefetch_related_objects(goals, Prefetch("key_results", queryset=KeyResult.objects.order_by("position", "id")))
    today = today or timezone.localdate()
    views = []
    for goal in goals:
        key_results = list(goal.key_results.all())
        health = goal_health(
            key_results=[(kr.start_value, kr.target_value, kr.current_value) for kr in key_results],
            start=goal.start_date, end=goal.end_date, today=today,
        )
        progress = [
            (kr, key_result_progress(start=kr.start_value, target=kr.target_value, current=kr.current_value))
            for kr in key_results
        ]
        views.append(GoalView(goal=goal, health=health, key_results=progress))
    return views


def goal_queryset(*, user: User, workspace: Workspace | None = None) -> QuerySet[Goal]:
    """Goals `user` may see (of one workspace, if given), with workspace, product, owner and
    key results loaded: the one read of goals, for pages and the API."""
    goals = (
        Goal.objects.visible_to(user)
        .select_related("workspace", "product", "owner", "created_by")
        .prefetch_related(Prefetch("key_results", queryset=KeyResult.objects.order_by("position", "id")))
        .order_by("end_date", "name", "id")
    )
    return goals.filter(workspace=workspace) if workspace is not None else goals


def goal_list(*, user: User, workspace: Workspace, today: date | None = None) -> list[GoalView]:
    """The workspace's goals with their health."""
    return goals_with_health(goal_queryset(user=user, workspace=workspace), today=today)


def product_goal_list(*, user: User, product: Product, today: date | None = None) -> list[GoalView]:
    """Goals of the product and of its product lines, with their health."""
    goals = goal_queryset(user=user, workspace=product.workspace).filter(product_id__in=product_lineage_ids(product))
    return goals_with_health(goals, today=today)


def goal_get(*, user: User, workspace: Workspace, pk: int) -> Goal:
    """A goal with key results and their check-ins (oldest first) loaded. Raises Http404."""
    return get_object_or_404(
        goal_queryset(user=user, workspace=workspace).prefetch_related(
            Prefetch("key_results__check_ins", queryset=CheckIn.objects.select_related("author").order_by(
                "created_at", "id")),
        ),
        pk=pk,
    )


def key_result_list(*, user: User, goal: Goal | None = None) -> QuerySet[KeyResult]:
    """Key results `user` may see (of one goal, if given), in their goal's order."""
    key_results = KeyResult.objects.visible_to(user).order_by("goal_id", "position", "id")
    return key_results.filter(goal=goal) if goal is not None else key_results


def key_result_get(*, user: User, goal: Goal, pk: int) -> KeyResult:
    return get_object_or_404(key_result_list(user=user, goal=goal), pk=pk)


# --- initiatives ------------------------------------------------------------


def initiative_list(*, user: User, product: Product | None = None) -> QuerySet[Initiative]:
    """Initiatives `user` may see (of one product, if given), with the goals they serve."""
    initiatives = (
        Initiative.objects.visible_to(user)
        .select_related("created_by")
        .prefetch_related(Prefetch("goals", queryset=Goal.objects.order_by("name")))
        .order_by("start_date", "name", "id")
    )
    return initiatives.filter(product=product) if product is not None else initiatives


def initiative_choices(*, user: User, product: Product | None = None) -> QuerySet[Initiative]:
    """Initiatives by name (of one product, if given), for choosing one (forms, filters and
    the API's input); no prefetch."""
    initiatives = Initiative.objects.visible_to(user).order_by("name")
    return initiatives.filter(product=product) if product is not None else initiatives


def initiative_get(*, user: User, product: Product, pk: int) -> Initiative:
    return get_object_or_404(initiative_list(user=user, product=product), pk=pk)


def goal_choices(*, user: User, product: Product | None = None) -> QuerySet[Goal]:
    """Goals by name, for choosing one (forms and the API's input); no prefetch. With
    `product`: those an initiative of it may serve (its own, its lines', company-wide ones)."""
    goals = Goal.objects.visible_to(user).order_by("name")
    if product is None:
        return goals
    return goals.filter(workspace_id=product.workspace_id).filter(
        Q(product_id__in=product_lineage_ids(product)) | Q(product__isnull=True))
