"""One-click unsubscribing from emails (RFC 8058), shared by every app that sends them: the
headers a message carries and the page its link opens. The signed token in the link says
who unsubscribes from what, so no sign-in is needed; its app reads and applies it."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods


def one_click_headers(url: str) -> dict[str, str]:
    """The headers that let a mail client offer its own unsubscribe button, which POSTs to `url`."""
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def unsubscribe_view(*, read: Callable[[str], dict], apply: Callable[[str], object], template: str):
    """A view for `<token>` links: GET shows `template` asking to confirm, with what `read(token)`
    returns (a dict; it raises ValidationError for a forged or broken token, which answers 404
    with `invalid`); POST calls `apply(token)` and shows `done`. The POST needs no CSRF token:
    mail clients' one-click unsubscribe sends none; the signed token in the URL is the proof, and
    the only effect is fewer emails."""

    @csrf_exempt
    @require_http_methods(["GET", "POST"])
    def view(request: HttpRequest, token: str) -> HttpResponse:
        try:
            context = read(token)
        except ValidationError:
            return render(request, template, {"invalid": True}, status=404)
        done = False
        if request.method == "POST":
            apply(token)
            done = True
        return render(request, template, {**context, "done": done})

    return view
