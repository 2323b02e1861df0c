"""Reads of feedback notes: the triage inbox (what nobody has processed yet) and the lists
of notes pages and the API show, with customer, contact and links loaded."""

from __future__ import annotations

from django.contrib.postgres.search import SearchRank
from django.db.models import F, Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from releases.models import Feature
from strategy.models import Product, User

from ..models import FeedbackNote, Idea
from .ideas import search_query


def note_queryset(*, user: User, product: Product | None = None) -> QuerySet[FeedbackNote]:
    """Notes `user` may see (of one product, if given), newest first, with their customer,
    contact and linked ideas and features loaded: three queries for any number of notes."""
    notes = (FeedbackNote.objects.visible_to(user)
             .select_related("product", "customer", "contact", "created_by", "processed_by")
             .prefetch_related(
                 Prefetch("ideas", queryset=Idea.objects.only("id", "title", "status", "product_id")
                          .order_by("title", "id")),
                 Prefetch("features", queryset=Feature.objects.select_related("product").only(
                     "id", "number", "title", "product__key", "product_id").order_by("number")))
             .order_by("-date", "-id"))
    return notes.filter(product=product) if product is not None else notes


def note_list(*, user: User, product: Product | None = None, processed: bool | None = None,
              source: str | None = None, customer_id: int | None = None, q: str = "") -> QuerySet[FeedbackNote]:
    """Notes filtered by processed or not, source and customer, `q` searched in their text
    (best match first)."""
    notes = note_queryset(user=user, product=product)
    if processed is not None:
        notes = notes.filter(processed=processed)
    if source:
        notes = notes.filter(source=source)
    if customer_id:
        notes = notes.filter(customer_id=customer_id)
    q = (q or "").strip()
    if q:
        query = search_query(q)
        notes = (notes.filter(search=query).annotate(rank=SearchRank(F("search"), query))
                 .order_by("-rank", "-date", "-id"))
    return notes


def note_inbox(*, user: User, product: Product, source: str | None = None) -> QuerySet[FeedbackNote]:
    """The triage inbox: the product's unprocessed notes, oldest first so nothing waits forever."""
    return note_list(user=user, product=product, processed=False, source=source).order_by("date", "id")


def note_get(*, user: User, pk: int) -> FeedbackNote:
    """One note with its links. Raises Http404 for a note `user` may not see."""
    return get_object_or_404(note_queryset(user=user), pk=pk)


def untriaged_count(*, user: User, product: Product) -> int:
    return FeedbackNote.objects.visible_to(user).filter(product=product, processed=False).count()
