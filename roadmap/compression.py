"""Which HTML responses are gzip-compressed, and why the others are not (BREACH).

A compression side channel (BREACH) lets someone who can watch the size of a victim's
responses, and make the victim's browser send requests whose text the page echoes, guess a
secret in the same page one character at a time: the guess compresses better when it
matches. So a response is compressed only when nothing the requester chose is echoed next to
something worth guessing:

- **Member pages** (signed in, GET, `text/html`) are compressed when their address carries
  no query string. Their path names only records that exist (or the page is a 404, which is
  small and echoes nothing), and their CSRF token is masked afresh in every response by Django,
  so it cannot be guessed by compression either. With a query string the page echoes what it
  says (filters, search terms, dates, "what changed since"), so it goes uncompressed.
- **Share links**: the shared roadmap of a link without a password is compressed whatever its
  address says: its token is in the address itself, so whoever can make a browser ask for it
  already holds everything the page shows. A password-protected link is not (what it shows is
  the secret, and `?since=` is echoed in it), nor is its password form (a CSRF token next to
  the form's answer).
- **Everything else** is sent as it is: the sign-in and account pages, the public ideas
  portal (forms, a portal visitor's own details, echoed searches), POST answers, the API and
  the exports.

Views mark a response with `allow_compression(response)`; the middleware compresses only
marked responses and member pages as above. Static files are compressed ahead of time by
whitenoise (`CompressedManifestStaticFilesStorage`), served with far-future caching under
their hashed names. docs/operators.md says the same for operators."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.middleware.gzip import GZipMiddleware

_MARK = "_waymark_compressible"


def allow_compression(response: HttpResponse) -> HttpResponse:
    """Mark `response` as safe to compress (see the module's rules); returns it."""
    setattr(response, _MARK, True)
    return response


def compressible(request: HttpRequest, response: HttpResponse) -> bool:
    """Whether the rules above allow compressing this response."""
    if getattr(response, _MARK, False):
        return True
    if request.method != "GET" or request.META.get("QUERY_STRING"):
        return False
    if not response.get("Content-Type", "").startswith("text/html"):
        return False
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


class SelectiveGZipMiddleware(GZipMiddleware):
    """Django's GZipMiddleware (which also pads each response with random bytes, Heal The
    Breach), applied only to the responses `compressible` allows."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if not compressible(request, response):
            return response
        return super().process_response(request, response)
