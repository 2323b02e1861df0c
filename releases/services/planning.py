"""Write operations of the planning pages: moving a feature in its product's backlog and
changing many features at once.

Invariants protected here:
- moving a feature in the backlog rewrites one rank (fractional ranks), except for the
  occasional rebalancing of a product's ranks when one grows too long;
- bulk changes are all or nothing."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from strategy import access
from strategy.models import Product, User

from .. import ranking
from ..models import Feature
from ..signals import send_features_changed
from .notifications import FeatureChange, notify_feature_changes
from .records import save_feature_change

UNSET = object()


@transaction.atomic
def feature_move(*, actor: User, feature: Feature, after: Feature | None = None,
                 before: Feature | None = None) -> Feature:
    """Place `feature` between `after` (above it) and `before` (below it) in its product's
    backlog; either may be None for the top or the bottom. Writes one row, except when the
    product's ranks are rebalanced. Raises PermissionDenied or ValidationError."""
    access.ensure_can(actor, "releases.edit", feature)
    if after is None and before is None:
        raise ValidationError(_("Say where to move the feature: after one feature, before one, or between two."))
    if after is not None and before is not None and after.pk == before.pk:
        raise ValidationError(_("A feature cannot go both before and after the same feature."))
    for neighbour in (after, before):
        if neighbour is not None and (neighbour.product_id != feature.product_id or neighbour.pk == feature.pk):
            raise ValidationError(_("Move a feature next to another feature of the same product."))
    # Moves and creations in one backlog take turns on the product row: two drops into the
    # same gap would otherwise read the same neighbours and both take the rank between them,
    # and a rebalance could renumber the neighbours between reading them and writing.
    Product.objects.select_for_update().filter(pk=feature.product_id).first()
    ids = [n.pk for n in (after, before) if n is not None]
    ranks = dict(Feature.objects.filter(pk__in=ids).values_list("pk", "rank"))
    low = ranks[after.pk] if after else None
    high = ranks[before.pk] if before else None
    if low is not None and high is not None and low > high:
        low, high = high, low
    if low is not None and low == high:
        _rebalance(feature.product_id)
        ranks = dict(Feature.objects.filter(pk__in=ids).values_list("pk", "rank"))
        low, high = sorted((ranks[after.pk], ranks[before.pk]))
    low, high = _nearest_gap(feature, low, high)
    rank = ranking.rank_between(low, high)
    Feature.objects.filter(pk=feature.pk).update(rank=rank)
    feature.rank = rank
    if ranking.needs_rebalance(rank):
        _rebalance(feature.product_id)
        feature.rank = Feature.objects.values_list("rank", flat=True).get(pk=feature.pk)
    # A rebalance rewrites the other ranks but not their order: only this feature moved.
    send_features_changed([feature])
    return feature


def _nearest_gap(feature: Feature, low: str | None, high: str | None) -> tuple[str | None, str | None]:
    """The gap right after `low` (right before `high` when moving to the top). The client's
    neighbours may have been read before another feature was dropped between them; taking
    their midpoint again would give both the same rank."""
    others = Feature.objects.filter(product_id=feature.product_id).exclude(pk=feature.pk)
    if low is not None:
        between = others.filter(rank__gt=low, **({"rank__lt": high} if high is not None else {}))
        return low, between.order_by("rank").values_list("rank", flat=True).first() or high
    between = others.filter(rank__lt=high)
    return between.order_by("-rank").values_list("rank", flat=True).first(), high


def _rebalance(product_id: int) -> None:
    """Give every feature of the product a fresh, short rank, keeping the order."""
    features = list(Feature.objects.select_for_update().filter(product_id=product_id).order_by("rank", "id")
                    .only("id", "rank"))
    for feature, rank in zip(features, ranking.spread(len(features)), strict=True):
        feature.rank = rank
    Feature.objects.bulk_update(features, ["rank"], batch_size=1000)


@transaction.atomic
def feature_bulk_update(*, actor: User, features: list[Feature], release=UNSET, status=UNSET,
                        initiative=UNSET, add_tag: str | None = None) -> int:
    """Apply the same change to many features of one workspace, all or nothing: the first
    feature that refuses it refuses the whole batch, naming it. Returns how many changed."""
    changes = {name: value for name, value in
               (("release", release), ("status", status), ("initiative", initiative)) if value is not UNSET}
    if not features or not (changes or add_tag):
        raise ValidationError(_("Choose features and a change to apply."))
    for feature in features:
        access.ensure_can(actor, "releases.edit", feature)
    locked = {f.pk: f for f in Feature.objects.select_for_update(of=("self",)).select_related("product")
              .filter(pk__in=[f.pk for f in features])}
    written = []
    for feature in features:
        current = locked[feature.pk]
        written.append(FeatureChange(current, current.status_id, current.assignee_id))
        feature_changes = dict(changes)
        if add_tag:
            feature_changes["tags"] = [*current.tags, add_tag]
        try:
            save_feature_change(current, actor, feature_changes)
        except ValidationError as exc:
            raise ValidationError(
                _("%(key)s: %(reason)s Nothing was changed.") % {"key": current.key, "reason": " ".join(exc.messages)}
            ) from exc
    # One batch of notifications for all of them (a few queries, whatever their number).
    notify_feature_changes(actor=actor, changes=written)
    send_features_changed(locked.values())
    return len(features)
