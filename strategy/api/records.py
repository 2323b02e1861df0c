"""The shape every record viewset of the API shares, in strategy and in the apps above it:
detail URLs find any record the user may see (filters narrow lists only); a role that may
not change a record is refused (403) before its input is looked at; writes go through the
services; a refused stale update answers 409 with the record as it is now."""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from rest_framework import mixins, status, viewsets
from rest_framework.generics import get_object_or_404
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response

from .. import access


def unmoved(data: dict, name: str, current_id: int, message: str) -> None:
    """Drop `name` from an update when it names the record's current parent; refuse a move."""
    if name in data and data.pop(name).pk != current_id:
        raise ValidationError({name: message})


class EditGuardMixin:
    """`get_object` that refuses (403) a write the user's role does not allow, before the
    request's input is looked at: a viewer gets a 403, never a 400 about fields."""

    edit_action: str = ""  # the access rule a write needs

    def edit_target(self, record):
        """The record whose workspace decides whether the user may change `record`."""
        return record

    def get_object(self):
        record = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        if self.request.method not in SAFE_METHODS:
            access.ensure_can(self.request.user, self.edit_action, self.edit_target(record))
        return record

    def refuse_early(self, name: str, parents: QuerySet, lookup: str = "pk") -> None:
        """Before validating a create, refuse a role that may not edit the parent(s) it names
        (403), or anything at all. A parent out of sight is left to validation: a 400 on `name`."""
        value = self.request.data.get(name) if isinstance(self.request.data, Mapping) else None
        values = value if isinstance(value, list) else [value]
        if lookup == "pk":
            values = [int(v) for v in values if isinstance(v, str | int) and not isinstance(v, bool)
                      and str(v).isdigit() and int(v) < 2**63]
        else:
            values = [v for v in values if isinstance(v, str)]
        found = list(parents.filter(**{f"{lookup}__in": values})) if values else []
        for parent in found:
            access.ensure_can(self.request.user, self.edit_action, parent)
        if not found and not access.workspace_ids_where(self.request.user, self.edit_action):
            raise PermissionDenied(_("Your role does not allow this in any of your workspaces."))


class RecordViewSet(EditGuardMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    input_serializer_class: type | None = None

    def _input(self, serializer_class: type | None = None, *, partial: bool = False) -> dict:
        data = (serializer_class or self.input_serializer_class)(
            data=self.request.data, context=self.get_serializer_context(), partial=partial)
        data.is_valid(raise_exception=True)
        validated = dict(data.validated_data)
        if self.action == "create":
            validated.pop("version", None)  # a new record has no version to check
        return validated

    def _serialize(self, records, **kwargs):
        """Output of one record or a page of them; viewsets that add computed fields override it."""
        return self.get_serializer(records, **kwargs).data

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self._serialize(page, many=True))

    def retrieve(self, request, *args, **kwargs):
        return Response(self._serialize(self.get_object()))

    def _show(self, record, code: int = status.HTTP_200_OK) -> Response:
        """The record as lists show it, read again through the scoped queryset."""
        return Response(self._serialize(self.get_queryset().get(pk=record.pk)), status=code)

    def handle_exception(self, exc):
        if isinstance(exc, ValidationError) and getattr(exc, "code", None) == "stale":
            current = self._serialize(self.get_queryset().get(pk=self.kwargs["pk"]))
            return Response({"detail": exc.messages[0], "current": current}, status=status.HTTP_409_CONFLICT)
        return super().handle_exception(exc)
