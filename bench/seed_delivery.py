"""Delivery snapshots for the bench workspace, computed the way the worker computes them
(releases.services.delivery_snapshots_write, one product at a time), so the release pages
show a forecast and the delivery pages have their charts. Prints how long the largest
product took: the cost of one background computation at the bench's size."""

from __future__ import annotations

import time


def seed(*, workspace, today) -> dict[str, float]:
    """Compute today's delivery snapshots of every product of `workspace`; seconds per product key."""
    from releases import services
    from strategy.models import Product

    took = {}
    for product_id, key in Product.objects.filter(workspace=workspace).order_by("pk").values_list("pk", "key"):
        started = time.perf_counter()
        services.delivery_snapshots_write(product_id=product_id, today=today)
        took[key] = time.perf_counter() - started
    slowest = max(took, key=took.get)
    print(f"Delivery snapshots of {len(took)} products in {sum(took.values()):.1f} s "
          f"(slowest {slowest}: {took[slowest]:.2f} s).")
    return took
