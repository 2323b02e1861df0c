"""Records that came from another tool: their `external_id` and `external_url` in the API, the
upsert by external id (`PUT …/<kind>/by-external-id/<id>/`) and bulk writes
(`POST …/<kind>/bulk-upsert/`), for every kind whose viewset takes `ExternalIdMixin`.

Both need a workspace (the address's, /api/v1/w/<slug>/…, or the token's): an external id is
unique per kind within one workspace. Both write through the viewset's own create and update
services, so every rule, history row and signal is the one a single create or update makes;
an item that would change nothing is not written at all (no new version, no history row), so
running an import twice changes nothing the second time.

A viewset can replace the per-item path of bulk writes with a faster one that writes in batches
(`bulk_write`; the features' endpoint does, in `releases.services.features_import`): it keeps
the request and answer formats of `BulkInputSerializer` and `BulkOutcome`."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _
from drf_spectacular.openapi import AutoSchema
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from .. import access
from ..limits import BULK_IMPORT_MAX_COUNT
from ..models import EXTERNAL_ID_MAX_LENGTH, EXTERNAL_URL_MAX_LENGTH, WORKSPACE_LIMIT_ATTR
from .fields import UrlOrEmptyField

EXTERNAL_ID_PATH = r"by-external-id/(?P<external_id>[^/]+)"


class ExternalIdentityInput(serializers.Serializer):
    external_id = serializers.CharField(
        max_length=EXTERNAL_ID_MAX_LENGTH, allow_blank=True, required=False,
        help_text="Its id in the tool it came from (a Jira key, an Aha! reference number): unique among records of "
                  "this kind in the workspace; empty for none.")
    external_url = UrlOrEmptyField(max_length=EXTERNAL_URL_MAX_LENGTH, required=False,
                                   help_text="Its address in the tool it came from.")


class ExternalIdentityOutput(serializers.Serializer):
    """The two fields as output serializers show them (an empty address is not a URI)."""

    external_id = serializers.CharField(read_only=True, help_text="Its id in the tool it came from; empty for none.")
    external_url = UrlOrEmptyField(read_only=True, help_text="Its address in the tool it came from; empty for none.")


class BulkInputSerializer(serializers.Serializer):
    items = serializers.ListField(
        child=serializers.DictField(), allow_empty=False, max_length=BULK_IMPORT_MAX_COUNT,
        help_text=f"Up to {BULK_IMPORT_MAX_COUNT} records, each as the kind's create takes it. One with an "
                  "`external_id` updates the record that has it (or creates it); one without is created.")
    atomic = serializers.BooleanField(
        default=False, help_text="true: write nothing unless every item is valid. false (default): write the valid "
                                 "ones, in one transaction, and report the others.")


class BulkItemResultSerializer(serializers.Serializer):
    list = serializers.CharField(help_text="The list of the request the item was in: items (or releases).")
    index = serializers.IntegerField(help_text="Its position in that list, from 0.")
    result = serializers.ChoiceField(choices=["created", "updated", "unchanged"])
    id = serializers.IntegerField()
    external_id = serializers.CharField()


class BulkItemErrorSerializer(serializers.Serializer):
    list = serializers.CharField()
    index = serializers.IntegerField()
    external_id = serializers.CharField()
    errors = serializers.DictField(help_text="What was wrong with the item, by field, as a single request's 400.")


class BulkResultSerializer(serializers.Serializer):
    atomic = serializers.BooleanField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    refused = serializers.IntegerField()
    results = BulkItemResultSerializer(many=True, help_text="Every item written or found unchanged.")
    errors = BulkItemErrorSerializer(many=True, help_text="Every item refused, with why.")


@dataclass
class BulkOutcome:
    """What a bulk write did to each item; `response()` is the answer: 200, or 400 when errors
    kept everything from being written (atomic, or every item refused)."""

    atomic: bool
    results: list[dict] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)

    def done(self, index: int, record, result: str, list_name: str = "items") -> None:
        self.results.append({"list": list_name, "index": index, "result": result, "id": record.pk,
                             "external_id": getattr(record, "external_id", "")})

    def refuse(self, index: int, errors, external_id: str = "", list_name: str = "items") -> None:
        if isinstance(errors, ValidationError):
            errors = errors.message_dict if hasattr(errors, "error_dict") else {"non_field_errors": errors.messages}
        self.errors.append({"list": list_name, "index": index, "external_id": external_id or "", "errors": errors})

    def response(self) -> Response:
        if self.atomic and self.errors:
            self.results = []
        counts = {name: sum(1 for row in self.results if row["result"] == name)
                  for name in ("created", "updated", "unchanged")}
        body = {"atomic": self.atomic, **counts, "refused": len(self.errors), "results": self.results,
                "errors": self.errors}
        code = status.HTTP_400_BAD_REQUEST if self.errors and not self.results else status.HTTP_200_OK
        return Response(BulkResultSerializer(body).data, status=code)


def normalised(value):
    if isinstance(value, str):
        return value.replace("\r\n", "\n").strip()
    return value


def differs(record: models.Model, name: str, value) -> bool:
    """Whether setting `name` to `value` would change `record`, as the services store values
    (text trimmed, tags lower case and sorted)."""
    model_field = record._meta.get_field(name)
    if model_field.many_to_many:
        return {item.pk for item in value} != set(getattr(record, name).values_list("pk", flat=True))
    if model_field.is_relation:
        return getattr(record, model_field.attname) != (value.pk if value is not None else None)
    if isinstance(value, list):
        value = sorted({normalised(item).lower() for item in value if normalised(item)})
    return getattr(record, name) != normalised(value)


class ExternalIdSchema(AutoSchema):
    """The upsert and bulk actions take the kind's input serializer and answer its output one."""

    def get_request_serializer(self):
        if getattr(self.view, "action", None) == "by_external_id":
            return self.view.input_serializer_class
        if getattr(self.view, "action", None) == "bulk_upsert":
            return self.view.bulk_input_serializer_class
        return super().get_request_serializer()

    def get_response_serializers(self):
        if getattr(self.view, "action", None) == "by_external_id":
            serializer = self.view.get_serializer_class()
            return {200: serializer, 201: serializer}
        if getattr(self.view, "action", None) == "bulk_upsert":
            return {200: BulkResultSerializer}  # its 400: strategy.api.scoping.document_workspace_parameter
        return super().get_response_serializers()


