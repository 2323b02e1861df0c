"""Change history of any model tracked with django-simple-history (`history = HistoricalRecords()`),
as entries people can read: who, when, and which fields went from what to what.

Built once for every app: releases and feedback track their models the same way and show
the same `components/history.html`. Writes name their author by setting `_history_user`
before saving (see `record_author`), never through a thread-local. Deleting many records at
once goes through `bulk_delete_with_history`, which writes their deletion history in bulk."""

from __future__ import annotations

import functools
import inspect
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, router, transaction
from django.db.models import signals
from django.db.models.deletion import Collector
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.models import HistoricalRecords
from simple_history.signals import post_create_historical_record, pre_create_historical_record
from simple_history.utils import get_change_reason_from_object

HIDDEN_FIELDS = {
    "id", "version", "updated_at", "created_at", "workspace", "created_by", "updated_by", "position", "rank",
}


def history_model_of(owner: type[models.Model], name: str | None = None) -> type[models.Model]:
    """The historical model behind `owner.history` (or behind the tracked many-to-many `name` of
    a historical model), read from simple-history's descriptor without calling it: each access
    through the descriptor builds a new manager class (~0.2 ms)."""
    return inspect.getattr_static(owner, name or owner._meta.simple_history_manager_attribute).model


@functools.cache
def _history_manager(model: type[models.Model]) -> tuple[type[models.Model], type]:
    descriptor = inspect.getattr_static(model, model._meta.simple_history_manager_attribute)
    return descriptor.model, descriptor.manager_class.from_queryset(descriptor.queryset_class)


def history_of(target: models.Model | type[models.Model]):
    """What `target.history` is (the versions of one instance, or of every row of a model), with
    the manager class simple-history would build on every access built once per model."""
    model = target if isinstance(target, type) else type(target)
    history_model, manager_class = _history_manager(model)
    return manager_class(history_model, None if target is model else target)


@dataclass
class FieldChange:
    label: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    when: datetime
    who: object  # a User or None
    kind: str  # "created", "changed" or "deleted"
    changes: list[FieldChange] = field(default_factory=list)
    version: int | None = None  # the record's `version` after this change, where it has one


def record_author(instance: models.Model, actor) -> None:
    """Name `actor` as the author of the next saved version of `instance`."""
    instance._history_user = actor


def _only_history_listens(model) -> bool:
    """Whether simple-history's own handlers, recording deletions (not `cascade_delete_history`),
    are the only receivers of `model`'s delete signals (none at all for an untracked model)."""
    for signal in (signals.pre_delete, signals.post_delete):
        sync_receivers, async_receivers = signal._live_receivers(model)
        if async_receivers:
            return False
        for receiver in sync_receivers:
            owner = getattr(receiver, "__self__", None)
            if not isinstance(owner, HistoricalRecords) or owner.cascade_delete_history:
                return False
    return True


def history_rows_sent(history_model, rows: list, instances: list) -> None:
    """Send simple-history's `post_create_historical_record` for history `rows` written in bulk
    (one per instance, in order), as its handlers do for one saved version: the receivers
    (webhooks) see every version, whichever way it was written. No query."""
    for row, instance in zip(rows, instances, strict=True):
        post_create_historical_record.send(
            sender=history_model, instance=instance, history_instance=row, history_date=row.history_date,
            history_user=row.history_user, history_change_reason=row.history_change_reason, using=None)


def bulk_save_with_history(instances: list, *, actor, fields: list[str] | None = None,
                           batch_size: int = 500, when=None) -> None:
    """Insert `instances` of one tracked model (or, with `fields`, update those fields) and
    their history rows naming `actor`, a few statements per batch, then send the signals
    those rows would have sent one by one: simple-history's own bulk helpers send none, and
    webhooks listen to them."""
    if not instances:
        return
    model = type(instances[0])
    for instance in instances:
        record_author(instance, actor)  # a record saved before may still name its last author
    for start in range(0, len(instances), batch_size):
        batch = instances[start:start + batch_size]
        if fields is None:
            model.objects.bulk_create(batch)
        else:
            model.objects.bulk_update(batch, fields)
        rows = model.history.bulk_history_create(batch, update=fields is not None, default_user=actor,
                                                 default_date=when)
        if rows is not None:  # None when history is switched off
            history_rows_sent(model.history.model, rows, batch)


