"""What `feedback` contributes to the pages of the apps below it, through their registries
(`releases.extensions.feature_summaries`, `strategy.extensions.product_summaries`);
registered in `FeedbackConfig.ready()`. Both providers read all the items at once, in a
fixed number of queries, and never name a customer (only totals)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import Count, F, Q, Sum, Window
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils.translation import gettext as _

from releases.models import Feature
from strategy.extensions import Figure, Link, Row, Summary, covered_products
from strategy.models import Product

from .models import FeedbackNote, Idea

TOP_IDEAS = 5


def money(value: Decimal | int) -> str:
    """A revenue figure as people read it: 1,250,000 → "1.25M", 48,000 → "48k"."""
    value = Decimal(value or 0)
    for limit, suffix in ((Decimal(1_000_000_000), "B"), (Decimal(1_000_000), "M"), (Decimal(1_000), "k")):
        if value >= limit:
            return f"{float(value / limit):.3g}{suffix}"
    return f"{value:.0f}"


def _ideas_url(product: Product, **query) -> str:
    """The product's ideas page, filtered by `query`."""
    url = reverse("feedback:idea_list", args=[product.workspace.slug, product.key])
    return f"{url}?{urlencode(query)}" if query else url


def feature_demand_summaries(features: Sequence[Feature]) -> dict[int, Summary]:
    """Each feature's demand: its linked ideas, their votes, and the weighted demand (stored
    on the feature); one query for any number of features (their products come loaded, as
    the feature page has them)."""
    rows = {row["feature_id"]: row for row in (
        Idea.objects.filter(feature__in=[feature.pk for feature in features], merged_into__isnull=True)
        .order_by().values("feature_id").annotate(ideas=Count("id"), votes=Sum("vote_count")))}
    summaries = {}
    for feature in features:
        row = rows.get(feature.pk)
        if row is None and not feature.demand:
            summaries[feature.pk] = Summary(title=_("Demand"), icon="feedback",
                                            status=_("No ideas linked yet"))
            continue
        ideas, votes = (row["ideas"], row["votes"] or 0) if row else (0, 0)
        url = _ideas_url(feature.product, feature=feature.pk)
        summaries[feature.pk] = Summary(
            title=_("Demand"), icon="feedback",
            figures=(Figure(_("Linked ideas"), str(ideas), url=url),
                     Figure(_("Votes"), str(votes)),
                     Figure(_("Weighted demand"), money(feature.demand))),
            links=(Link(_("See the ideas"), url),) if ideas else ())
    return summaries


def product_feedback_summaries(products: Sequence[Product]) -> dict[int, Summary]:
    """Each product's feedback (a product line's: of its products): open ideas and notes
    nobody has triaged yet, and the top ideas by weighted demand. Three queries (four with a
    product line among them)."""
    covered = covered_products(products)
    ids = sorted({pk for pks in covered.values() for pk in pks})
    ideas = dict(Idea.objects.filter(product_id__in=ids, merged_into__isnull=True)
                 .exclude(status__in=[Idea.Status.SHIPPED, Idea.Status.DECLINED])
                 .order_by().values_list("product_id").annotate(n=Count("id")))
    untriaged = dict(FeedbackNote.objects.filter(product_id__in=ids).filter(Q(processed=False))
                     .order_by().values_list("product_id").annotate(n=Count("id")))
    # The top ideas of every product in one query (the best few per product, by a window).
    top_rows = list(Idea.objects.filter(product_id__in=ids, merged_into__isnull=True, demand__gt=0)
                    .exclude(status__in=[Idea.Status.SHIPPED, Idea.Status.DECLINED])
                    .annotate(place=Window(RowNumber(), partition_by=[F("product_id")],
                                           order_by=[F("demand").desc(), F("id").desc()]))
                    .filter(place__lte=TOP_IDEAS)
                    .values("id", "title", "demand", "vote_count", "product_id", "product__key"))
    summaries = {}
    for product in products:
        mine = set(covered[product.pk])
        top = sorted((row for row in top_rows if row["product_id"] in mine),
                     key=lambda row: (-row["demand"], -row["id"]))[:TOP_IDEAS]
        items = tuple(Row(label=row["title"], url=reverse("feedback:idea_detail", args=[
            product.workspace.slug, row["product__key"], row["id"]]),
            note=_("demand %(demand)s · %(votes)d votes") % {"demand": f"{row['demand']:,.0f}",
                                                          "votes": row["vote_count"]}) for row in top)
        open_ideas = sum(ideas.get(pk, 0) for pk in covered[product.pk])
        notes = sum(untriaged.get(pk, 0) for pk in covered[product.pk])
        url = "" if product.is_line else _ideas_url(product)
        summaries[product.pk] = Summary(
            title=_("Feedback"), icon="feedback",
            text=_("Ideas customers ask for, their votes, and what they said in calls, emails and tickets."),
            figures=(Figure(_("Open ideas"), str(open_ideas), url=url),
                     Figure(_("Notes to triage"), str(notes))),
            items=items, items_label=_("Top ideas by demand") if items else "",
            status="" if open_ideas or notes else _("No ideas or feedback yet"))
    return summaries
