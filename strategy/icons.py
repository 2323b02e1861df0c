"""The site's line icons, drawn once per process: `icon()` (and the `{% icon %}` tag in
strategy/templatetags/waymark.py) writes an icon as inline SVG from a dict lookup, which costs
a fraction of the `{% if %}` chain a template include walks per icon (the sidebar draws ~40 per page)."""

from __future__ import annotations

from functools import lru_cache

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# The shapes inside each 24 x 24 icon, drawn with currentColor by .icon in waymark.css.
SHAPES: dict[str, str] = {
    "search": '<circle cx="11" cy="11" r="6.5"/><path d="M16 16l4.5 4.5"/>',
    "chevron-down": '<path d="M6 9l6 6 6-6"/>',
    "chevrons": '<path d="M8 9l4-4 4 4M8 15l4 4 4-4"/>',
    "plus": '<path d="M12 5v14M5 12h14"/>',
    "portfolio": (
        '<rect x="4" y="4" width="6.5" height="6.5" rx="1.5"/>'
        '<rect x="13.5" y="4" width="6.5" height="6.5" rx="1.5"/>'
        '<rect x="4" y="13.5" width="6.5" height="6.5" rx="1.5"/>'
        '<rect x="13.5" y="13.5" width="6.5" height="6.5" rx="1.5"/>'
    ),
    "product": '<path d="M12 3.5l7.5 4.25v8.5L12 20.5l-7.5-4.25v-8.5z"/><path d="M4.5 7.75L12 12l7.5-4.25M12 12v8.5"/>',
    "line": '<path d="M12 3.5l8 4-8 4-8-4z"/><path d="M4 12l8 4 8-4"/><path d="M4 16.5l8 4 8-4"/>',
    "overview": '<rect x="4" y="4" width="16" height="16" rx="2"/><path d="M4 9.5h16M9.5 9.5V20"/>',
    "members": (
        '<circle cx="9" cy="8.5" r="3.25"/>'
        '<path d="M3.5 19.5c.6-3.2 2.8-5 5.5-5s4.9 1.8 5.5 5"/>'
        '<circle cx="16.75" cy="9.5" r="2.5"/>'
        '<path d="M16 14.6c2.3 0 4 1.5 4.5 4.4"/>'
    ),
    "settings": '<path d="M4 7h9M17 7h3M4 17h3M11 17h9"/><circle cx="15" cy="7" r="2"/><circle cx="9" cy="17" r="2"/>',
    "user": '<circle cx="12" cy="8.5" r="3.5"/><path d="M5 20c.8-3.8 3.6-6 7-6s6.2 2.2 7 6"/>',
    "book": (
        '<path d="M5 5.5A1.5 1.5 0 0 1 6.5 4H19v14H6.5A1.5 1.5 0 0 0 5 19.5z"/>'
        '<path d="M5 19.5A1.5 1.5 0 0 0 6.5 21H19v-3"/>'
    ),
    "logout": '<path d="M14 4h4a2 2 0 0 1 2 2v12a2 2 0 0 1-2 2h-4"/><path d="M10 16l-4-4 4-4M6 12h10"/>',
    "menu": '<path d="M4 7h16M4 12h16M4 17h16"/>',
    "x": '<path d="M6 6l12 12M18 6L6 18"/>',
    "check": '<path d="M5 12.5l4.5 4.5L19 7.5"/>',
    "check-circle": '<circle cx="12" cy="12" r="8.5"/><path d="M8.5 12.2l2.4 2.4 4.6-4.8"/>',
    "alert": '<path d="M12 4l9 16H3z"/><path d="M12 10v4.5M12 17.25v.01"/>',
    "alert-circle": '<circle cx="12" cy="12" r="8.5"/><path d="M12 8v4.5M12 15.75v.01"/>',
    "info": '<circle cx="12" cy="12" r="8.5"/><path d="M12 11v5M12 8.25v.01"/>',
    "archive": (
        '<rect x="3.5" y="4.5" width="17" height="4" rx="1"/>'
        '<path d="M5 8.5V19a1 1 0 0 0 1 1h12a1 1 0 0 0 1-1V8.5M10 12.5h4"/>'
    ),
    "restore": '<path d="M4 12a8 8 0 1 0 2.4-5.7"/><path d="M4 4.5v4h4"/>',
    "edit": '<path d="M15 5l4 4L9 19H5v-4z"/><path d="M13 7l4 4"/>',
    "more": '<circle cx="6" cy="12" r="1.1"/><circle cx="12" cy="12" r="1.1"/><circle cx="18" cy="12" r="1.1"/>',
    "key": '<circle cx="8" cy="15" r="3.5"/><path d="M10.5 12.5L19 4M16 7l2.5 2.5M14 9l2 2"/>',
    "mail": '<rect x="3.5" y="5.5" width="17" height="13" rx="2"/><path d="M4 7l8 6 8-6"/>',
    "send": '<path d="M20 4L10 14M20 4l-6 16-4-6-6-4z"/>',
    "lock": '<rect x="5" y="10.5" width="14" height="10" rx="2"/><path d="M8 10.5V8a4 4 0 0 1 8 0v2.5"/>',
    "target": '<circle cx="12" cy="12" r="8.5"/><circle cx="12" cy="12" r="4.5"/><circle cx="12" cy="12" r="0.75"/>',
    "calendar": '<rect x="4" y="5" width="16" height="15" rx="2"/><path d="M4 10h16M8.5 3v4M15.5 3v4"/>',
    "roadmap": (
        '<path d="M4 6.5h9M7 12h11M4 17.5h7"/>'
        '<circle cx="15.5" cy="6.5" r="1.5"/>'
        '<circle cx="20" cy="12" r="0.5"/>'
        '<circle cx="13.5" cy="17.5" r="1.5"/>'
    ),
    "feedback": '<path d="M5 5h14a1 1 0 0 1 1 1v9a1 1 0 0 1-1 1h-8l-4.5 3.5V16H5a1 1 0 0 1-1-1V6a1 1 0 0 1 1-1z"/>',
    "copy": (
        '<rect x="8.5" y="8.5" width="11" height="11" rx="2"/>'
        '<path d="M15.5 8.5V6a1.5 1.5 0 0 0-1.5-1.5H6A1.5 1.5 0 0 0 4.5 6v8A1.5 1.5 0 0 0 6 15.5h2.5"/>'
    ),
    "external": (
        '<path d="M13 5h6v6M19 5l-8 8"/>'
        '<path d="M17 14v4a1.5 1.5 0 0 1-1.5 1.5h-9A1.5 1.5 0 0 1 5 18V8.5A1.5 1.5 0 0 1 6.5 7H10"/>'
    ),
    "waymark": '<path d="M6 19V5l6 4 6-4v14"/>',
    "filter": '<path d="M4 6h16M7 12h10M10 18h4"/>',
    "bell": '<path d="M6 16.5V11a6 6 0 0 1 12 0v5.5l1.5 1.5h-15z"/><path d="M10 20.5a2 2 0 0 0 4 0"/>',
    "chart": '<path d="M4 20h16"/><path d="M7 16v-4M12 16V7M17 16v-6"/>',
}
FALLBACK = '<circle cx="12" cy="12" r="8"/>'  # an unknown name draws a plain circle rather than failing the page


@lru_cache(maxsize=512)
def icon(name: str, css_class: str = "") -> SafeString:
    """One icon as inline SVG, hidden from assistive technology (its link or button carries the
    text). `css_class` adds classes (e.g. "icon--sm"). Cached: names and classes come from
    templates, a few dozen pairs in all."""
    shapes = SHAPES.get(name, FALLBACK)
    return mark_safe(  # noqa: S308 - SHAPES are constants; the class is escaped
        f'<svg class="icon {escape(css_class)}" viewBox="0 0 24 24" aria-hidden="true" focusable="false">'
        f"{shapes}</svg>")
