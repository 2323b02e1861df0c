"""How much people may enter: the one source of every input limit. Models carry these as
validators (so every service's `full_clean` enforces them), forms and API serializers use
the same constants and fields, and docs/operators.md lists them in its "Limits" table.

Bottom layer: `releases` and the apps above import from here, never define their own."""

from __future__ import annotations

from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

# Dates: wide enough for any plan or history, narrow enough that every chart, axis and
# date arithmetic stays finite (9999-12-31 + 1 day overflows).
DATE_MIN = date(1900, 1, 1)
DATE_MAX = date(2199, 12, 31)

# Free text. Markdown bodies (descriptions, vision, persona and competitor notes, themes)
# hold a few pages; a comment or a note is shorter.
TEXT_MAX_LENGTH = 20_000
COMMENT_MAX_LENGTH = 10_000
NOTE_MAX_LENGTH = 2_000

# Lists.
TAG_MAX_LENGTH = 40
TAGS_MAX_COUNT = 20
IDS_MAX_COUNT = 100  # ids in one field of a request: goals served
BULK_MAX_COUNT = 500  # features changed by one bulk edit (the largest page of a list)
BULK_IMPORT_MAX_COUNT = 1000  # records created or updated by one bulk-upsert request
RATINGS_MAX_COUNT = 1_000  # cells of the comparison grid written at once
KEY_RESULTS_MAX_COUNT = 20  # per goal
REQUIREMENTS_MAX_COUNT = 200  # per feature
MILESTONES_MAX_COUNT = 50  # per release
# Going to market (releases): phases, launch to-dos and templates.
PHASE_TYPES_MAX_COUNT = 20  # per workspace
PHASES_MAX_COUNT = 30  # per release
LAUNCH_TODOS_MAX_COUNT = 200  # per release
TEMPLATE_ITEMS_MAX_COUNT = 100  # per launch template
LAUNCH_TEAMS_MAX_COUNT = 20  # per workspace
LAUNCH_TEAM_MAX_LENGTH = 40
# A to-do due relative to its release: at most this many days before or after it (about three years).
OFFSET_DAYS_LIMIT = 1000


def date_range_message() -> str:
    return _("Enter a date between %(min)s and %(max)s.") % {
        "min": DATE_MIN.isoformat(), "max": DATE_MAX.isoformat()}


# For a well-formed day that does not exist ("2023-14-05"): not a format problem.
INVALID_DATE_MESSAGE = _("Enter a valid date: that day does not exist.")


@deconstructible
class DateRangeValidator:
    """Refuses a date outside DATE_MIN–DATE_MAX, saying the range."""

    code = "date_out_of_range"

    def __call__(self, value) -> None:
        if value is not None and not DATE_MIN <= value <= DATE_MAX:
            raise ValidationError(date_range_message(), code=self.code)

    def __eq__(self, other) -> bool:
        return isinstance(other, DateRangeValidator)

    def __hash__(self) -> int:
        return hash(self.code)


validate_date_in_range = DateRangeValidator()


def too_many_message(limit: int, what: str) -> str:
    return _("At most %(limit)d %(what)s.") % {"limit": limit, "what": what}


# --- model fields -------------------------------------------------------------


class BoundedDateField(models.DateField):
    """A DateField that accepts only DATE_MIN–DATE_MAX."""

    default_validators = [validate_date_in_range]


class LongTextField(models.TextField):
    """A TextField (Markdown body) of at most TEXT_MAX_LENGTH characters, checked by
    `full_clean` and offered to forms with that maximum."""

    def __init__(self, *args, max_length: int = TEXT_MAX_LENGTH, **kwargs):
        kwargs["max_length"] = max_length
        super().__init__(*args, **kwargs)
        self.validators.append(MaxLengthValidator(max_length))

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if kwargs.get("max_length") == TEXT_MAX_LENGTH:
            del kwargs["max_length"]
        return name, path, args, kwargs


# --- form fields ----------------------------------------------------------------


class DateFormField(forms.DateField):
    """A form DateField that accepts only DATE_MIN–DATE_MAX ("2023-14-05" is Django's
    "Enter a valid date.")."""

    default_validators = [validate_date_in_range]

    def widget_attrs(self, widget) -> dict:
        # The browser's date picker offers only the accepted days, too.
        return {**super().widget_attrs(widget), "min": DATE_MIN.isoformat(), "max": DATE_MAX.isoformat()}
