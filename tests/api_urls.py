"""Addresses of the workspace-scoped API for tests: `api_url` takes what `reverse` takes and
answers the /api/v1/w/<slug>/… form (the documented one; strategy.api.scoping)."""

from django.urls import reverse

DEFAULT_WORKSPACE = "acme"  # the `workspace` fixture's slug


def api_url(name: str, args=None, *, ws: str = DEFAULT_WORKSPACE, query: str = "") -> str:
    """The scoped address of the API route `name` ("releases-api:feature-list") in workspace `ws`."""
    url = reverse(name, args=args).replace("/api/v1/", f"/api/v1/w/{ws}/", 1)
    return f"{url}?{query}" if query else url
