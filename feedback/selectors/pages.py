"""Reads only the in-app feedback pages need, beside the shared ones of this package: the
trend and the demand scale of a page of ideas, who voted, what a picker offers, and the
counts of a page of customers. Each is one query whatever the number of rows it reads."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.postgres.search import SearchRank
from django.db.models import Count, F, Max, Q, QuerySet
from django.utils import timezone

from releases.models import CLOSED_CATEGORIES, Feature
from strategy.models import Product, User

from ..models import Contact, Customer, FeedbackNote, Idea, Vote
from .ideas import TREND_DAYS, search_query

VOTERS_SHOWN = 30
PICKER_SIZE = 8
OPTIONS_SIZE = 500


def trend_counts(*, idea_ids: Iterable[int], now: datetime | None = None) -> dict[int, int]:
    """{idea id: its votes of the last TREND_DAYS days} for a page of ideas."""
    since = (now or timezone.now()) - timedelta(days=TREND_DAYS)
    return dict(Vote.objects.filter(idea_id__in=list(idea_ids), created_at__gte=since).order_by()
                .values("idea_id").annotate(n=Count("id")).values_list("idea_id", "n"))


def demand_scale(*, user: User, product: Product) -> Decimal:
    """The highest weighted demand among the product's open ideas: the full length of a demand bar."""
    top = (Idea.objects.visible_to(user).filter(product=product, merged_into__isnull=True)
           .aggregate(top=Max("demand"))["top"])
    return top or Decimal(0)


def idea_voters(*, idea: Idea, limit: int = VOTERS_SHOWN) -> list[dict]:
    """The most recent voters of an idea as {name, customer, on_behalf}: members, contacts
    (with their customer) and portal users. Member emails are shown only by name."""
    votes = (Vote.objects.filter(idea=idea).order_by("-created_at", "-id")
             .values("user__full_name", "user__email", "contact__name", "contact__customer__name",
                     "portal_user__name", "portal_user__email", "portal_user__contact__customer__name",
                     "recorded_by_id")[:limit])
    voters = []
    for vote in votes:
        if vote["contact__name"]:
            voters.append({"name": vote["contact__name"], "customer": vote["contact__customer__name"],
                           "on_behalf": vote["recorded_by_id"] is not None})
        elif vote["portal_user__email"]:
            voters.append({"name": vote["portal_user__name"] or vote["portal_user__email"].split("@")[0],
                           "customer": vote["portal_user__contact__customer__name"] or "", "on_behalf": False})
        else:
            voters.append({"name": vote["user__full_name"] or (vote["user__email"] or "").split("@")[0],
                           "customer": "", "on_behalf": False})
    return voters


def unweighted_vote_count(*, idea: Idea) -> int:
    """Votes of the idea that no customer stands behind: members, and portal users not tied to a contact."""
    return Vote.objects.filter(idea=idea, contact__isnull=True, portal_user__contact__isnull=True).count()


def note_rows(*, idea: Idea) -> QuerySet[FeedbackNote]:
    """The feedback notes linked to an idea, newest first, with customer and contact."""
    return (FeedbackNote.objects.filter(ideas=idea).select_related("customer", "contact")
            .order_by("-date", "-id"))


def link_candidates(*, user: User, product: Product, q: str, limit: int = PICKER_SIZE) -> list[dict]:
    """What the triage picker offers for `q`: the product's open ideas that match it (full
    text, best first) and its features whose title matches or whose key it names, as
    {kind, pk, key, title, meta}. Two queries."""
    q = (q or "").strip()
    if not q:
        return []
    query = search_query(q)
    ideas = (Idea.objects.visible_to(user).filter(product=product, merged_into__isnull=True, search=query)
             .annotate(rank=SearchRank(F("search"), query)).order_by("-rank", "-vote_count", "-id")
             .values("pk", "title", "vote_count")[:limit])
    found = [{"kind": "idea", "pk": row["pk"], "key": "", "title": row["title"],
              "meta": f"{row['vote_count']} votes"} for row in ideas]
    number = q.rsplit("-", 1)[-1]
    named = Q(number=int(number)) if number.isdigit() and len(number) < 10 else Q(pk__in=[])
    features = (Feature.objects.visible_to(user).filter(product=product).filter(named | Q(title__icontains=q))
                .order_by("-updated_at", "-id").values("pk", "number", "title", "status__name")[:limit])
    found += [{"kind": "feature", "pk": row["pk"], "key": f"{product.key}-{row['number']}", "title": row["title"],
               "meta": row["status__name"]} for row in features]
    return found


def idea_options(*, user: User, product: Product, exclude_id: int | None = None,
                 limit: int = OPTIONS_SIZE) -> list[dict]:
    """The product's open ideas with the most demand (a datalist of idea numbers): {pk, title}."""
    ideas = Idea.objects.visible_to(user).filter(product=product, merged_into__isnull=True)
    if exclude_id is not None:
        ideas = ideas.exclude(pk=exclude_id)
    return list(ideas.order_by("-demand", "-vote_count", "-id").values("pk", "title")[:limit])


def feature_options(*, user: User, product: Product, limit: int = OPTIONS_SIZE) -> list[dict]:
    """The product's open features, most recently changed first (a datalist of keys): {number, title}."""
    return list(Feature.objects.visible_to(user).filter(product=product)
                .exclude(status__category__in=CLOSED_CATEGORIES)
                .order_by("-updated_at", "-id").values("number", "title")[:limit])


def customer_idea_counts(*, customer_ids: Iterable[int]) -> dict[int, int]:
    """{customer id: how many distinct open ideas their contacts voted for or their notes back}."""
    customer_ids = list(customer_ids)
    voted = (Idea.objects.filter(merged_into__isnull=True, votes__contact__customer_id__in=customer_ids)
             .values_list("votes__contact__customer_id", "id"))
    noted = (Idea.objects.filter(merged_into__isnull=True, notes__customer_id__in=customer_ids)
             .values_list("notes__customer_id", "id"))
    pairs = set(voted.union(noted))
    counts: dict[int, int] = {}
    for customer_id, _idea_id in pairs:
        counts[customer_id] = counts.get(customer_id, 0) + 1
    return counts


def contact_choices(*, user: User, workspace) -> QuerySet[Contact]:
    """Contacts of the workspace for a "on behalf of" select, with their customer."""
    return (Contact.objects.visible_to(user).filter(workspace=workspace).select_related("customer")
            .only("id", "name", "customer__name").order_by("customer__name", "name", "id"))


def contacts_with_votes(*, customer) -> QuerySet[Contact]:
    """The customer's contacts, by name, each with how many votes it gave (`vote_total`)."""
    return Contact.objects.filter(customer=customer).annotate(vote_total=Count("votes")).order_by("name", "id")


def customer_choices(*, user: User, workspace) -> QuerySet[Customer]:
    """Customers of the workspace for a select, by name."""
    return Customer.objects.visible_to(user).filter(workspace=workspace).only("id", "name").order_by("name", "id")
