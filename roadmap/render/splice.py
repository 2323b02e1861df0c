"""Big drawn fragments (a timeline's SVG and table) put into a rendered page once.

A Django template copies a variable's text at every level it is nested in (a partial, a
block, the base template), and the whole page is encoded to bytes at the end: for a
timeline of 2 MB that cost tens of milliseconds a request, more than drawing it came to once
it was cached. So the page is rendered with a short marker where each fragment goes, and
the fragments, kept as UTF-8 bytes (as the view cache holds them), replace the markers in the
encoded page, once each."""

from __future__ import annotations

import secrets

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe


def render_spliced(request: HttpRequest, template: str, context: dict, fragments: dict[str, bytes]) -> HttpResponse:
    """`render(request, template, context)` with each of `fragments` (already escaped HTML,
    as bytes) where the template shows the context variable of its name."""
    token = secrets.token_hex(8)
    markers = {name: f"<!--splice {token} {name}-->" for name in fragments}
    response = render(request, template, {**context, **{name: mark_safe(marker)  # noqa: S308 - a fixed marker
                                                        for name, marker in markers.items()}})
    content = response.content
    for name, marker in markers.items():
        content = content.replace(marker.encode(), fragments[name], 1)
    response.content = content
    return response
