"""`features_changed`: how the apps above `releases` learn that features changed.

Sent once per service call of `releases.services` that writes features (create, update,
delete, bulk update, backlog move, board move and timeline reschedule through
`feature_update`, requirements, dependencies, and the features a release delete or a
retired status moves), and only after the transaction commits: a rolled-back write sends
nothing. Keyword arguments:

- `feature_ids`: frozenset of the ids of the features written (deleted ones included, so a
  receiver must expect some ids to be gone);
- `product_ids`: frozenset of their products' ids.

`delivery_computed`: sent once a product's delivery snapshots (the product's and its
releases') are written, after commit, with `product_id`. Key results bound to a delivery
metric (roadmap) listen to it and queue their refresh.

Receivers (feedback closing the loop, metrics recomputing, debounced) connect in their
`AppConfig.ready()` and must be cheap: they run in the request that made the change, so
anything heavy is queued to Celery with the ids.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.dispatch import Signal

from .models import Feature

features_changed = Signal()
delivery_computed = Signal()


def send_features_changed(features: Iterable) -> None:
    """Send `features_changed` for `features` (anything with `pk` and `product_id`) once the
    current transaction commits; nothing for an empty list."""
    pairs = {(feature.pk, feature.product_id) for feature in features}
    if not pairs:
        return
    feature_ids = frozenset(pk for pk, _product_id in pairs)
    product_ids = frozenset(product_id for _pk, product_id in pairs)
    transaction.on_commit(lambda: features_changed.send(
        sender=Feature, feature_ids=feature_ids, product_ids=product_ids))


def send_delivery_computed(product_id: int) -> None:
    """Send `delivery_computed` for the product once the current transaction commits."""
    transaction.on_commit(lambda: delivery_computed.send(sender=Feature, product_id=product_id))
