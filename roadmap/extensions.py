"""What `roadmap` contributes to the pages of the apps below it, through their registries
(`strategy.extensions`, `releases.extensions`); registered in `RoadmapConfig.ready()`."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.timesince import timesince
from django.utils.translation import gettext as _

from releases.models import Feature
from strategy.chart_kit import day_label, format_value
from strategy.extensions import Figure, Link, Summary, covered_products
from strategy.models import KeyResult, Product

from . import selectors
from .horizons import HORIZONS, LATER, NEXT, NOW, current_and_next, horizon_of, quarter_end
from .models import ShareLink
from .render import metrics as charts
from .selectors.adoption import feature_adoption, released_on


def product_roadmap_summaries(products: Sequence[Product]) -> dict[int, Summary]:
    """Each product's roadmap at a glance: how many features are Now, Next and Later (the
    rules of `roadmap.horizons`), and how many share links are open. Three queries for any
    number of products (one more when a product line is among them)."""
    today = timezone.localdate()
    covered = covered_products(products)
    product_ids = sorted({pk for ids in covered.values() for pk in ids})
    releases = selectors.release_rows(product_ids) if product_ids else []
    releases_of: dict[int, list[dict]] = defaultdict(list)
    for release in releases:
        releases_of[release["product_id"]].append(release)
    current_ids, next_ids = {}, {}
    for product_id in product_ids:
        current, upcoming = current_and_next(releases_of[product_id], today)
        current_ids[product_id] = current["id"] if current else None
        next_ids[product_id] = upcoming["id"] if upcoming else None
    # Counted by what the rules read in PostgreSQL: a line's thousands of features come as a few hundred rows.
    rows = selectors.horizon_feature_counts(
        product_ids, current_release_ids=[pk for pk in current_ids.values() if pk]) if product_ids else []
    release_by_id = {release["id"]: release for release in releases}
    next_until = quarter_end(today, 1)
    counts: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(HORIZONS, 0))
    for row in rows:
        horizon = horizon_of(row, release=release_by_id.get(row["release_id"]),
                             current_id=current_ids.get(row["product_id"]), next_id=next_ids.get(row["product_id"]),
                             today=today, next_until=next_until)
        if horizon:
            counts[row["product_id"]][horizon] += row["n"]
    now = timezone.now()
    open_links = dict(
        ShareLink.objects.filter(product__in=[p.pk for p in products], revoked_at__isnull=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .order_by().values_list("product_id").annotate(n=Count("id"))
    )
    summaries = {}
    for product in products:
        totals = dict.fromkeys(HORIZONS, 0)
        for pk in covered[product.pk]:
            for horizon, n in counts[pk].items():
                totals[horizon] += n
        shared = open_links.get(product.pk, 0)
        args = [product.workspace.slug, product.key]
        links = (Link(_("Timeline"), reverse("roadmap:product_timeline", args=args)),
                 Link(_("Now / Next / Later"), reverse("roadmap:now_next_later", args=args)))
        text = _("Timeline and now-next-later views to share with engineers and executives.")
        if not any(totals.values()) and not shared:
            summaries[product.pk] = Summary(title=_("Roadmap"), icon="roadmap", text=text, links=links,
                                            status=_("Appears once open features are planned"))
            continue
        summaries[product.pk] = Summary(
            title=_("Roadmap"), icon="roadmap", text=text, links=links,
            figures=(Figure(_("Now"), str(totals[NOW])), Figure(_("Next"), str(totals[NEXT])),
                     Figure(_("Later"), str(totals[LATER])), Figure(_("Open share links"), str(shared))),
        )
    return summaries


def computed_ago(when) -> str:
    """"computed 3 hours ago" (or "just now"), or "not computed yet"."""
    if when is None:
        return _("not computed yet")
    if timezone.now() - when < timedelta(minutes=1):
        return _("computed just now")
    return _("computed %(age)s ago") % {"age": timesince(when, depth=1)}


def key_result_metric_summaries(key_results: Sequence[KeyResult]) -> dict[int, Summary]:
    """For each key result, the metric that feeds it (with its last value's day and age) and a
    link to change it; for the others, a link to bind one. One query for any number of key
    results, which come with their goal and its workspace loaded (as the goal pages have them)."""
    bindings = selectors.bindings_of(key_results)
    summaries = {}
    for key_result in key_results:
        url = reverse("roadmap:key_result_binding",
                      args=[key_result.goal.workspace.slug, key_result.goal_id, key_result.pk])
        binding = bindings.get(key_result.pk)
        if binding is None:
            summaries[key_result.pk] = Summary(title=_("Metric"), links=(Link(_("Feed from a metric"), url),),
                                               template="roadmap/key_result_metric.html")
            continue
        status = computed_ago(binding.computed_at)
        if binding.as_of:
            status = _("%(value)s on %(day)s, %(age)s") % {
                "value": format_value(binding.value, binding.unit), "day": day_label(binding.as_of), "age": status}
        summaries[key_result.pk] = Summary(
            title=_("Metric"), text=_("Fed by %(metric)s") % {"metric": binding.description},
            status=status, links=(Link(_("Change"), url),), template="roadmap/key_result_metric.html")
    return summaries


@dataclass(frozen=True)
class AdoptionSummary(Summary):
    """The adoption panel: the week-by-week bars and a table of the same numbers beneath."""

    chart: SafeString | str = ""
    weeks: tuple[tuple[str, str, str], ...] = ()  # (week, users of active users, share)
    figure: str = ""


def feature_adoption_summaries(features: Sequence[Feature]) -> dict[int, AdoptionSummary]:
    """The feature page's adoption panel: after the release date of a feature with a usage
    key, the share of the product's weekly active users who used it, week by week, with when
    it was computed; before that, or without a usage key, a line saying what it will show.
    Two queries for any number of features (which come with their release loaded)."""
    today = timezone.localdate()
    found = feature_adoption(features, today=today)
    summaries = {}
    for feature in features:
        title = _("Adoption")
        adoption = found.get(feature.pk)
        if not feature.usage_key:
            summaries[feature.pk] = AdoptionSummary(
                title=title, icon="members", template="roadmap/feature_adoption.html",
                text=_("Set a usage key on this feature (the feature key your product sends with usage events) "
                       "to see the share of weekly active users who use it after its release."))
            continue
        if adoption is None:
            released = released_on(feature)
            summaries[feature.pk] = AdoptionSummary(
                title=title, icon="members", template="roadmap/feature_adoption.html",
                text=_("Adoption of %(key)s appears here from the day after its release date%(date)s.") % {
                    "key": feature.usage_key,
                    "date": f" ({day_label(released, year=True)})" if released else ""})
            continue
        weeks = adoption.weeks
        chart = charts.bars([(week.start, week.share) for week in weeks], unit="%", high=100.0,
                            label=_("Weekly share of active users who used %(key)s, %(count)d weeks") % {
                                "key": feature.usage_key, "count": len(weeks)}) if weeks else ""
        current = adoption.current
        summaries[feature.pk] = AdoptionSummary(
            title=title, icon="members", template="roadmap/feature_adoption.html",
            text=_("Share of weekly active users who used %(key)s, since its release on %(date)s.") % {
                "key": feature.usage_key, "date": day_label(adoption.released, year=True)},
            figure=f"{current.share:.0f}%" if current else "—",
            figures=(Figure(_("Last 7 days"), _("%(users)s of %(active)s active users") % {
                "users": f"{current.users:,}", "active": f"{current.active:,}"}),) if current else (),
            chart=chart,
            weeks=tuple((day_label(week.start), f"{week.users:,} of {week.active:,}", f"{week.share:.1f}%")
                        for week in reversed(weeks)),
            status=computed_ago(adoption.computed_at) if adoption.computed_at else _("No usage rolled up yet"),
        )
    return summaries


def product_metric_summaries(products: Sequence[Product]) -> dict[int, Summary]:
    """The product page's metrics card: the next release's chance of making its date and
    its 85 % forecast date, and daily active users on the last complete day, each with
    when it was computed (a product line sums up its products). A fixed few queries."""
    today = timezone.localdate()
    found = selectors.product_metrics(products, today=today, brief=True)
    summaries = {}
    for product in products:
        metrics = found[product.pk]
        args = [product.workspace.slug, product.key]
        links = (Link(_("Metrics"), reverse("roadmap:product_metrics", args=args)),)
        text = _("Delivery forecasts and product usage, computed in the background.")
        figures = []
        upcoming = metrics.next_release
        if upcoming is not None:
            snapshot = upcoming.snapshot
            chance = upcoming.on_time_percent
            figures.append(Figure(
                _("Next: %(name)s, %(date)s") % {"name": upcoming.release.name,
                                                   "date": day_label(upcoming.release.release_date, year=True)},
                (_("%(chance)s%% chance on time · 85%%: %(date)s") % {
                    "chance": f"{chance:.0f}", "date": day_label(snapshot.forecast_p85) if snapshot.forecast_p85
                    else "—"}) if chance is not None else _("No forecast yet"),
                percent=chance))
        if metrics.usage is not None:
            figures.append(Figure(_("Daily active users, %(day)s") % {"day": day_label(metrics.usage.day)},
                                  f"{metrics.usage.dau:,}"))
        if not figures:
            summaries[product.pk] = Summary(title=_("Metrics"), icon="chart", text=text, links=links,
                                            status=_("Appears once releases are forecast or usage arrives"))
            continue
        ages = [when for when in (upcoming.snapshot.computed_at if upcoming and upcoming.snapshot else None,
                                  metrics.usage.computed_at if metrics.usage else None) if when]
        summaries[product.pk] = Summary(title=_("Metrics"), icon="chart", text=text, figures=tuple(figures),
                                        links=links, status=computed_ago(min(ages)) if ages else "")
    return summaries