def bulk_delete_with_history(instances, *, actor, batch_size: int = 500) -> int:
    """Delete `instances` (saved records of one model) and what their foreign keys cascade to,
    as `Model.delete()` would (CASCADE deletes, SET_NULL nulls, PROTECT and RESTRICT refuse),
    and record each deleted record of a tracked model as deleted by `actor` (history_type "-",
    its `_change_reason` if set), in a fixed number of statements per batch of `batch_size`.

    Why not `QuerySet.delete()`: with simple-history's post_delete handler connected, Django
    deletes row by row and the handler writes one history row per record. Here Django's
    `Collector` still decides what cascades (so every on_delete is respected), the deletes run
    set-based, and the history rows are written with one bulk insert per batch, followed by
    the `post_create_historical_record` signals simple-history would have sent. Only
    simple-history's handlers are bypassed, and only for this call: when any other receiver
    listens for the delete of a collected model, the batch goes through `Collector.delete()`,
    signals and all. Returns how many rows were deleted, cascades included."""
    instances = list(instances)
    if not instances:
        return 0
    using = router.db_for_write(type(instances[0]))
    deleted = 0
    with transaction.atomic(using=using):
        for start in range(0, len(instances), batch_size):
            batch = instances[start:start + batch_size]
            for instance in batch:
                record_author(instance, actor)
            collector = Collector(using=using, origin=batch[0])
            collector.collect(batch)
            if not all(_only_history_listens(model) for model in collector.data):
                deleted += collector.delete()[0]
                continue
            deleted += _delete_collected(collector, actor, using)
    return deleted


def _delete_collected(collector: Collector, actor, using: str) -> int:
    """`Collector.delete()` without its delete signals, writing the tracked models' deletion
    history in bulk instead (see `bulk_delete_with_history`)."""
    history = _deletion_rows(collector, actor) if getattr(settings, "SIMPLE_HISTORY_ENABLED", True) else []
    collector.sort()
    deleted = 0
    for qs in collector.fast_deletes:
        deleted += qs._raw_delete(using=using)
    for (model_field, value), instances_list in collector.field_updates.items():
        objs = []
        for item in instances_list:
            if isinstance(item, models.QuerySet) and item._result_cache is None:
                item.update(**{model_field.name: value})  # SET_NULL and the like: one UPDATE
            else:
                objs.extend(item)
        if objs:
            type(objs[0])._base_manager.using(using).filter(pk__in={obj.pk for obj in objs}).update(
                **{model_field.name: value})
    for model, instances in collector.data.items():
        deleted += model._base_manager.using(using).filter(pk__in=[obj.pk for obj in instances])._raw_delete(using)
    for history_model, rows, instances in history:
        history_model.objects.using(using).bulk_create(rows)
        history_rows_sent(history_model, rows, instances)
    for model, instances in collector.data.items():
        for instance in instances:
            setattr(instance, model._meta.pk.attname, None)
    return deleted


def _deletion_rows(collector: Collector, actor) -> list[tuple]:
    """(history model, unsaved "-" rows, their instances) for each tracked model collected,
    read before the delete, as simple-history's pre_delete handler loads deferred fields."""
    now = timezone.now()
    history = []
    for model, instances in collector.data.items():
        if not hasattr(model._meta, "simple_history_manager_attribute"):
            continue
        history_model = history_model_of(model)
        instances = sorted(instances, key=lambda obj: obj.pk)
        rows = []
        for instance in instances:
            deferred = {f.attname for f in history_model.tracked_fields} & instance.get_deferred_fields()
            if deferred:
                instance.refresh_from_db(fields=deferred)
            row = history_model(
                history_date=getattr(instance, "_history_date", now), history_type="-",
                history_user=getattr(instance, "_history_user", actor),
                history_change_reason=get_change_reason_from_object(instance),
                **{f.attname: getattr(instance, f.attname) for f in history_model.tracked_fields})
            if hasattr(history_model, "history_relation"):
                row.history_relation_id = instance.pk
            pre_create_historical_record.send(
                sender=history_model, instance=instance, history_date=row.history_date,
                history_user=row.history_user, history_change_reason=row.history_change_reason,
                history_instance=row, using=None)
            rows.append(row)
        history.append((history_model, rows, instances))
    return history


def _tracked_fields(model) -> list[models.Field]:
    # Fields the history leaves out (`excluded_fields`) have no old values to compare.
    recorded = {f.name for f in history_model_of(model)._meta.concrete_fields}
    return [f for f in model._meta.concrete_fields if f.name not in HIDDEN_FIELDS and f.name in recorded]


