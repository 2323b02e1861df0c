from django import template

from strategy.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str):
    """{{ vision.statement|markdown }}: Markdown rendered and sanitised."""
    return render_markdown(text)
