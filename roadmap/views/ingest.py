"""`POST /api/v1/events`: usage events from a product, authenticated by one of its ingest keys
(`Authorization: Bearer wmk_…`). A lean DRF view: DRF authenticates and documents it, but the
body is parsed and checked by `roadmap.services.usage` in plain Python, one pass over the batch.

Answers: 200 with what was accepted and what were duplicates; 400 when the body is not a batch
(`detail`), or when some events were refused (`rejected`, by index, with the reasons by field;
the other events of the batch ARE stored and counted in `accepted`); 401 for a missing,
unknown or revoked key; 413 for more than 1,000 events or a body over USAGE_INGEST_MAX_BYTES.
Browsers may call it from any origin (the key, not a cookie, authenticates), so the answers
allow any origin and a preflight OPTIONS is answered without a key."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import authentication, exceptions, permissions
from rest_framework.response import Response
from rest_framework.views import APIView

from ..models import IngestKey
from ..services import ingest_keys, usage

CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "POST, OPTIONS",
    "Access-Control-Allow-Headers": "Authorization, Content-Type",
    "Access-Control-Max-Age": "86400",
}


class IngestKeyAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer <ingest key>`: the request acts for the key's product, as nobody."""

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1").split()
        if not header or header[0].lower() != "bearer":
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Send the header as: Authorization: Bearer <ingest key>."))
        key = ingest_keys.ingest_key_authenticate(header[1])
        if key is None:
            raise exceptions.AuthenticationFailed(_("This ingest key is not valid or has been revoked."))
        return AnonymousUser(), key

    def authenticate_header(self, request):
        return 'Bearer realm="events"'


class IngestKeyScheme(OpenApiAuthenticationExtension):
    target_class = IngestKeyAuthentication
    name = "ingestKey"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer",
                "description": "An ingest key of the product, made by a workspace admin on the product's "
                               "Usage › Ingest keys page (it starts with wmk_)."}


class HasIngestKey(permissions.BasePermission):
    def has_permission(self, request, view):
        return request.method == "OPTIONS" or isinstance(request.auth, IngestKey)


EVENT_SCHEMA = {
    "type": "object",
    "required": ["name", "session_id", "timestamp"],
    "properties": {
        "id": {"type": "string", "maxLength": usage.EVENT_ID_MAX,
               "description": "Your id of the event (a UUID, say). An event sent again with the same id and "
                              "timestamp is ignored; without an id the server makes one, so a retry is stored twice."},
        "name": {"type": "string", "minLength": 1, "maxLength": usage.NAME_MAX, "example": "report_exported"},
        "user_id": {"type": "string", "maxLength": usage.ID_MAX,
                    "description": "Your id of the signed-in user. Send it or anonymous_id."},
        "anonymous_id": {"type": "string", "maxLength": usage.ID_MAX,
                         "description": "A stable id of a visitor who is not signed in."},
        "session_id": {"type": "string", "minLength": 1, "maxLength": usage.ID_MAX},
        "timestamp": {"type": "string", "format": "date-time",
                      "description": "When it happened, ISO 8601 with an offset; at most 24 h ahead and no older "
                                     "than the retention (400 days by default)."},
        "feature_key": {"type": "string", "maxLength": usage.FEATURE_KEY_MAX, "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$",
                        "description": "The feature this event is a use of, e.g. csv-export."},
        "properties": {"type": "object", "additionalProperties": True,
                       "description": "Anything else, at most 8 KB as JSON."},
    },
}
BATCH_SCHEMA = {
    "type": "object",
    "required": ["events"],
    "properties": {"events": {"type": "array", "maxItems": 1000, "items": EVENT_SCHEMA}},
}
REJECTED_SCHEMA = {
    "type": "array",
    "items": {"type": "object", "required": ["index", "errors"], "properties": {
        "index": {"type": "integer", "description": "Position of the event in the batch, from 0."},
        "errors": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}},
                   "description": "Messages by field of the event."}}},
}
RESULT_SCHEMA = {
    "type": "object",
    "required": ["accepted", "duplicates", "rejected"],
    "properties": {
        "accepted": {"type": "integer", "description": "Events stored by this request."},
        "duplicates": {"type": "integer", "description": "Valid events already stored (same id and timestamp)."},
        "rejected": REJECTED_SCHEMA,
    },
}
REFUSED_SCHEMA = {
    "type": "object",
    "description": "Either the whole body was refused (`detail`), or some events were (`rejected`, "
                   "by index): the other events of the batch are stored and counted in `accepted`.",
    "properties": {
        "detail": {"type": "string"},
        "accepted": {"type": "integer"},
        "duplicates": {"type": "integer"},
        "rejected": REJECTED_SCHEMA,
    },
}


