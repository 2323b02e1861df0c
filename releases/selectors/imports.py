"""Reads of a product's imports: the history list and one import's page. The history list
reads neither the rows nor the plan of each import (they can be large); its counts come from
the plan's and result's counts in the database."""

from __future__ import annotations

from django.db.models import QuerySet
from django.db.models.fields.json import KT
from django.shortcuts import get_object_or_404

from strategy.models import Product, User

from ..models import Import


def import_list(*, user: User, product: Product) -> QuerySet[Import]:
    """The product's imports, newest first, with who made them and their counts (`planned_*`
    from the preview, `written_*` once written), without their rows."""
    return (Import.objects.visible_to(user).filter(product=product)
            .select_related("created_by", "undone_by")
            .defer("rows", "plan", "result", "undo")
            .annotate(planned_create=KT("plan__counts__create"), planned_update=KT("plan__counts__update"),
                      planned_unchanged=KT("plan__counts__unchanged"), planned_refused=KT("plan__counts__refused"),
                      written_created=KT("result__counts__created"), written_updated=KT("result__counts__updated"),
                      written_refused=KT("result__counts__refused"))
            .order_by("-created_at", "-id"))


def import_get(*, user: User, product: Product, pk: int) -> Import:
    """One import of the product, with its plan and result (not its rows)."""
    return get_object_or_404(Import.objects.visible_to(user).filter(product=product)
                             .select_related("created_by", "confirmed_by", "undone_by").defer("rows", "undo"), pk=pk)
