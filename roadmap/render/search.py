"""The search results' rows, built in Python from the hits (DESIGN.md, performance habits):
titles and snippets arrive as safe HTML (escaped, matches in <mark>); everything else is
escaped here."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.safestring import SafeString

from strategy.html import e, safe_join

from ..selectors import Hit


def search_hits(hits: Iterable[Hit], *, snippet: bool) -> SafeString:
    """The hits as links, each with its title, context and (with `snippet`) a passage."""
    parts = []
    for hit in hits:
        context = e(hit.context) + (f" · {e(hit.badge)}" if hit.badge else "")
        parts.append(f'<a class="search-hit" href="{e(hit.url)}"><span class="search-hit__title">{hit.title_html}'
                     f'</span><span class="search-hit__context">{context}</span>')
        if snippet and hit.snippet_html:
            parts.append(f'<span class="search-hit__snippet">{hit.snippet_html}</span>')
        parts.append("</a>")
    return safe_join(parts)
