"""API plumbing shared by every app: pagination and the exception handler that turns
a service's Django ValidationError into a 400 with field-keyed messages."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from rest_framework import pagination
from rest_framework.exceptions import ValidationError
from rest_framework.views import exception_handler as drf_exception_handler


class Pagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            exc = ValidationError(exc.message_dict)
        else:
            exc = ValidationError({"non_field_errors": exc.messages})
    return drf_exception_handler(exc, context)


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The site's 404: under /api/ the API's JSON error (an id that is not a number matches
    no URL, yet a client expects the same answer as for an id that does not exist)."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)


# --- error responses in the OpenAPI schema ---------------------------------------

ERROR_COMPONENTS = {
    "Error": {
        "type": "object",
        "description": "A refusal explained in one sentence.",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
    },
    "ValidationError": {
        "type": "object",
        "description": "What was wrong with the request, by field: each key names an input field (or "
                       "`non_field_errors` for the request as a whole) with its messages; a list of items "
                       "(such as comparison ratings) gives one such object per item. A body that is not "
                       "valid JSON gets `detail` instead.",
        "properties": {
            "detail": {"type": "string"},
            "non_field_errors": {"type": "array", "items": {"type": "string"}},
        },
        "additionalProperties": {"anyOf": [{"type": "array"}, {"type": "object"}, {"type": "string"}]},
    },
    "StaleRecord": {
        "type": "object",
        "description": "The record changed since the version you sent.",
        "properties": {
            "detail": {"type": "string", "description": "Who changed what since the version you sent."},
            "current": {"type": "object", "description": "The record as it is now: merge your changes and "
                                                          "send them again."},
        },
        "required": ["detail"],
    },
}

_ERROR_RESPONSES = {
    "400": ("ValidationError", "The request is invalid; nothing was changed."),
    "401": ("Error", "No valid personal token was sent."),
    "403": ("Error", "Your role does not allow this."),
    "404": ("Error", "Not found, or not in a workspace you belong to (or past the last page)."),
}
_WRITE_METHODS = {"post", "put", "patch"}


def _response(component: str, description: str) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{component}"}}}}


def document_error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook: declare the errors every operation can answer with,
    in the shapes the exception handler gives them (a 400 by field, a 409 with the record as
    it is now), so that a client (and schemathesis) knows every answer in advance."""
    result.setdefault("components", {}).setdefault("schemas", {}).update(ERROR_COMPONENTS)
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            for code, (component, description) in _ERROR_RESPONSES.items():
                responses.setdefault(code, _response(component, description))
            if method in _WRITE_METHODS:
                responses.setdefault("415", _response("Error", "The body is not JSON, form data or multipart."))
                responses.setdefault("413", _response("Error", "The body is larger than the server accepts."))
            if method in ("put", "patch", "delete"):
                responses.setdefault("412", _response("Error", "If-Match names a version the record no longer has."))
            if method in ("put", "patch"):
                stale = responses.get("409")
                if stale is None or "content" not in stale:
                    responses["409"] = _response("StaleRecord", "Someone saved the record since the version you sent.")
    return result
