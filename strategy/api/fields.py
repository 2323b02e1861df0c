"""API fields for every app's serializers: fields that carry the input limits of `strategy.limits`,
and related fields that only accept rows the requesting user may see."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from functools import partial

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .. import selectors
from ..limits import IDS_MAX_COUNT, INVALID_DATE_MESSAGE, TEXT_MAX_LENGTH, validate_date_in_range
from ..models import WORKSPACE_LIMIT_ATTR, Product, Workspace, colour_validator

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


class DateField(serializers.DateField):
    """A date between DATE_MIN and DATE_MAX. A well-formed day that does not exist
    ("2023-14-05") is an invalid date, not a "wrong format"."""

    default_error_messages = {"impossible": INVALID_DATE_MESSAGE}

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators.append(validate_date_in_range)

    def to_internal_value(self, value) -> date:
        if isinstance(value, str) and _ISO_DAY.fullmatch(value.strip()):
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                self.fail("impossible")
        return super().to_internal_value(value)


def optional_text(max_length: int = TEXT_MAX_LENGTH, **kwargs) -> serializers.CharField:
    """An optional text field, a Markdown body unless `max_length` says otherwise; left out,
    the record keeps its text (or the model's default)."""
    return serializers.CharField(max_length=max_length, allow_blank=True, required=False, **kwargs)


class VisibleIdsField(serializers.ManyRelatedField):
    """A list of ids, each looked up by `child_relation`, at most `max_count` of them:
    counted before any lookup, so a huge list costs no queries."""

    default_error_messages = {"max_count": _("At most {max_count} ids.")}

    def __init__(self, *, max_count: int = IDS_MAX_COUNT, **kwargs):
        self.max_count = max_count
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, list) and len(data) > self.max_count:
            self.fail("max_count", max_count=self.max_count)
        return super().to_internal_value(data)


@extend_schema_field({"anyOf": [{"type": "string", "format": "uri"}, {"type": "string", "maxLength": 0}],
                      "description": "A web address, or empty."})
class UrlOrEmptyField(serializers.URLField):
    """A URL or "": declared so, since an empty string is not a URI."""

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_blank", True)
        super().__init__(**kwargs)


def _user(field_or_serializer):
    """The requesting user; without a request (schema generation) nobody, who sees nothing."""
    request = field_or_serializer.context.get("request")
    return request.user if request is not None else AnonymousUser()


class _Scoped:
    """A related field whose choices come from a selector, called with the requesting user
    (and the serializer context's values named in `by`): rows the user may see, read the
    way the pages read them."""

    def __init__(self, selector: Callable[..., QuerySet], *, by: tuple[str, ...] = (), **kwargs):
        self.selector = selector
        self.by = by
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.selector(user=_user(self), **{name: self.context[name] for name in self.by})


class VisibleIdField(_Scoped, serializers.PrimaryKeyRelatedField):
    """In a serializer whose context has `bulk` (one instance validating many items), the
    choices are read once, in one query, rather than once per item."""

    def to_internal_value(self, data):
        if not self.context.get("bulk"):
            return super().to_internal_value(data)
        rows = getattr(self, "_bulk_rows", None)
        if rows is None:
            rows = self._bulk_rows = {str(row.pk): row for row in self.get_queryset()}
        if isinstance(data, bool) or not isinstance(data, int | str):
            self.fail("incorrect_type", data_type=type(data).__name__)
        row = rows.get(str(data).strip())
        if row is None:
            self.fail("does_not_exist", pk_value=data)
        return row


class VisibleSlugField(_Scoped, serializers.SlugRelatedField):
    pass


def product_field(**kwargs) -> VisibleIdField:
    return VisibleIdField(partial(selectors.product_list, include_archived=True), queryset=Product.objects.none(),
                          help_text="The product's id.", **kwargs)


def colour_field() -> serializers.CharField:
    return serializers.CharField(
        max_length=7, required=False, validators=[colour_validator], help_text="A hex colour such as #4f46e5.")


class ScopedWorkspace:
    """The default of an input's `workspace`: the workspace the request is scoped to (its
    address, /api/v1/w/<slug>/…, or its token's limit), so that a scoped request need not
    name it again; without a scope, the field is required."""

    requires_context = True

    def __call__(self, field):
        request = field.context.get("request")
        limit = getattr(request.user, WORKSPACE_LIMIT_ATTR, None) if request is not None else None
        if limit is None:
            field.fail("required")
        return Workspace.objects.get(pk=limit)


SCOPED_WORKSPACE_HELP = " Left out, the workspace of the address (/api/v1/w/<slug>/…)."
