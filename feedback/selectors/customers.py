"""Reads of customers and contacts: the workspace's customer list with what each stands
behind, and one customer's page (ideas, votes, notes, the features those lead to)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from releases.models import Feature
from strategy.models import User, Workspace

from ..models import Contact, Customer, FeedbackNote, Idea, Vote


def _count(queryset: QuerySet, field: str) -> Coalesce:
    counted = queryset.order_by().values(field).annotate(n=Count("id", distinct=True)).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def customer_list(*, user: User, workspace: Workspace | None = None, q: str = "",
                  segment: str | None = None) -> QuerySet[Customer]:
    """Customers `user` may see, with how many contacts, votes and notes each has (one
    query): by name, filtered by segment and by `q` in the name or domain."""
    customers = Customer.objects.visible_to(user).select_related("owner")
    if workspace is not None:
        customers = customers.filter(workspace=workspace)
    if segment:
        customers = customers.filter(segment=segment)
    q = (q or "").strip()
    if q:
        customers = customers.filter(Q(name__icontains=q) | Q(domain__icontains=q))
    return customers.annotate(
        contact_count=_count(Contact.objects.filter(customer=OuterRef("pk")), "customer"),
        vote_count=_count(Vote.objects.filter(contact__customer=OuterRef("pk")), "contact__customer"),
        note_count=_count(FeedbackNote.objects.filter(customer=OuterRef("pk")), "customer"),
    ).order_by("name", "id")


def customer_choices(*, user: User) -> QuerySet[Customer]:
    """Customers `user` may see, unannotated: what an input field looks ids up in."""
    return Customer.objects.visible_to(user)


def contact_choices(*, user: User) -> QuerySet[Contact]:
    return Contact.objects.visible_to(user).select_related("customer")


def customer_get(*, user: User, pk: int) -> Customer:
    """One customer with its contacts. Raises Http404 for a customer `user` may not see."""
    return get_object_or_404(Customer.objects.visible_to(user).select_related("owner")
                             .prefetch_related("contacts"), pk=pk)


def contact_list(*, user: User, customer: Customer | None = None) -> QuerySet[Contact]:
    """Contacts `user` may see (of one customer, if given), with their customer."""
    contacts = Contact.objects.visible_to(user).select_related("customer").order_by("name", "id")
    return contacts.filter(customer=customer) if customer is not None else contacts


def contact_get(*, user: User, pk: int) -> Contact:
    return get_object_or_404(contact_list(user=user), pk=pk)


@dataclass
class CustomerDetail:
    """What a customer's page shows: the ideas they stand behind (with their votes and notes
    counted per idea), their votes, their notes, and the features those ideas and notes lead to."""

    customer: Customer
    ideas: list[Idea]
    votes: list[Vote]
    notes: list[FeedbackNote]
    features: list[Feature]


def customer_detail(*, user: User, customer: Customer) -> CustomerDetail:
    """Everything a customer stands behind, in a fixed number of queries (`customer` comes
    from `customer_get`, so `user` may see it)."""
    by_customer = Q(contact__customer=customer) | Q(portal_user__contact__customer=customer)
    votes = list(Vote.objects.filter(by_customer).select_related("idea__product", "contact", "portal_user")
                 .order_by("-created_at", "-id"))
    notes = list(FeedbackNote.objects.filter(customer=customer).select_related("product", "contact")
                 .prefetch_related("ideas", "features__product").order_by("-date", "-id"))
    votes_per_idea = Vote.objects.filter(by_customer, idea=OuterRef("pk")).order_by().values("idea").annotate(
        n=Count("id")).values("n")
    notes_per_idea = FeedbackNote.objects.filter(customer=customer, ideas=OuterRef("pk")).order_by().values(
        "ideas").annotate(n=Count("id")).values("n")
    ideas = list(
        Idea.objects.filter(Q(votes__in=[vote.pk for vote in votes]) | Q(notes__customer=customer))
        .distinct().select_related("product", "feature__product", "feature__status")
        .annotate(customer_votes=Coalesce(Subquery(votes_per_idea, output_field=IntegerField()), 0),
                  customer_notes=Coalesce(Subquery(notes_per_idea, output_field=IntegerField()), 0))
        .order_by("-demand", "-id"))
    feature_ids = {idea.feature_id for idea in ideas if idea.feature_id}
    feature_ids |= {feature.pk for note in notes for feature in note.features.all()}
    features = list(Feature.objects.filter(pk__in=feature_ids).select_related("product", "status")
                    .order_by("-demand", "id"))
    return CustomerDetail(customer=customer, ideas=ideas, votes=votes, notes=notes, features=features)