class ExternalIdMixin:
    """`by-external-id` and `bulk-upsert` for a record viewset. The viewset names:
    - `input_serializer_class`, whose fields are the services' keyword arguments;
    - `create_service` and `update_service` (wrapped in `staticmethod`) and `record_kwarg`, the
      update service's keyword for the record (`feature`);
    - `fixed_fields`: inputs that cannot change once the record exists (its product, its
      workspace): the same value is dropped, another one refused."""

    schema = ExternalIdSchema()
    input_serializer_class: type
    bulk_input_serializer_class: type = BulkInputSerializer
    create_service = None
    update_service = None
    record_kwarg: str = ""
    fixed_fields: tuple[str, ...] = ("product",)
    edit_action: str

    def _scoped_workspace_id(self) -> int:
        workspace_id = getattr(self.request.user, WORKSPACE_LIMIT_ATTR, None)
        if workspace_id is None:
            raise exceptions.ValidationError({"workspace": [_(
                "External ids are unique per workspace: use the workspace's address, /api/v1/w/<workspace slug>/…")]})
        if not access.workspace_ids_where(self.request.user, self.edit_action):
            raise PermissionDenied(_("Your role in this workspace does not allow this."))
        return workspace_id

    def _model(self) -> type[models.Model]:
        return self.get_queryset().model

    def _validated(self, data) -> dict:
        serializer = self.input_serializer_class(data=data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        validated = dict(serializer.validated_data)
        validated.pop("version", None)
        return validated

    def upsert(self, record: models.Model | None, data: dict) -> tuple[models.Model, str]:
        """Create (record None) or update `record` with validated `data`; (record, result), where
        result is created, updated or unchanged (nothing written)."""
        if record is None:
            return type(self).create_service(actor=self.request.user, **data), "created"
        access.ensure_can(self.request.user, self.edit_action, record)
        for name in self.fixed_fields:
            if name not in data:
                continue
            value = data.pop(name)
            if differs(record, name, value):
                raise ValidationError({name: _("This cannot change once the record exists.")})
        changes = {name: value for name, value in data.items() if differs(record, name, value)}
        if not changes:
            return record, "unchanged"
        updated = type(self).update_service(actor=self.request.user, **{self.record_kwarg: record}, **changes)
        return updated, "updated"

    def _show_record(self, record, code: int) -> Response:
        record = self.get_queryset().get(pk=record.pk)
        serialize = getattr(self, "_serialize", None)
        data = serialize(record) if serialize is not None else self.get_serializer(record).data
        return Response(data, status=code)

    @action(detail=False, methods=["put"], url_path=EXTERNAL_ID_PATH, url_name="by-external-id",
            filter_backends=[], pagination_class=None)
    def by_external_id(self, request, external_id: str = ""):
        """Create or update the record with this external id: running the same import again
        changes nothing (200 with the record as it is, no new version)."""
        workspace_id = self._scoped_workspace_id()
        external_id = external_id.strip()
        data = request.data if isinstance(request.data, dict) else {}
        validated = self._validated({**data, "external_id": external_id})
        with transaction.atomic():
            record = self._model()._default_manager.select_for_update().filter(
                workspace_id=workspace_id, external_id=external_id).first()
            record, result = self.upsert(record, validated)
        return self._show_record(record, status.HTTP_201_CREATED if result == "created" else status.HTTP_200_OK)

    @action(detail=False, methods=["post"], url_path="bulk-upsert", url_name="bulk-upsert",
            filter_backends=[], pagination_class=None)
    def bulk_upsert(self, request):
        """Create or update up to 1,000 records at once: every item is validated, errors are
        reported by index and field, and the valid items are written in one transaction (or
        none of them with `atomic`)."""
        workspace_id = self._scoped_workspace_id()
        body = self.bulk_input_serializer_class(data=request.data)
        body.is_valid(raise_exception=True)
        outcome = BulkOutcome(atomic=body.validated_data["atomic"])
        with transaction.atomic():
            self.bulk_write(workspace_id, body.validated_data, outcome)
            if outcome.atomic and outcome.errors:
                transaction.set_rollback(True)
        return outcome.response()

    def bulk_write(self, workspace_id: int, body: dict, outcome: BulkOutcome) -> None:
        """Write the request's `items` (validated as `bulk_input_serializer_class` says)."""
        self.write_items(self, workspace_id, body["items"], outcome)

    def bulk_validator(self, serializer_class: type | None = None) -> serializers.Serializer:
        """One input serializer for every item of a bulk write: its id fields read their choices once."""
        context = {**self.get_serializer_context(), "bulk": True}
        return (serializer_class or self.input_serializer_class)(context=context)

    @staticmethod
    def external_ids(items: list[dict], outcome: BulkOutcome, list_name: str = "items") -> list[str | None]:
        """Each item's external id ("" for none), or None for an item refused as naming the
        external id of an earlier item."""
        ids, seen = [], set()
        for index, item in enumerate(items):
            external_id = str(item.get("external_id") or "").strip()
            if external_id and external_id in seen:
                outcome.refuse(index, {"external_id": [_("This external id appears twice in the request.")]},
                               external_id, list_name)
                ids.append(None)
                continue
            seen.add(external_id)
            ids.append(external_id)
        return ids

    def write_items(self, kind: ExternalIdMixin, workspace_id: int, items: list[dict], outcome: BulkOutcome,
                    list_name: str = "items") -> None:
        """Write `items` of `kind` (a viewset of ExternalIdMixin, this one or another sharing the
        request) one by one through its services, each in a savepoint."""
        ids = self.external_ids(items, outcome, list_name)
        existing = {record.external_id: record for record in kind._model()._default_manager.select_for_update()
                    .filter(workspace_id=workspace_id, external_id__in=[i for i in ids if i])}
        validator = kind.bulk_validator()
        for index, item in enumerate(items):
            external_id = ids[index]
            if external_id is None:
                continue
            try:
                data = dict(validator.run_validation(item))
            except exceptions.ValidationError as exc:
                outcome.refuse(index, exc.detail, external_id, list_name)
                continue
            data.pop("version", None)
            if outcome.atomic and outcome.errors:
                continue  # nothing will be written: validate the rest only
            try:
                with transaction.atomic():
                    record, result = kind.upsert(existing.get(external_id) if external_id else None, data)
            except (ValidationError, PermissionDenied) as exc:
                outcome.refuse(index, exc if isinstance(exc, ValidationError)
                               else {"non_field_errors": [str(exc)]}, external_id, list_name)
                continue
            if external_id:
                existing[external_id] = record
            outcome.done(index, record, result, list_name)
