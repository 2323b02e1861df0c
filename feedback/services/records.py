"""Helpers the topic modules of `feedback.services` share: validating a row into the
service's field errors, and refusing an edit made from a stale copy."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _


def check(instance: models.Model, errors: dict | None = None, exclude: tuple[str, ...] = ()) -> None:
    """Validate `instance` (field rules and `clean()`) and raise one ValidationError with
    every problem, `errors` (cross-row rules the service found) included."""
    errors = dict(errors or {})
    try:
        instance.full_clean(exclude=["workspace", *exclude], validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, messages)
    if errors:
        raise ValidationError(errors)


def locked(instance: models.Model, version: int | None) -> models.Model:
    """The row as it is now, locked for this transaction, with its version bumped. Raises
    ValidationError (code "stale") when `version` is given and the row has moved on since."""
    current = type(instance).objects.select_for_update(of=("self",)).get(pk=instance.pk)
    if version is not None and current.version != version:
        error = ValidationError(
            _("Someone saved a newer version of this after you opened it. Your input is kept below: "
              "check their changes, then save again."), code="stale")
        error.current_version = current.version
        raise error
    current.version += 1
    return current