def _display(model_field: models.Field, value, names: dict) -> str:
    if value in (None, "") or value == set():
        return "—"
    if isinstance(model_field, models.ManyToManyField):
        return ", ".join(sorted(names.get((model_field.related_model, pk), f"#{pk}") for pk in value))
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, models.ForeignKey):
        return names.get((model_field.related_model, value), f"#{value}")
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _m2m_sets(history_model, m2m_fields, history_ids) -> dict:
    """{(field name, history id): set of related ids} for every tracked many-to-many field."""
    sets: dict = defaultdict(set)
    for f in m2m_fields:
        through = history_model_of(history_model, f.name)
        target = f.m2m_reverse_field_name()
        rows = through._default_manager.filter(history_id__in=history_ids).values_list("history_id", f"{target}_id")
        for history_id, related_id in rows:
            sets[(f.name, history_id)].add(related_id)
    return sets


def history_entries(instance: models.Model, *, limit: int = 30,
                    known: Iterable[models.Model | None] = ()) -> list[HistoryEntry]:
    """The newest `limit` versions of `instance`, newest first, each with what changed since the
    one before. Costs a fixed number of queries: the versions, the links of tracked
    many-to-many fields, and the names of related rows (one query per related model), except
    those named by `known`, rows the page has in hand (its product, the current status)."""
    history_model = history_model_of(type(instance))
    records = list(
        history_of(instance).select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1]
    )
    if not records:
        return []
    fields = _tracked_fields(type(instance))
    m2m_fields = list(getattr(history_model, "_history_m2m_fields", []))
    m2m = _m2m_sets(history_model, m2m_fields, [r.history_id for r in records]) if m2m_fields else {}
    pairs = list(zip(records, records[1:] + [None], strict=True))[:limit]

    raw: list[tuple] = []
    wanted: dict[type, set] = defaultdict(set)
    for newer, older in pairs:
        changed = []
        for f in fields:
            new_value = getattr(newer, f.attname)
            old_value = getattr(older, f.attname) if older is not None else None
            if older is None and new_value in (None, ""):
                continue
            if older is None or new_value != old_value:
                changed.append((f, old_value, new_value))
                if isinstance(f, models.ForeignKey):
                    wanted[f.related_model].update(v for v in (old_value, new_value) if v is not None)
        for f in m2m_fields:
            new_ids = m2m.get((f.name, newer.history_id), set())
            old_ids = m2m.get((f.name, older.history_id), set()) if older is not None else set()
            if new_ids != old_ids:
                changed.append((f, old_ids, new_ids))
                wanted[f.related_model].update(old_ids | new_ids)
        raw.append((newer, changed))

    names: dict = {(obj._meta.model, obj.pk): str(obj) for obj in known if obj is not None}
    for related, ids in wanted.items():
        missing = {pk for pk in ids if (related, pk) not in names}
        for obj in related._default_manager.filter(pk__in=missing) if missing else ():
            names[(related, obj.pk)] = str(obj)

    entries = []
    for newer, changed in raw:
        kind = {"+": "created", "~": "changed", "-": "deleted"}[newer.history_type]
        entry = HistoryEntry(when=newer.history_date, who=newer.history_user, kind=kind,
                             version=getattr(newer, "version", None))
        for f, old_value, new_value in changed:
            entry.changes.append(FieldChange(
                label=str(f.verbose_name).capitalize(),
                old=_display(f, old_value, names),
                new=_display(f, new_value, names),
            ))
        entries.append(entry)
    return entries


def version_ahead_error(current_version: int, version: int) -> ValidationError:
    """The refusal of a save that claims a version the record has not reached (a client's
    mistake, not someone else's edit): a field error on `version`."""
    return ValidationError({"version": _(
        "Version %(version)s does not exist yet: this record is at version %(current)s. "
        "Send the version you read.") % {"version": version, "current": current_version}})


def stale_edit_error(current: models.Model, version: int) -> ValidationError:
    """The refusal of a save made from `version` when `current` has moved on: it names who
    changed which fields since, from the record's history, so they can compare and redo.
    A `version` ahead of the record's is refused as a mistake instead."""
    if version > current.version:
        return version_ahead_error(current.version, version)
    entries = [e for e in history_entries(current, limit=50) if e.version is not None and e.version > version]
    people = sorted({e.who.display_name for e in entries if e.who is not None}) or [_("someone")]
    changed = []
    for entry in reversed(entries):
        for change in entry.changes:
            if change.label not in changed:
                changed.append(change.label)
    when = timezone.localtime(entries[0].when).strftime("%H:%M on %d %b") if entries else ""
    error = ValidationError(
        _("%(who)s changed %(fields)s at %(when)s, after you opened this. Your input is kept below: "
          "check their changes, then save again.")
        % {"who": ", ".join(people), "fields": ", ".join(changed).lower() or _("it"), "when": when},
        code="stale",
    )
    # Forms re-arm themselves with it, so that saving again is a deliberate overwrite.
    error.current_version = current.version
    return error
