"""Reads of the public ideas portal. Everything here is what anyone on the internet may see
of a product whose portal an admin opened: public, unmerged ideas and their public
comments. Rows are plain dicts of named, safe columns (never model instances), so revenue,
demand, customers, internal comments and members' email addresses cannot reach a portal
page even by accident."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.postgres.search import SearchRank
from django.db.models import Case, CharField, Count, F, Func, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from strategy.models import Product

from ..models import Idea, IdeaComment, PortalSettings, PortalUser, Vote
from .ideas import TREND_DAYS, search_query

# The columns of an idea a portal shows; nothing else ever leaves this module.
PORTAL_IDEA_FIELDS = ("id", "title", "description", "category", "status", "status_note", "status_changed_at",
                      "vote_count", "created_at")
PORTAL_SORTS = {
    "top": ("-vote_count", "-id"),
    "trending": ("-trend", "-vote_count", "-id"),
    "new": ("-created_at", "-id"),
}
# The roadmap columns of a portal, in order.
ROADMAP_STATUSES = (Idea.Status.PLANNED, Idea.Status.IN_PROGRESS, Idea.Status.SHIPPED)


def portal_get(*, workspace_slug: str, product_key: str) -> tuple[Product, PortalSettings]:
    """The product and its portal settings, when its portal is open. Raises Http404 otherwise
    (a closed portal and a missing product look the same)."""
    settings = (PortalSettings.objects.select_related("product__workspace")
                .filter(enabled=True, product__workspace__slug=workspace_slug, product__key=product_key,
                        product__archived_at__isnull=True).first())
    if settings is None:
        raise Http404("No open portal here.")
    return settings.product, settings


def portal_ideas(product: Product) -> QuerySet[Idea]:
    """The product's ideas the portal may show: public and not merged."""
    return Idea.objects.filter(product=product, visibility=Idea.Visibility.PUBLIC, merged_into__isnull=True)


def _comment_counts() -> Coalesce:
    public = (IdeaComment.objects.filter(idea=OuterRef("pk"), visibility=IdeaComment.Visibility.PUBLIC)
              .order_by().values("idea").annotate(n=Count("id")).values("n"))
    return Coalesce(Subquery(public, output_field=IntegerField()), 0)


def portal_idea_rows(*, product: Product, sort: str = "top", status: str | None = None,
                     category: str | None = None, q: str = "", now: datetime | None = None) -> QuerySet:
    """Public ideas as plain rows (PORTAL_IDEA_FIELDS + `comment_count`): top (most votes),
    trending (most votes in the last 30 days) or new; filtered by status and category; `q`
    searched in title and description, best match first. A lazy queryset: page it with a
    Paginator; one query per page."""
    ideas = portal_ideas(product)
    if status:
        ideas = ideas.filter(status=status)
    if category:
        ideas = ideas.filter(category__iexact=category)
    order = PORTAL_SORTS.get(sort, PORTAL_SORTS["top"])
    if sort == "trending":
        since = (now or timezone.now()) - timedelta(days=TREND_DAYS)
        # A bare COUNT(*) per idea (no GROUP BY around it): PostgreSQL answers it from the
        # (idea, created_at) index alone, several times faster over thousands of ideas; and
        # an idea nobody voted for is not asked at all.
        recent = (Vote.objects.filter(idea=OuterRef("pk"), created_at__gte=since).order_by()
                  .annotate(n=Func(template="COUNT(*)", output_field=IntegerField())).values("n"))
        ideas = ideas.annotate(trend=Case(When(vote_count=0, then=Value(0)),
                                          default=Subquery(recent, output_field=IntegerField())))
    q = (q or "").strip()
    if q:
        query = search_query(q)
        ideas = ideas.filter(search=query).annotate(rank=SearchRank(F("search"), query))
        order = ("-rank", *order)
    return ideas.annotate(comment_count=_comment_counts()).order_by(*order).values(
        *PORTAL_IDEA_FIELDS, "comment_count")


