import re

from django import template

from strategy.colours import WHITE, readable_text_on
from strategy.markdown import render_markdown

_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str):
    """{{ vision.statement|markdown }}: Markdown rendered and sanitised."""
    return render_markdown(text)


@register.filter(name="text_on")
def text_on_filter(colour: str) -> str:
    """{{ persona.colour|text_on }}: black or white, whichever reads better on the colour."""
    return readable_text_on(colour) if _HEX.match(colour or "") else WHITE
