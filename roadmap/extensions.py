"""What `roadmap` contributes to the pages of the apps below it, through their registries
(`strategy.extensions`, `releases.extensions`); registered in `RoadmapConfig.ready()`."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from strategy.extensions import Figure, Link, Summary, covered_products
from strategy.models import Product

from . import selectors
from .horizons import HORIZONS, LATER, NEXT, NOW, current_and_next, horizon_of, quarter_end
from .models import ShareLink


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
    rows = selectors.horizon_feature_rows(
        product_ids, current_release_ids=[pk for pk in current_ids.values() if pk]) if product_ids else []
    release_by_id = {release["id"]: release for release in releases}
    next_until = quarter_end(today, 1)
    counts: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(HORIZONS, 0))
    for row in rows:
        horizon = horizon_of(row, release=release_by_id.get(row["release_id"]),
                             current_id=current_ids.get(row["product_id"]), next_id=next_ids.get(row["product_id"]),
                             today=today, next_until=next_until)
        if horizon:
            counts[row["product_id"]][horizon] += 1
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
