"""The roadmap views' cache: a composed and drawn view (a timeline's SVG and table, a share
link's body, Now / Next / Later's columns) kept in the cache (Redis) while nothing it reads
has changed.

A product's timeline draws its whole plan (3,200 features: tens of thousands of SVG elements),
which costs far more than reading it; an unchanged plan is read far more often than it
changes. The key of an entry is made of
- what the caller says the output depends on besides the data (the view's options, who reads
  it, today's date, the "what changed since" moment, the language);
- `roadmap.selectors.view_fingerprint` of the products drawn: their plan generations (renewed
  on `features_changed` and by the release and workflow services) and one query over the
  counts and times of change of every table the drawings read, which also catches writes
  that bypass the services;
- a digest of the code and templates that compose and draw the views, so a deploy never
  serves a drawing made by older code.
A cache that does not answer (Redis down) only costs the composition."""

from __future__ import annotations

import contextlib
import functools
import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.utils import translation

from .. import selectors

T = TypeVar("T")

# An entry is a drawn plan (up to a few MB); a changed plan makes new keys and the old ones
# expire. An hour keeps a busy roadmap warm without holding stale drawings for long.
VIEW_CACHE_SECONDS = 3600
# What composes and draws the views (and the conflict messages and models they read).
_CODE = ("roadmap", "releases", "strategy/html.py", "templates")


@functools.cache
def code_version() -> str:
    """A digest of the Python modules and templates the views are drawn with."""
    digest = hashlib.sha256()
    root = Path(settings.BASE_DIR)
    for name in _CODE:
        path = root / name
        files = sorted(p for p in path.rglob("*") if p.suffix in (".py", ".html")) if path.is_dir() else [path]
        for file in files:
            if "migrations" in file.parts or "tests" in file.parts:
                continue
            digest.update(str(file.relative_to(root)).encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


def cached_view(kind: str, product_ids: list[int], parts: tuple, build: Callable[[], T]) -> T:
    """`build()`'s result, from the cache while the products' plans and `parts` (anything
    else the result depends on, as plain values) are unchanged; one query and one cache
    read when it is there."""
    fingerprint = selectors.view_fingerprint(product_ids)
    if fingerprint is None:
        return build()
    key_text = repr((kind, code_version(), translation.get_language(), settings.TIME_ZONE, fingerprint, parts))
    key = f"roadmap-view:{kind}:{hashlib.sha256(key_text.encode()).hexdigest()[:40]}"
    try:
        found = cache.get(key)
    except Exception:  # noqa: BLE001 - the cache is a help, never a requirement
        found = None
    if found is not None:
        return found
    value = build()
    with contextlib.suppress(Exception):
        cache.set(key, value, VIEW_CACHE_SECONDS)
    return value
