"""Colour arithmetic for text drawn on colours people choose (a persona's, an initiative's):
WCAG 2.1's relative luminance and contrast ratio."""

from __future__ import annotations

BLACK, WHITE = "#000000", "#ffffff"


def relative_luminance(colour: str) -> float:
    """The WCAG 2.1 relative luminance of a "#rrggbb" colour, from 0 (black) to 1 (white)."""
    channels = [int(colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first: str, second: str) -> float:
    """From 1 (the same luminance) to 21 (black on white)."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def readable_text_on(background: str) -> str:
    """Black or white, whichever reads better on `background`: at least 4.58:1 on any colour,
    so initials and labels on a chosen colour meet WCAG AA."""
    return BLACK if contrast_ratio(BLACK, background) >= contrast_ratio(WHITE, background) else WHITE
