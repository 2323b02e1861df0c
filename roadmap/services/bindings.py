"""Key results fed by metrics: binding a key result to a usage or delivery metric, and
bringing bound key results up to their metric's latest value.

Invariants:
- a key result has at most one binding, made and removed only by editors and admins, to a
  product (not a product line) of the key result's own workspace, and for a release metric
  to a release of that product;
- a bound key result's value changes through strategy's check-in service
  (`key_result_record_measurement`), so its history, progress and goal status read as for a
  manual check-in: one check-in per day of the metric's data, corrected in place when that day
  is recomputed;
- refreshing is idempotent: a value already taken for its day writes nothing, and two
  refreshes at once take each binding's row lock in turn.

When a refresh runs (docs/metrics.md): at the end of each usage rollup of a product, when
`releases` reports a delivery computation (the `delivery_computed` signal), right after a
binding is made, and every ten minutes from beat as a sweep, so a lost trigger heals.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from releases.models import Release, usage_key_validator
from strategy import access
from strategy import services as strategy_services
from strategy.background import queue_after_commit
from strategy.chart_kit import day_label
from strategy.models import KeyResult, Product, User

from .. import selectors, tasks
from ..models import FEATURE_METRICS, RELEASE_METRICS, KeyResultBinding, Metric


def _binding_errors(key_result: KeyResult, metric: str, product: Product | None, release: Release | None,
                    feature_key: str) -> dict:
    errors: dict[str, str] = {}
    if metric not in Metric.values:
        errors["metric"] = _("Choose a metric.")
    if product is None or product.workspace_id != key_result.workspace_id:
        errors["product"] = _("Choose a product of this workspace.")
    elif product.is_line:
        errors["product"] = _("Choose a product rather than a product line: usage and throughput are "
                              "measured per product.")
    elif product.archived_at is not None:
        errors["product"] = _("This product is archived.")
    if metric in RELEASE_METRICS:
        if release is None:
            errors["release"] = _("Choose the release this metric follows.")
        elif product is not None and release.product_id != product.pk:
            errors["release"] = _("Choose a release of the chosen product.")
    if metric in FEATURE_METRICS:
        if not feature_key:
            errors["feature_key"] = _("Enter the feature key whose use this metric counts.")
        else:
            try:
                usage_key_validator(feature_key)
            except ValidationError as exc:
                errors["feature_key"] = exc.messages[0]
    return errors


@transaction.atomic
def key_result_bind(*, actor: User, key_result: KeyResult, metric: str, product: Product | None,
                    release: Release | None = None, feature_key: str = "") -> KeyResultBinding:
    """Bind `key_result` to a metric (replacing any binding it had), then refresh it once the
    binding is saved. Raises PermissionDenied or ValidationError."""
    access.ensure_can(actor, "strategy.edit", key_result)
    feature_key = (feature_key or "").strip()
    errors = _binding_errors(key_result, metric, product, release, feature_key)
    if errors:
        raise ValidationError(errors)
    source = {"metric": metric, "product": product,
              "release": release if metric in RELEASE_METRICS else None,
              "feature_key": feature_key if metric in FEATURE_METRICS else ""}
    binding = KeyResultBinding.objects.select_for_update().filter(key_result=key_result).first()
    if binding is None:
        binding = KeyResultBinding(key_result=key_result, workspace_id=key_result.workspace_id, created_by=actor)
    elif all(getattr(binding, name) == value for name, value in source.items()):
        return binding
    for name, value in source.items():
        setattr(binding, name, value)
    # A new source: nothing taken from it yet, and its first value is a new check-in.
    binding.value = binding.as_of = binding.computed_at = binding.check_in = None
    binding.created_by = actor
    binding.save()
    queue_after_commit(tasks.key_results_refresh_task, [product.pk])
    return binding


@transaction.atomic
def key_result_unbind(*, actor: User, key_result: KeyResult) -> None:
    """The key result stops following its metric; its check-ins stay. Raises PermissionDenied."""
    access.ensure_can(actor, "strategy.edit", key_result)
    KeyResultBinding.objects.filter(key_result=key_result).delete()


def _note(binding: KeyResultBinding, as_of: date) -> str:
    return _("%(metric)s on %(day)s (measured automatically)") % {
        "metric": binding.description[:1].upper() + binding.description[1:], "day": day_label(as_of, year=True)}


def key_results_refresh(*, product_ids: Iterable[int] | None = None, today: date | None = None) -> int:
    """Give each bound key result (of the products `product_ids`, or all) its metric's latest
    value; returns how many changed. Idempotent, see the module docstring."""
    today = today or timezone.localdate()
    bindings = KeyResultBinding.objects.select_related("key_result", "product", "release").order_by("id")
    if product_ids is not None:
        bindings = bindings.filter(product_id__in=list(product_ids))
    bindings = list(bindings)
    found = selectors.measurements(bindings, today=today)
    changed = 0
    for binding in bindings:
        measurement = found.get(binding.pk)
        if measurement is None or (binding.as_of, binding.value) == (measurement.as_of, measurement.value):
            continue
        changed += _take(binding.pk, measurement)
    return changed


@transaction.atomic
def _take(binding_id: int, measurement: selectors.Measurement) -> int:
    binding = (KeyResultBinding.objects.select_for_update(of=("self",))
               .select_related("key_result", "product", "release", "check_in").filter(pk=binding_id).first())
    if binding is None or (binding.as_of, binding.value) == (measurement.as_of, measurement.value):
        return 0  # unbound meanwhile, or another refresh took this value first
    same_day = binding.as_of == measurement.as_of
    check_in = strategy_services.key_result_record_measurement(
        key_result=binding.key_result, value=measurement.value, note=_note(binding, measurement.as_of),
        correcting=binding.check_in if same_day else None)
    binding.value, binding.as_of, binding.computed_at = measurement.value, measurement.as_of, measurement.computed_at
    binding.check_in = check_in
    binding.save(update_fields=["value", "as_of", "computed_at", "check_in"])
    return 1


def on_delivery_computed(sender, *, product_id: int, **kwargs) -> None:
    """`releases.signals.delivery_computed`: the product's bound key results take the new
    values, in a task of their own (if it cannot be queued, the ten-minute sweep catches up)."""
    queue_after_commit(tasks.key_results_refresh_task, [product_id])
