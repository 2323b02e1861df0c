"""Helpers every app's services use to write a record's fields: one set of rules for
what a service accepts and how text is stored."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _


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
