"""The shape every record endpoint of the API shares, in strategy and in the apps above it:
input checked in one go (`InputSerializer`, `VersionedInput`);
detail URLs find any record the user may see (filters narrow lists only); a role that may
not change a record is refused (403) before its input is looked at; writes go through the
services; a refused stale update answers 409 with the record as it is now."""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.fields import SkipField
from rest_framework.generics import get_object_or_404
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response

from .. import access, selectors


class VersionedInput(serializers.Serializer):
    version = serializers.IntegerField(
        required=False, write_only=True,
        help_text="On updates: the version you read. If the record changed since, the update is refused with 409.",
    )


class InputSerializer(serializers.Serializer):
    """Reports every problem of a request at once: each bad field, and the model's own
    single-row rules (its `clean()`: "ends before it starts", "target equals start") over
    the fields that were valid, so that a client can fix everything in one round trip.
    The services check the same rules again against the stored record."""

    clean_model: type[Model] | None = None
    clean_fields: tuple[str, ...] = ()

    def to_internal_value(self, data):
        try:
            attrs = super().to_internal_value(data)
            errors = {}
        except serializers.ValidationError as exc:
            if not isinstance(data, Mapping) or not isinstance(exc.detail, dict):
                raise
            errors = dict(exc.detail)
            attrs = self._valid_values(data, skip=errors)
        for name, messages in self._model_errors(attrs).items():
            errors.setdefault(name, messages)
        if errors:
            raise serializers.ValidationError(errors)
        return attrs

    def _valid_values(self, data, skip) -> dict:
        values = {}
        for name in self.clean_fields:
            field = self.fields.get(name)
            if field is None or field.read_only or name in skip:
                continue
            try:
                values[name] = field.run_validation(field.get_value(data))
            except (serializers.ValidationError, ValidationError, SkipField):
                continue
        return values

    def _model_errors(self, attrs) -> dict:
        if self.clean_model is None:
            return {}
        values = {name: attrs[name] for name in self.clean_fields if name in attrs}
        try:
            self.clean_model(**values).clean()
        except ValidationError as exc:
            # A rule about a field the request left out is checked by the service, against the record.
            return {name: messages for name, messages in exc.message_dict.items() if name in values}
        return {}


def unmoved(data: dict, name: str, current_id: int, message: str) -> None:
    """Drop `name` from an update when it names the record's current parent; refuse a move."""
    if name in data and data.pop(name).pk != current_id:
        raise ValidationError({name: message})


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = _("The record changed since the version named in If-Match.")
    default_code = "precondition_failed"


def etag(version: int) -> str:
    return f'"{version}"'


class EditGuardMixin:
    """`get_object` that refuses (403) a write the user's role does not allow, before the
    request's input is looked at: a viewer gets a 403, never a 400 about fields.

    Records that carry a version answer with an `ETag` (the version, quoted), and a write
    sent with `If-Match` is refused with 412 unless it names the current version; the
    version it names is also handed to the service, which checks it again under lock."""

    edit_action: str = ""  # the access rule a write needs
    if_match_version: int | None = None  # the version a write's If-Match named

    def edit_target(self, record):
        """The record whose workspace decides whether the user may change `record`."""
        return record

    def version_of(self, record) -> int | None:
        """The version an ETag of `record`'s URL names; None for records without one."""
        return getattr(record, "version", None)

    def get_object(self):
        record = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        if self.request.method not in SAFE_METHODS:
            access.ensure_can(self.request.user, self.edit_action, self.edit_target(record))
            if self.action in ("update", "partial_update", "destroy"):  # If-Match names this URL's record
                self._check_if_match(self.version_of(record))
        return record

    def _check_if_match(self, version: int | None) -> None:
        header = self.request.headers.get("If-Match")
        if header is None or version is None or header.strip() == "*":
            return
        tags = [tag.strip().removeprefix("W/") for tag in header.split(",")]
        if etag(version) not in tags:
            raise PreconditionFailed(
                _("This record is at version %(version)s now, not the one named in If-Match (%(tags)s). "
                  "Read it again, then send your change with its new ETag.")
                % {"version": version, "tags": header.strip()})
        self.if_match_version = version

    def with_if_match(self, validated: dict) -> dict:
        """`validated` input, with the If-Match version as its `version` unless it names one."""
        if self.if_match_version is not None:
            validated.setdefault("version", self.if_match_version)
        return validated

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        data = getattr(response, "data", None)
        if (response.status_code == status.HTTP_200_OK and "pk" in self.kwargs and isinstance(data, Mapping)
                and isinstance(data.get("version"), int)):
            response["ETag"] = etag(data["version"])
        return response

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
        return self.with_if_match(validated) if "version" in data.fields else validated

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


class StrategyRecordViewSet(RecordViewSet):
    """A record viewset of the strategy app: edits need `strategy.edit` on the record's product."""

    edit_action = "strategy.edit"

    def _products(self) -> QuerySet:
        return selectors.product_list(user=self.request.user, include_archived=True)