def portal_roadmap(*, product: Product, limit: int = 50) -> dict[str, list[dict]]:
    """{status: rows} of the planned, in-progress and shipped public ideas (most voted first;
    shipped most recent first), `limit` per column; one query."""
    ideas = (portal_ideas(product).filter(status__in=ROADMAP_STATUSES)
             .annotate(comment_count=_comment_counts())
             .order_by("status", "-vote_count", "-id").values(*PORTAL_IDEA_FIELDS, "comment_count"))
    columns: dict[str, list[dict]] = {status: [] for status in ROADMAP_STATUSES}
    for row in ideas:
        columns[row["status"]].append(row)
    columns[Idea.Status.SHIPPED].sort(key=lambda row: row["status_changed_at"] or row["created_at"], reverse=True)
    return {status: rows[:limit] for status, rows in columns.items()}


def portal_changelog(*, product: Product, limit: int = 50) -> list[dict]:
    """Shipped public ideas, most recently shipped first, with their public note: the
    portal's changelog. One query."""
    return list(portal_ideas(product).filter(status=Idea.Status.SHIPPED)
                .order_by(F("status_changed_at").desc(nulls_last=True), "-id")
                .values(*PORTAL_IDEA_FIELDS)[:limit])


@dataclass(frozen=True)
class PortalIdea:
    """One public idea as its portal page shows it. `redirect_to` is set (and nothing else
    matters) when the idea was merged into another public idea."""

    idea: dict | None
    comments: list[dict]
    voted: bool
    redirect_to: int | None = None


def portal_idea_get(*, product: Product, pk: int, portal_user: PortalUser | None = None) -> PortalIdea:
    """A public idea of the product with its public comments (author names only) and whether
    `portal_user` voted for it; a merged idea answers with the idea it was merged into.
    Raises Http404 for an idea that is not public on this portal. Three queries at most."""
    found = (Idea.objects.filter(product=product, visibility=Idea.Visibility.PUBLIC, pk=pk)
             .annotate(comment_count=_comment_counts())
             .values(*PORTAL_IDEA_FIELDS, "comment_count", "merged_into_id", "merged_into__visibility").first())
    if found is None:
        raise Http404("No such idea on this portal.")
    if found["merged_into_id"]:
        if found["merged_into__visibility"] != Idea.Visibility.PUBLIC:
            raise Http404("No such idea on this portal.")
        return PortalIdea(idea=None, comments=[], voted=False, redirect_to=found["merged_into_id"])
    idea = {name: found[name] for name in (*PORTAL_IDEA_FIELDS, "comment_count")}
    comments = list(
        IdeaComment.objects.filter(idea_id=pk, visibility=IdeaComment.Visibility.PUBLIC).order_by("created_at", "id")
        .annotate(author_name=Case(
            When(portal_user__isnull=False, then=Coalesce(
                F("portal_user__name"), Value(""))),
            When(author__isnull=False, then=F("author__full_name")),
            default=Value(""), output_field=CharField()),
            from_team=Q(author__isnull=False))
        .values("id", "body", "created_at", "author_name", "from_team"))
    for comment in comments:
        # Never an email address: people without a name show as the team or "Someone".
        comment["author_name"] = comment["author_name"] or ("Team" if comment["from_team"] else "Someone")
    voted = portal_user is not None and Vote.objects.filter(idea_id=pk, portal_user=portal_user).exists()
    return PortalIdea(idea=idea, comments=comments, voted=voted)


def portal_voted_ids(*, portal_user: PortalUser | None, idea_ids) -> set[int]:
    """Which of these ideas the portal user voted for; one query (none when signed out)."""
    if portal_user is None:
        return set()
    return set(Vote.objects.filter(portal_user=portal_user, idea_id__in=list(idea_ids))
               .values_list("idea_id", flat=True))


def portal_categories(*, product: Product) -> list[str]:
    return list(portal_ideas(product).exclude(category="").order_by("category")
                .values_list("category", flat=True).distinct())


def portal_user_get(*, product: Product, pk: int) -> PortalUser | None:
    """The signed-in portal user of this product (from the session), or None."""
    return PortalUser.objects.filter(product=product, pk=pk).select_related("product").first()


def portal_settings_for(*, product: Product) -> PortalSettings | None:
    """A product's portal settings for the admin page (None before anyone set them)."""
    return PortalSettings.objects.filter(product=product).first()
