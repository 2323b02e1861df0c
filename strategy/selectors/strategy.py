"""Reads of a product's strategy, scoped to the user's workspaces and loaded so that
each page costs a fixed number of queries however many goals, key results or
competitors there are."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Case, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.shortcuts import get_object_or_404
from django.utils import timezone

from ..metrics import GoalHealth, goal_health, key_result_progress
from ..models import (
    CheckIn,
    ComparisonCriterion,
    Competitor,
    CompetitorRating,
    Goal,
    Initiative,
    KeyResult,
    Persona,
    Product,
    User,
    Vision,
    Workspace,
)


def product_lineage_ids(product: Product) -> list[int]:
    """The product and the product lines above it, nearest first."""
    ids, node, seen = [], product, set()
    while node is not None and node.pk not in seen:
        ids.append(node.pk)
        seen.add(node.pk)
        node = node.parent
    return ids


# --- vision -----------------------------------------------------------------


def vision_get(*, user: User, product: Product) -> Vision | None:
    return Vision.objects.visible_to(user).filter(product=product).first()


def vision_versions(*, user: User, product: Product, limit: int = 50) -> list:
    """Saved versions of the product's vision, newest first, with their authors."""
    vision = vision_get(user=user, product=product)
    if vision is None:
        return []
    return list(vision.history.select_related("history_user").order_by("-history_date", "-history_id")[:limit])


# --- personas and competitors -----------------------------------------------


def persona_list(*, user: User, product: Product) -> QuerySet[Persona]:
    """The product's personas and those shared by its product lines, primary first."""
    return (
        Persona.objects.visible_to(user)
        .filter(product_id__in=product_lineage_ids(product))
        .select_related("product", "created_by")
        .order_by("importance", "name")
    )


def persona_get(*, user: User, product: Product, pk: int) -> Persona:
    return get_object_or_404(persona_list(user=user, product=product), pk=pk)


