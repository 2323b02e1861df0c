"""Answers for machines rather than people: /healthz for monitors and load balancers, and
/favicon.ico for browsers on the pages we do not template."""

from django.http import HttpRequest, HttpResponsePermanentRedirect, JsonResponse
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from ..selectors import health_report


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database, Redis and a worker are all fine, 503 otherwise."""
    healthy, report = health_report()
    return JsonResponse(report, status=200 if healthy else 503)


@require_safe
def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    """Pages we do not template (admin, API docs) make browsers ask for /favicon.ico."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))
