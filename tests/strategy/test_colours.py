"""Contrast arithmetic, the text colour chosen on colours people pick, and the design tokens
the stylesheet promises: text colours meet WCAG AA (4.5:1) on the surfaces they sit on."""

import re
from pathlib import Path

import pytest
from django.template import Context, Template

from strategy.colours import BLACK, WHITE, contrast_ratio, readable_text_on

CSS = Path(__file__).resolve().parents[2] / "static" / "css" / "waymark.css"


def test_contrast_ratio_follows_wcag():
    assert contrast_ratio(BLACK, WHITE) == pytest.approx(21)
    assert contrast_ratio("#777777", "#777777") == pytest.approx(1)
    assert contrast_ratio("#667085", "#ffffff") == pytest.approx(4.97, abs=0.01)


@pytest.mark.parametrize("colour", ["#6366f1", "#7a5af8", "#17b26a", "#f79009", "#e11d48", "#777777", "#0ea5e9",
                                    "#fde68a", "#000000", "#ffffff", "#808080"])
def test_text_on_any_colour_reads_at_aa(colour):
    assert contrast_ratio(readable_text_on(colour), colour) >= 4.5


def test_the_text_on_filter_picks_black_on_light_and_white_on_dark_and_survives_bad_input():
    template = Template("{% load waymark %}{{ light|text_on }} {{ dark|text_on }} {{ bad|text_on }}")
    rendered = template.render(Context({"light": "#fde68a", "dark": "#1f2937", "bad": "red;}"}))
    assert rendered == f"{BLACK} {WHITE} {WHITE}"


def _tokens() -> dict[str, str]:
    root = CSS.read_text().split(":root {", 1)[1].split("\n}", 1)[0]
    tokens = dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})", root))
    for name, alias in re.findall(r"--([\w-]+):\s*var\(--([\w-]+)\)", root):
        if alias in tokens:
            tokens[name] = tokens[alias]
    return tokens


SURFACES = ["gray-0", "gray-25", "gray-50", "gray-100", "gray-150", "accent-soft"]


@pytest.mark.parametrize("text", ["text", "text-muted", "text-subtle", "accent-text"])
def test_text_tokens_read_at_aa_on_every_light_surface(text):
    tokens = _tokens()
    for surface in SURFACES:
        ratio = contrast_ratio(tokens[text], tokens[surface])
        assert ratio >= 4.5, f"--{text} on --{surface}: {ratio:.2f}:1"


@pytest.mark.parametrize("status", ["todo", "doing", "done", "wont"])
def test_status_colours_read_at_aa_on_their_badges(status):
    tokens = _tokens()
    assert contrast_ratio(tokens[f"status-{status}-fg"], tokens[f"status-{status}-bg"]) >= 4.5