THREAT_ORDER = Case(
    When(threat=Competitor.Threat.HIGH, then=Value(0)),
    When(threat=Competitor.Threat.MEDIUM, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def competitor_list(*, user: User, product: Product) -> QuerySet[Competitor]:
    """The product's competitors, the most threatening first."""
    return (
        Competitor.objects.visible_to(user)
        .filter(product=product)
        .select_related("created_by")
        .order_by(THREAT_ORDER, "name")
    )


def competitor_get(*, user: User, product: Product, pk: int) -> Competitor:
    return get_object_or_404(competitor_list(user=user, product=product), pk=pk)


@dataclass
class ComparisonColumn:
    competitor: Competitor | None  # None: the product itself
    name: str
    scores: list[int | None] = field(default_factory=list)

    @property
    def average(self) -> float | None:
        rated = [s for s in self.scores if s is not None]
        return round(sum(rated) / len(rated), 1) if rated else None


@dataclass
class Comparison:
    criteria: list[ComparisonCriterion]
    columns: list[ComparisonColumn]

    @property
    def rows(self) -> list[tuple[ComparisonCriterion, list[int | None]]]:
        return [(criterion, [col.scores[i] for col in self.columns]) for i, criterion in enumerate(self.criteria)]


def comparison_get(*, user: User, product: Product) -> Comparison:
    """The comparison grid: criteria as rows; the product first, then competitors, as columns."""
    criteria = list(ComparisonCriterion.objects.visible_to(user).filter(product=product))
    competitors = list(competitor_list(user=user, product=product))
    scores = {
        (r["criterion_id"], r["competitor_id"]): r["score"]
        for r in CompetitorRating.objects.filter(criterion__in=criteria).values(
            "criterion_id", "competitor_id", "score")
    }
    columns = [ComparisonColumn(competitor=None, name=product.name)] + [
        ComparisonColumn(competitor=c, name=c.name) for c in competitors
    ]
    for column in columns:
        competitor_id = column.competitor.pk if column.competitor else None
        column.scores = [scores.get((criterion.pk, competitor_id)) for criterion in criteria]
    return Comparison(criteria=criteria, columns=columns)


# --- goals ------------------------------------------------------------------


@dataclass
class GoalView:
    """A goal with its computed health and its key results' progress."""

    goal: Goal
    health: GoalHealth
    key_results: list[tuple[KeyResult, object]]  # (key result, progress in %)


def _with_health(goals, today: date) -> list[GoalView]:
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


def goal_queryset(*, user: User, workspace: Workspace) -> QuerySet[Goal]:
    """Goals of a workspace `user` may see, with product, owner and key results loaded."""
    return (
        Goal.objects.visible_to(user)
        .filter(workspace=workspace)
        .select_related("product", "owner", "created_by")
        .prefetch_related(Prefetch("key_results", queryset=KeyResult.objects.order_by("position", "id")))
        .order_by("end_date", "name")
    )


def goal_list(*, user: User, workspace: Workspace, goals: QuerySet[Goal] | None = None,
              today: date | None = None) -> list[GoalView]:
    """Goals with their health, for pages; pass `goals` to narrow the default list."""
    goals = goal_queryset(user=user, workspace=workspace) if goals is None else goals
    return _with_health(goals, today or timezone.localdate())


def product_goal_list(*, user: User, product: Product, today: date | None = None) -> list[GoalView]:
    """Goals of the product and of its product lines."""
    goals = goal_queryset(user=user, workspace=product.workspace).filter(product_id__in=product_lineage_ids(product))
    return goal_list(user=user, workspace=product.workspace, goals=goals, today=today)


def goal_get(*, user: User, workspace: Workspace, pk: int) -> Goal:
    """A goal with key results and their check-ins (oldest first) loaded. Raises Http404."""
    return get_object_or_404(
        goal_queryset(user=user, workspace=workspace).prefetch_related(
            Prefetch("key_results__check_ins", queryset=CheckIn.objects.select_related("author").order_by(
                "created_at", "id")),
        ),
        pk=pk,
    )


def goal_view(goal: Goal, today: date | None = None) -> GoalView:
    return _with_health([goal], today or timezone.localdate())[0]


def key_result_get(*, user: User, goal: Goal, pk: int) -> KeyResult:
    return get_object_or_404(KeyResult.objects.visible_to(user).filter(goal=goal), pk=pk)


# --- initiatives ------------------------------------------------------------


def initiative_list(*, user: User, product: Product) -> QuerySet[Initiative]:
    return (
        Initiative.objects.visible_to(user)
        .filter(product=product)
        .select_related("created_by")
        .prefetch_related(Prefetch("goals", queryset=Goal.objects.order_by("name")))
        .order_by("start_date", "name")
    )


def initiative_choices(*, user: User, product: Product) -> QuerySet[Initiative]:
    """The product's initiatives by name, for choosing one (forms and filters); no prefetch."""
    return Initiative.objects.visible_to(user).filter(product=product).order_by("name")


def initiative_get(*, user: User, product: Product, pk: int) -> Initiative:
    return get_object_or_404(initiative_list(user=user, product=product), pk=pk)


def goal_choices(*, user: User, product: Product) -> QuerySet[Goal]:
    """Goals an initiative of `product` may serve: its own, its lines', and company-wide ones."""
    return (
        Goal.objects.visible_to(user)
        .filter(workspace_id=product.workspace_id)
        .filter(Q(product_id__in=product_lineage_ids(product)) | Q(product__isnull=True))
        .order_by("name")
    )


# --- the overview -----------------------------------------------------------


@dataclass
class StrategyOverview:
    product: Product
    vision: Vision | None
    personas: list[Persona]
    goals: list[GoalView]
    initiatives: list[Initiative]
    competitors: list[Competitor]

    @property
    def is_empty(self) -> bool:
        return (self.vision is None or self.vision.is_empty) and not (
            self.personas or self.goals or self.initiatives or self.competitors)


def strategy_overview(*, user: User, product: Product, today: date | None = None) -> StrategyOverview:
    """Everything an executive reads to understand the product's why, in a fixed number of queries."""
    return StrategyOverview(
        product=product,
        vision=vision_get(user=user, product=product),
        personas=list(persona_list(user=user, product=product)),
        goals=product_goal_list(user=user, product=product, today=today),
        initiatives=list(initiative_list(user=user, product=product)),
        competitors=list(competitor_list(user=user, product=product)[:5]),
    )


# --- across all the user's workspaces (the API's lists, narrowed by FilterSets) ----------


def personas_visible(*, user: User) -> QuerySet[Persona]:
    return Persona.objects.visible_to(user).order_by("importance", "name", "id")


def competitors_visible(*, user: User) -> QuerySet[Competitor]:
    return Competitor.objects.visible_to(user).order_by(THREAT_ORDER, "name", "id")


def criteria_visible(*, user: User) -> QuerySet[ComparisonCriterion]:
    return ComparisonCriterion.objects.visible_to(user).order_by("product_id", "position", "id")


def goals_visible(*, user: User) -> QuerySet[Goal]:
    return (
        Goal.objects.visible_to(user)
        .select_related("workspace", "owner")
        .prefetch_related(Prefetch("key_results", queryset=KeyResult.objects.order_by("position", "id")))
        .order_by("end_date", "name", "id")
    )


def key_results_visible(*, user: User) -> QuerySet[KeyResult]:
    return KeyResult.objects.visible_to(user).order_by("goal_id", "position", "id")


def initiatives_visible(*, user: User) -> QuerySet[Initiative]:
    return (
        Initiative.objects.visible_to(user)
        .prefetch_related(Prefetch("goals", queryset=Goal.objects.order_by("name")))
        .order_by("start_date", "name", "id")
    )
