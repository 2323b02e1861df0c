"""Change history of any model tracked with django-simple-history (`history = HistoricalRecords()`),
as entries people can read: who, when, and which fields went from what to what.

Built once for every app: releases and feedback track their models the same way and show
the same `components/history.html`. Writes name their author by setting `_history_user`
before saving (see `record_author`), never through a thread-local."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

HIDDEN_FIELDS = {
    "id", "version", "updated_at", "created_at", "workspace", "created_by", "updated_by", "position", "rank",
}


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


def _tracked_fields(model) -> list[models.Field]:
    # Fields the history leaves out (`excluded_fields`) have no old values to compare.
    recorded = {f.name for f in model.history.model._meta.concrete_fields}
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
        through = getattr(history_model, f.name).model
        target = f.m2m_reverse_field_name()
        rows = through._default_manager.filter(history_id__in=history_ids).values_list("history_id", f"{target}_id")
        for history_id, related_id in rows:
            sets[(f.name, history_id)].add(related_id)
    return sets


def history_entries(instance: models.Model, *, limit: int = 30) -> list[HistoryEntry]:
    """The newest `limit` versions of `instance`, newest first, each with what changed since the
    one before. Costs a fixed number of queries: the versions, the links of tracked
    many-to-many fields, and the names of related rows (one query per related model)."""
    history_model = instance.history.model
    records = list(
        instance.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1]
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

    names: dict = {}
    for related, ids in wanted.items():
        for obj in related._default_manager.filter(pk__in=ids):
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
