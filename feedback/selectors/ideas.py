"""Reads of ideas: the product's list (sorted, filtered, searched), one idea with its
history and comments, who is behind its demand, and likely duplicates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import Count, Exists, F, FloatField, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from strategy.models import Product, User

from ..models import SEARCH_CONFIG, Customer, FeedbackNote, Idea, IdeaComment, IdeaEvent, Vote

SORTS = {
    "votes": ("-vote_count", "-id"),
    "demand": ("-demand", "-id"),
    "recent": ("-created_at", "-id"),
    "trend": ("-trend", "-vote_count", "-id"),
}
TREND_DAYS = 30
# A text match in a linked feedback note ranks an idea, but less than a match in the idea itself.
NOTE_RANK_WEIGHT = 0.5


def search_query(text: str) -> SearchQuery:
    """What people type in a search box ("export csv", "slack -email", "\\"dark mode\\"")."""
    return SearchQuery(text, search_type="websearch", config=SEARCH_CONFIG)


def idea_queryset(*, user: User, product: Product | None = None) -> QuerySet[Idea]:
    """Ideas `user` may see (of one product, if given), with what a list draws loaded."""
    ideas = Idea.objects.visible_to(user).select_related(
        "product", "feature__status", "feature__product", "submitted_by_user", "submitted_by_contact__customer",
        "submitted_by_portal_user", "merged_into")
    return ideas.filter(product=product) if product is not None else ideas


def _segment_filter(segment: str) -> Q:
    voters = Vote.objects.filter(idea=OuterRef("pk")).filter(
        Q(contact__customer__segment=segment) | Q(portal_user__contact__customer__segment=segment))
    notes = FeedbackNote.objects.filter(ideas=OuterRef("pk"), customer__segment=segment)
    return Q(Exists(voters)) | Q(Exists(notes))


def idea_list(*, user: User, product: Product | None, sort: str = "votes", status: str | list[str] | None = None,
              category: str | None = None, segment: str | None = None, q: str = "",
              include_merged: bool = False, now: datetime | None = None) -> QuerySet[Idea]:
    """The product's ideas: sorted by `sort` (votes, demand, recent, or trend = votes of the
    last 30 days), filtered by status, category and customer segment (ideas some customer of
    that segment voted for or spoke about), and with `q` searched in the ideas' title and
    description and in their linked feedback notes, best match first. Merged ideas are left
    out unless asked for. One query whatever the number of ideas."""
    ideas = idea_queryset(user=user, product=product)
    if not include_merged:
        ideas = ideas.filter(merged_into__isnull=True)
    if status:
        ideas = ideas.filter(status__in=[status] if isinstance(status, str) else list(status))
    if category:
        ideas = ideas.filter(category__iexact=category)
    if segment:
        ideas = ideas.filter(_segment_filter(segment))
    order = SORTS.get(sort, SORTS["votes"])
    if sort == "trend":
        since = (now or timezone.now()) - timedelta(days=TREND_DAYS)
        recent = (Vote.objects.filter(idea=OuterRef("pk"), created_at__gte=since).order_by().values("idea")
                  .annotate(n=Count("id")).values("n"))
        ideas = ideas.annotate(trend=Coalesce(Subquery(recent, output_field=IntegerField()), 0))
    q = (q or "").strip()
    if q:
        query = search_query(q)
        notes = FeedbackNote.objects.filter(ideas=OuterRef("pk"), search=query)
        note_rank = (notes.annotate(r=SearchRank(F("search"), query)).order_by("-r").values("r")[:1])
        ideas = ideas.filter(Q(search=query) | Q(Exists(notes))).annotate(
            rank=SearchRank(F("search"), query)
            + Coalesce(Subquery(note_rank, output_field=FloatField()), 0.0) * NOTE_RANK_WEIGHT)
        order = ("-rank", *order)
    return ideas.order_by(*order)


def idea_get(*, user: User, pk: int) -> Idea:
    """An idea with everything its page shows: comments, history, ideas merged into it.
    Raises Http404 for an idea `user` may not see."""
    return get_object_or_404(
        idea_queryset(user=user).prefetch_related(
            Prefetch("comments", queryset=IdeaComment.objects.select_related("author", "portal_user")),
            Prefetch("events", queryset=IdeaEvent.objects.select_related("actor", "other_idea", "feature__product")),
            Prefetch("merged_ideas", queryset=Idea.objects.order_by("merged_at", "id")),
        ),
        pk=pk,
    )


def idea_categories(*, user: User, product: Product) -> list[str]:
    """The categories in use among the product's ideas, alphabetically (a filter's choices)."""
    return list(Idea.objects.visible_to(user).filter(product=product).exclude(category="")
                .order_by("category").values_list("category", flat=True).distinct())


def voted_idea_ids(*, user: User, idea_ids) -> set[int]:
    """Which of these ideas `user` has voted for (a list's vote buttons), in one query."""
    return set(Vote.objects.filter(user=user, idea_id__in=list(idea_ids)).values_list("idea_id", flat=True))


@dataclass(frozen=True)
class DemandRow:
    """One customer behind an idea's (or feature's) demand, and how: votes of their people, notes."""

    customer_id: int
    name: str
    segment: str
    annual_revenue: Decimal
    votes: int
    notes: int


def _demand_rows(workspace_id: int, votes: QuerySet[Vote], notes: QuerySet[FeedbackNote]) -> list[DemandRow]:
    """Votes per customer (through contacts and portal users' contacts) and notes per
    customer, then the customers themselves: three queries, each reading only these rows."""
    vote_counts = dict(
        votes.annotate(customer=Coalesce("contact__customer_id", "portal_user__contact__customer_id"))
        .filter(customer__isnull=False).order_by().values_list("customer").annotate(n=Count("id")))
    note_counts = dict(notes.filter(customer__isnull=False).order_by().values_list("customer_id")
                       .annotate(n=Count("id", distinct=True)))
    customers = (Customer.objects.filter(workspace_id=workspace_id, pk__in={*vote_counts, *note_counts})
                 .order_by("-annual_revenue", "name").values_list("id", "name", "segment", "annual_revenue"))
    return [DemandRow(pk, name, segment, revenue, vote_counts.get(pk, 0), note_counts.get(pk, 0))
            for pk, name, segment, revenue in customers]


def idea_demand_breakdown(*, idea: Idea) -> list[DemandRow]:
    """The customers behind the idea's weighted demand, highest revenue first, with how many
    votes (of their contacts and portal users) and notes each gave; three queries. Their revenue
    adds up to `idea.demand`."""
    return _demand_rows(idea.workspace_id, Vote.objects.filter(idea_id=idea.pk),
                        FeedbackNote.objects.filter(ideas=idea.pk))


def feature_demand_breakdown(*, feature) -> list[DemandRow]:
    """The customers behind a feature's demand: through its linked ideas' votes and notes and
    the notes linked to the feature; three queries. Their revenue adds up to `feature.demand`."""
    return _demand_rows(
        feature.workspace_id,
        Vote.objects.filter(idea__feature_id=feature.pk, idea__merged_into__isnull=True),
        FeedbackNote.objects.filter(Q(ideas__feature_id=feature.pk) | Q(features=feature.pk)))


# --- duplicates -------------------------------------------------------------------


def idea_similar(*, user: User, product: Product, title: str, exclude_id: int | None = None,
                 limit: int = 5) -> list[Idea]:
    """Ideas of the product whose title or description share words with `title`, best match
    first: what to show while someone types a new idea. One query."""
    words = [word for word in title.replace('"', " ").split() if word.strip("-")]
    if not words:
        return []
    query = SearchQuery(" or ".join(word.lstrip("-") for word in words), search_type="websearch",
                        config=SEARCH_CONFIG)
    ideas = (Idea.objects.visible_to(user).filter(product=product, merged_into__isnull=True, search=query)
             .annotate(rank=SearchRank(F("search"), query)).order_by("-rank", "-vote_count", "-id"))
    if exclude_id is not None:
        ideas = ideas.exclude(pk=exclude_id)
    return list(ideas[:limit])


@dataclass(frozen=True)
class DuplicatePair:
    """Two ideas whose titles share most of their words: `score` is the share (0–1)."""

    idea: Idea
    other: Idea
    score: float


# Words in more ideas than this say nothing about duplicates ("export", "support").
COMMON_WORD_IDEAS = 40
DUPLICATE_MIN_SCORE = 0.5


def duplicate_pairs(*, user: User, product: Product, limit: int = 20) -> list[DuplicatePair]:
    """Likely duplicate pairs among the product's open ideas, for a product manager to merge:
    pairs whose title words (stemmed, without stop words and without words common to many
    ideas) overlap by at least half (Jaccard), closest first. Three queries."""
    if not Idea.objects.visible_to(user).filter(product=product).exists():
        return []
    sql = """
        WITH words AS (
            SELECT i.id, w AS word FROM feedback_idea i,
                unnest(tsvector_to_array(to_tsvector(%(config)s::regconfig, i.title))) AS w
            WHERE i.product_id = %(product)s AND i.merged_into_id IS NULL
        ), useful AS (
            SELECT word FROM words GROUP BY word HAVING count(*) <= %(common)s
        ), kept AS (
            SELECT id, word FROM words WHERE word IN (SELECT word FROM useful)
        ), sizes AS (
            SELECT id, count(*) AS n FROM kept GROUP BY id
        ), shared AS (
            SELECT a.id AS a, b.id AS b, count(*) AS n FROM kept a
                JOIN kept b ON a.word = b.word AND a.id < b.id
                GROUP BY a.id, b.id
        )
        SELECT s.a, s.b, s.n::float / (sa.n + sb.n - s.n) AS score FROM shared s
            JOIN sizes sa ON sa.id = s.a JOIN sizes sb ON sb.id = s.b
            WHERE s.n::float / (sa.n + sb.n - s.n) >= %(min_score)s
            ORDER BY score DESC, s.b DESC, s.a DESC LIMIT %(limit)s
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, {"config": SEARCH_CONFIG, "product": product.pk, "common": COMMON_WORD_IDEAS,
                             "min_score": DUPLICATE_MIN_SCORE, "limit": limit})
        found = cursor.fetchall()
    ideas = {idea.pk: idea for idea in idea_queryset(user=user, product=product).filter(
        pk__in={pk for a, b, _score in found for pk in (a, b)})}
    return [DuplicatePair(ideas[a], ideas[b], round(score, 2)) for a, b, score in found if a in ideas and b in ideas]
