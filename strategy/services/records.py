"""Helpers services use to write a record: one set of rules for what a service accepts and how
text is stored (every app), and how a strategy record is validated, locked, saved and deleted."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from ..history import record_author, stale_edit_error
from ..models import User


def assign(instance: models.Model, changes: dict, allowed: tuple[str, ...]) -> None:
    """Set `changes` on `instance`, text trimmed and with \\n line breaks. Raises ValidationError
    naming every field outside `allowed`, before setting anything."""
    unknown = set(changes) - set(allowed)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in sorted(unknown)})
    for name, value in changes.items():
        if isinstance(value, str):
            # Browsers send textarea line breaks as \r\n; store \n so unchanged text stays unchanged.
            value = value.replace("\r\n", "\n").strip()
        setattr(instance, name, value)


def save_record(instance: models.Model, *, actor: User, errors: dict | None = None) -> None:
    """Validate one row (field rules and `clean()`), merge in cross-row `errors`, and save
    it with `actor` named in its history. Raises ValidationError with every problem at once."""
    errors = dict(errors or {})
    try:
        instance.full_clean(exclude=["workspace", "created_by"], validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, messages)
    if errors:
        raise ValidationError(errors)
    record_author(instance, actor)
    instance.save()


def current_record(instance: models.Model, version: int | None) -> models.Model:
    """The row as it is now, locked for this transaction. Raises ValidationError (code "stale",
    naming who changed what) when `version` is given and someone saved a newer one."""
    current = type(instance).objects.select_for_update(of=("self",)).get(pk=instance.pk)
    if version is not None and current.version != version:
        raise stale_edit_error(current, version)
    current.version += 1
    return current


def delete_record(instance: models.Model, *, actor: User) -> None:
    """Delete one row with `actor` named in its history."""
    record_author(instance, actor)
    instance.delete()
