"""Refusing input that Waymark cannot store or parse safely, once, before any view reads it:
- a NUL character anywhere (path, query string, form fields, JSON strings): PostgreSQL
  cannot store one in text, so it would surface as a server error deep in a query;
- bytes that are not UTF-8 in a form or query string: Django would store them as "�";
- a body over DATA_UPLOAD_MAX_MEMORY_SIZE (413), and JSON nested deeper than
  JSON_MAX_DEPTH (Python's parser recurses per level and fails with a RecursionError).
The API gets a JSON body `{"detail": …}`, pages a short page saying what was wrong."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

# A JSON string's \u0000 escape: the backslash before "u" must not itself be escaped.
JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")
JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
JSON_BRACKET = re.compile(rb"[\[\]{}]")


class Refused(Exception):
    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message, self.status = message, status


def _decoded(raw: bytes, what: str) -> str:
    if b"\x00" in raw:
        raise Refused(_("The %(what)s contains a NUL character, which Waymark cannot store.") % {"what": what})
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused(_("The %(what)s is not valid UTF-8 text. Send text encoded as UTF-8.")
                      % {"what": what}) from None


def _check_urlencoded(raw: bytes, what: str) -> None:
    for pair in raw.split(b"&"):
        for part in pair.split(b"=", 1):
            _decoded(unquote_to_bytes(part.replace(b"+", b" ")), what)


def json_depth(raw: bytes) -> int:
    """How deeply arrays and objects nest in the JSON text `raw` (brackets inside strings
    do not count), without parsing it."""
    depth = deepest = 0
    for bracket in JSON_BRACKET.findall(JSON_STRING.sub(b"", raw)):
        if bracket in b"[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def _check_json(raw: bytes, *, exempt_from_depth: bool = False) -> None:
    _decoded(raw, _("JSON body"))
    # The plain search first: the escape-aware pattern is slow on large bodies without any.
    if b"\\u0000" in raw and JSON_NUL.search(raw):
        raise Refused(_("The JSON body contains a NUL character (\\u0000), which Waymark cannot store."))
    if not exempt_from_depth and json_depth(raw) > settings.JSON_MAX_DEPTH:
        raise Refused(_("The JSON body nests arrays and objects more than %(depth)s levels deep.")
                      % {"depth": settings.JSON_MAX_DEPTH})


def _check(request: HttpRequest) -> None:
    if "\x00" in request.path:
        raise Refused(_("No page has a NUL character in its address."), status=404)
    _check_urlencoded(request.META.get("QUERY_STRING", "").encode("latin-1"), _("address"))
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    content_type = request.content_type or ""
    if content_type.startswith("multipart/"):
        # Only the fields; uploaded files are bytes of their own.
        try:
            fields = request.POST.lists()
        except MultiPartParserError as exc:
            # Refused here, so the API answers JSON rather than Django's HTML 400 page.
            raise Refused(_("The form could not be read: %(reason)s") % {"reason": exc}) from exc
        if any("\x00" in value for values in fields for value in values[1]):
            raise Refused(_("The form contains a NUL character, which Waymark cannot store."))
        return
    length = request.META.get("CONTENT_LENGTH") or "0"
    if length.isdigit() and int(length) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
        raise Refused(_("The request body is larger than %(size)s bytes.")
                      % {"size": settings.DATA_UPLOAD_MAX_MEMORY_SIZE}, status=413)
    if content_type == "application/x-www-form-urlencoded":
        _check_urlencoded(request.body, _("form"))
    elif content_type == "application/json" or content_type.endswith("+json"):
        # Endpoints that parse large bodies and bound the nesting of what they keep themselves
        # (JSON_DEPTH_CHECKED_BY_VIEW) skip the depth scan, which costs ~10 ms per 200 KB.
        _check_json(request.body, exempt_from_depth=request.path in settings.JSON_DEPTH_CHECKED_BY_VIEW)


class InputGuardMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            _check(request)
        except Refused as refused:
            return _refusal(request, refused)
        return self.get_response(request)


def _refusal(request: HttpRequest, refused: Refused) -> HttpResponse:
    if request.path.startswith("/api/") or "json" in (request.content_type or ""):
        return JsonResponse({"detail": refused.message}, status=refused.status)
    template = "404.html" if refused.status == 404 else "400.html"
    return HttpResponse(render_to_string(template, {"message": refused.message}, request=request),
                        status=refused.status)