class EventsIngest(APIView):
    authentication_classes = [IngestKeyAuthentication]
    permission_classes = [HasIngestKey]
    http_method_names = ["post", "options"]

    @extend_schema(
        operation_id="events_ingest",
        summary="Send usage events",
        description="A batch of up to 1,000 usage events of the product the ingest key belongs to. Each event "
                    "is checked on its own: the good ones are stored, the bad ones are reported by index. "
                    "Events are counted into the product's usage metrics within a minute or so.",
        tags=["usage"],
        auth=[{"ingestKey": []}],
        request={"application/json": BATCH_SCHEMA},
        responses={
            200: OpenApiResponse(RESULT_SCHEMA, description="Every event was stored or was a duplicate."),
            400: OpenApiResponse(REFUSED_SCHEMA, description="Not a batch, or some events were refused."),
        },
        examples=[OpenApiExample("Two events", request_only=True, value={"events": [
            {"id": "5f0c6a1e-8d2b-4c41-9a43-2f1b7f0e7d10", "name": "page_viewed", "anonymous_id": "a-91f2",
             "session_id": "s-77", "timestamp": "2026-12-07T14:03:00Z", "properties": {"path": "/reports"}},
            {"id": "0b6f2e39-1b7e-4a8d-8f0e-5c2d9e4b6a21", "name": "report_exported", "user_id": "u-1042",
             "session_id": "s-77", "timestamp": "2026-12-07T14:03:12Z", "feature_key": "csv-export"},
        ]})],
    )
    def post(self, request, *args, **kwargs):
        length = request.META.get("CONTENT_LENGTH") or "0"
        if length.isdigit() and int(length) > settings.USAGE_INGEST_MAX_BYTES:
            return self._answer({"detail": _("The body is larger than %(size)s bytes: send fewer events per "
                                             "request.") % {"size": settings.USAGE_INGEST_MAX_BYTES}}, 413)
        body = request.body
        if len(body) > settings.USAGE_INGEST_MAX_BYTES:
            return self._answer({"detail": _("The body is larger than %(size)s bytes: send fewer events per "
                                             "request.") % {"size": settings.USAGE_INGEST_MAX_BYTES}}, 413)
        try:
            events = usage.parse_batch(body)
        except usage.BatchError as refused:
            return self._answer({"detail": refused.message}, refused.status)
        result = usage.usage_events_ingest(product_id=request.auth.product_id, events=events)
        return self._answer(result.as_dict(), 400 if result.rejected else 200)

    def options(self, request, *args, **kwargs):
        return self._answer(None, 204)

    def _answer(self, data, status: int) -> Response:
        return Response(data, status=status)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        for name, value in CORS_HEADERS.items():
            response[name] = value
        return response

    def permission_denied(self, request, message=None, code=None):
        # No key at all: a 401 that names the header to send.
        if request.authenticators and not request.successful_authenticator:
            raise exceptions.NotAuthenticated(_("Send an ingest key: Authorization: Bearer <ingest key>."))
        super().permission_denied(request, message=message, code=code)
