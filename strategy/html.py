"""Building HTML and SVG in Python: the one escaping helper that large rendered structures
(timeline bars, boards, charts) use, since templates are too slow for thousands of rows
(DESIGN.md, performance habits)."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from django.utils.safestring import SafeString, mark_safe


def e(value: object) -> str:
    """`value` as text safe inside an element or a quoted attribute; None is empty."""
    return escape("" if value is None else str(value), quote=True)


def safe_join(parts: Iterable[str]) -> SafeString:
    """Join parts that were each built from `e()`-escaped or numeric values."""
    return mark_safe("".join(parts))  # noqa: S308 - callers escape every value they insert
