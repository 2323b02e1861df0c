"""Reads of a product's positioning (vision, personas, competitors and their comparison) and
the strategy overview, scoped to the user's workspaces and loaded so that each page costs a
fixed number of queries however many competitors there are."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.shortcuts import get_object_or_404

from ..models import (
    ComparisonCriterion,
    Competitor,
    CompetitorRating,
    Initiative,
    Persona,
    Product,
    User,
    Vision,
)
from .goals import GoalView, initiative_list, product_goal_list
from .tenancy import product_lineage_ids

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


def persona_list(*, user: User, product: Product | None = None) -> QuerySet[Persona]:
    """Personas `user` may see, primary first; with `product`, its own and those shared by
    its product lines."""
    personas = (
        Persona.objects.visible_to(user)
        .select_related("product", "created_by")
        .order_by("importance", "name", "id")
    )
    return personas.filter(product_id__in=product_lineage_ids(product)) if product is not None else personas


def persona_get(*, user: User, product: Product, pk: int) -> Persona:
    return get_object_or_404(persona_list(user=user, product=product), pk=pk)


THREAT_ORDER = Case(
    When(threat=Competitor.Threat.HIGH, then=Value(0)),
    When(threat=Competitor.Threat.MEDIUM, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def competitor_list(*, user: User, product: Product | None = None) -> QuerySet[Competitor]:
    """Competitors `user` may see (of one product, if given), the most threatening first."""
    competitors = Competitor.objects.visible_to(user).select_related("created_by").order_by(THREAT_ORDER, "name", "id")
    return competitors.filter(product=product) if product is not None else competitors


def competitor_get(*, user: User, product: Product, pk: int) -> Competitor:
    return get_object_or_404(competitor_list(user=user, product=product), pk=pk)


def criterion_list(*, user: User, product: Product | None = None) -> QuerySet[ComparisonCriterion]:
    """Comparison criteria `user` may see (of one product, if given), in their row order."""
    criteria = ComparisonCriterion.objects.visible_to(user).order_by("product_id", "position", "id")
    return criteria.filter(product=product) if product is not None else criteria


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
    criteria = list(criterion_list(user=user, product=product))
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
