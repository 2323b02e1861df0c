"""The seams of `releases` for the apps above it, and what `releases` tells the app below.

- `feature_summaries`: the registry of batch providers for features (see
  `strategy.extensions` for the contract). Feedback (demand per feature) and metrics
  (forecast, adoption) register here in their `AppConfig.ready()`; the feature page shows
  one panel per summary, without naming them.
- `product_delivery_summaries`: the provider `releases` registers with
  `strategy.extensions.product_summaries`, so the product page shows releases and features.
- `product_launch_summaries`: registered as "launch" with `product_summaries`: the launch
  readiness of each product's next release (to-dos done against time gone, overdue to-dos).
  The executive dashboard and the product hub read it from that registry;
  `launch_readiness(releases, today=…)` gives the same figures for any list of releases.
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

from . import metrics
from .models import Feature, Release, StatusCategory
from .selectors.launch import readiness_of, todo_count_annotations

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


def launch_readiness(releases: Sequence[Release], *, today) -> dict[int, metrics.Readiness]:
    """{release id: launch readiness} for the releases (with their dates and status); one query."""
    return readiness_of(list(releases), today=today)


def product_launch_summaries(products: Sequence[Product]) -> dict[int, Summary]:
    """For each product (a product line: its products), the launch readiness of its next
    release still to come: share of launch to-dos done, time gone, overdue to-dos. One
    query for any number of products."""
    covered = covered_products(products)
    ids = sorted({pk for pks in covered.values() for pk in pks})
    today = timezone.localdate()
    upcoming = list(Release.objects.filter(product_id__in=ids, release_date__gte=today)
                    .exclude(status__in=[Release.Status.RELEASED, Release.Status.CANCELLED])
                    .select_related("product").only("id", "name", "version_label", "start_date", "release_date",
                                                    "status", "product_id", "product__key")
                    .annotate(**todo_count_annotations(today))
                    .order_by("release_date", "id"))
    ready = {r.pk: metrics.readiness(total=r.todo_total, done=r.todo_done, overdue=r.todo_overdue,
                                     start=r.start_date, release_date=r.release_date, today=today, status=r.status)
             for r in upcoming}
    summaries = {}
    for product in products:
        mine = [r for r in upcoming if r.product_id in covered[product.pk]]
        release = mine[0] if mine else None
        if release is None:
            summaries[product.pk] = Summary(title=_("Launch readiness"), icon="check-circle",
                                            status=_("No release coming up"))
            continue
        found = ready[release.pk]
        url = reverse("releases:release_detail", args=[product.workspace.slug, release.product.key, release.pk])
        name = str(release)
        if found.total == 0:
            summaries[product.pk] = Summary(
                title=_("Launch readiness"), icon="check-circle", links=(Link(name, url + "#launch"),),
                status=_("%(release)s has no launch to-dos yet") % {"release": name})
            continue
        figures = [Figure(_("%(release)s: %(state)s") % {"release": name, "state": found.label},
                          _("%(done)d of %(total)d to-dos done") % {"done": found.done, "total": found.total},
                          percent=found.percent, url=url + "#launch"),
                   Figure(_("Time gone"), f"{found.time_percent}%", percent=found.time_percent)]
        if found.overdue:
            figures.append(Figure(_("Overdue to-dos"), str(found.overdue), url=url + "#launch"))
        summaries[product.pk] = Summary(title=_("Launch readiness"), icon="check-circle", figures=tuple(figures),
                                        text=_("Launch to-dos done against the time gone to the release date."))
    return summaries
