"""The seams of `releases` for the apps above it, and what `releases` tells the app below.

- `feature_summaries`: the registry of batch providers for features (see
  `strategy.extensions` for the contract). Feedback (demand per feature) and metrics
  (forecast, adoption) register here in their `AppConfig.ready()`; the feature page shows
  one panel per summary, without naming them.
- `product_delivery_summaries`: the provider `releases` registers with
  `strategy.extensions.product_summaries`, so the product page shows releases and features.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from strategy.extensions import Figure, Link, Summary, SummaryRegistry, covered_products
from strategy.models import Product

from .models import Feature, Release, StatusCategory

feature_summaries: SummaryRegistry[Feature] = SummaryRegistry("feature")
"""What higher apps know of a feature: the feature page shows one panel per summary."""


def product_delivery_summaries(products: Sequence[Product]) -> dict[int, Summary]:
    """Releases and features of each product (for a product line, of its products): how many
    releases, the next one with its date and progress, and features by status category. Three
    queries at most for any number of products; the products come with their workspace
    loaded (as `strategy.selectors` returns them)."""
    covered = covered_products(products)
    ids = sorted({pk for pks in covered.values() for pk in pks})
    counted = ~Q(features__status__category=StatusCategory.WONT_DO)
    releases = (
        Release.objects.filter(product_id__in=ids).exclude(status=Release.Status.CANCELLED)
        .order_by("release_date", "start_date", "id")
        .values("id", "product_id", "product__key", "name", "version_label", "release_date", "status")
        .annotate(feature_count=Count("features", filter=counted),
                  done_count=Count("features", filter=Q(features__status__category=StatusCategory.DONE)))
    )
    releases_of: dict[int, list[dict]] = defaultdict(list)
    for release in releases:
        releases_of[release["product_id"]].append(release)
    categories: dict[int, dict[str, int]] = defaultdict(dict)
    for row in (Feature.objects.filter(product_id__in=ids).order_by()
                .values("product_id", "status__category").annotate(n=Count("id"))):
        categories[row["product_id"]][row["status__category"]] = row["n"]
    today = timezone.localdate()
    summaries = {}
    for product in products:
        mine = sorted((r for pk in covered[product.pk] for r in releases_of[pk]),
                      key=lambda r: (r["release_date"], r["id"]))
        counts: dict[str, int] = defaultdict(int)
        for pk in covered[product.pk]:
            for category, n in categories[pk].items():
                counts[category] += n
        summaries[product.pk] = _delivery_summary(product, mine, counts, today)
    return summaries


def _delivery_summary(product: Product, releases: list[dict], categories: dict[str, int], today) -> Summary:
    args = [product.workspace.slug, product.key]
    text = _("Dated releases with milestones, and the features planned into them.")
    links = () if product.is_line else (
        Link(_("Releases"), reverse("releases:release_list", args=args)),
        Link(_("Backlog"), reverse("releases:backlog", args=args)))
    total = sum(categories.values())
    if not releases and not total:
        return Summary(title=_("Releases & features"), icon="calendar", text=text, links=links,
                       status=_("No releases yet"))
    released = sum(1 for r in releases if r["status"] == Release.Status.RELEASED)
    figures = [Figure(_("Releases"), _("%(count)d, %(released)d released") % {
        "count": len(releases), "released": released},
        url="" if product.is_line else reverse("releases:release_list", args=args))]
    upcoming = next((r for r in releases if r["status"] != Release.Status.RELEASED and r["release_date"] >= today),
                    None)
    if upcoming is not None:
        name = " ".join(filter(None, [upcoming["product__key"] if product.is_line else "",
                                      upcoming["version_label"], upcoming["name"]]))
        share = 100 * upcoming["done_count"] / upcoming["feature_count"] if upcoming["feature_count"] else 0
        figures.append(Figure(
            _("Next: %(name)s, %(date)s") % {"name": name, "date": upcoming["release_date"].strftime("%-d %b %Y")},
            _("%(done)d of %(count)d done") % {"done": upcoming["done_count"], "count": upcoming["feature_count"]},
            percent=share,
            url=reverse("releases:release_detail", args=[product.workspace.slug, upcoming["product__key"],
                                                         upcoming["id"]])))
    open_ = total - categories.get(StatusCategory.WONT_DO, 0)
    done = categories.get(StatusCategory.DONE, 0)
    figures.append(Figure(_("Features done"), _("%(done)d of %(count)d") % {"done": done, "count": open_},
                          percent=100 * done / open_ if open_ else 0))
    in_progress, not_started = (categories.get(StatusCategory.IN_PROGRESS, 0),
                                categories.get(StatusCategory.NOT_STARTED, 0))
    figures.append(Figure(_("In progress · not started"), f"{in_progress} · {not_started}"))
    return Summary(title=_("Releases & features"), icon="calendar", text=text, figures=tuple(figures),
                   links=links, status="" if upcoming else _("No release coming up"))
