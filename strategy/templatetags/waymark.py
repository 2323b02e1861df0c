import re

from django import template

from strategy.colours import WHITE, readable_text_on
from strategy.icons import icon
from strategy.markdown import render_markdown
from strategy.navigation import products_html

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


@register.simple_tag(name="icon")
def icon_tag(name: str, css_class: str | None = ""):
    """{% icon "search" %} or {% icon "plus" "icon--sm" %}: a line icon as inline SVG (strategy.icons)."""
    return icon(name, css_class or "")


@register.simple_tag(takes_context=True)
def sidebar_products(context):
    """The sidebar's products and the current product's sections (strategy.navigation)."""
    request = context["request"]
    match = request.resolver_match
    user = context.get("user")
    return products_html(
        workspace=context["current_workspace"], portfolio=context.get("nav_portfolio") or [],
        current_product=context.get("current_product"), url_name=match.url_name if match else "",
        path=request.path, full_path=request.get_full_path(), user_pk=getattr(user, "pk", None),
        inbox_count=context.get("nav_inbox_count") or 0, saved_views=context.get("nav_saved_views"))
