"""Warm a web worker before its first request (`gunicorn.conf.py` calls `warm_up` in each worker
once it has started): without it, each worker's first request to each page compiled that page's
templates, populated the URL resolver, loaded the translations and opened its database and cache
connections, and a page's first visits after a start took up to twice their usual time. What is
loaded here is then frozen out of the garbage collector's walks with the rest of start-up."""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path

logger = logging.getLogger(__name__)

TEMPLATE_SUFFIXES = (".html", ".txt", ".svg")


def project_template_names(engine) -> list[str]:
    """The names of Waymark's own templates (not those of installed packages) an engine finds."""
    from django.conf import settings
    from django.template.utils import get_app_template_dirs

    root = Path(settings.BASE_DIR).resolve()
    names = set()
    for folder in map(Path, [*engine.template_dirs, *get_app_template_dirs("templates")]):
        folder = folder.resolve()
        if root not in folder.parents or ".venv" in folder.parts or not folder.is_dir():
            continue
        names.update(str(path.relative_to(folder)) for path in folder.rglob("*")
                     if path.suffix in TEMPLATE_SUFFIXES and path.is_file())
    return sorted(names)


def warm_up() -> int:
    """Compile Waymark's templates into the cached loader, load the URL patterns and the default
    language's translations, and open the database and cache connections. Never fails: a worker
    that cannot warm up serves as it did before. Returns how many templates were compiled."""
    from django.conf import settings
    from django.core.cache import cache
    from django.db import connection
    from django.template import engines
    from django.urls import get_resolver, reverse
    from django.utils import translation

    compiled = 0
    with translation.override(settings.LANGUAGE_CODE):
        get_resolver().url_patterns  # noqa: B018 - imports every URL module
        reverse("strategy:home")  # populates the resolver's reverse lookups for the language
        for engine in engines.all():
            for name in project_template_names(engine):
                try:
                    engine.get_template(name)
                    compiled += 1
                except Exception:  # noqa: BLE001 - a fragment that is not a template on its own
                    logger.debug("warm-up: %s was not compiled", name, exc_info=True)
    with contextlib.suppress(Exception):
        connection.ensure_connection()
    with contextlib.suppress(Exception):
        cache.get("warm-up")
    return compiled
