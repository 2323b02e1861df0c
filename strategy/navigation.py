"""The sidebar's list of products, built in Python: every page draws it (a line per product of
the workspace, and the current product's sections with their links), and as a template loop of
links and icon includes it cost more than the rest of a typical page's layout
(DESIGN.md, performance habits). `{% sidebar_products %}` (strategy/templatetags/waymark.py)
draws it in templates/base.html from what the navigation context processor gives."""

from __future__ import annotations

from collections.abc import Iterable

from django.urls import reverse
from django.utils.safestring import SafeString

from .html import e, safe_join
from .icons import icon

# (label, icon, URL name, extra path parts that also mark it current). The current section is
# the one whose URL the path contains (or, for the overview, whose URL name matches).
SECTIONS = (
    ("Strategy", "target", "strategy:strategy_overview", ("/strategy/vision", "/strategy/personas",
                                                            "/strategy/competitors")),
    ("Goals", "check-circle", "strategy:product_goal_list", ()),
    ("Releases", "calendar", "releases:release_list", ()),
    ("Backlog", "filter", "releases:backlog", ("/features/",)),
    ("Board", "portfolio", "releases:board", ()),
    ("Roadmap", "roadmap", "roadmap:product_timeline", ("/roadmap/",)),
    ("Metrics", "chart", "roadmap:product_metrics", ("/delivery/", "/usage/")),
    ("Initiatives", "roadmap", "strategy:initiative_list", ()),
    ("Feedback", "feedback", "feedback:idea_list", ("/feedback/",)),
)
VIEW_ICONS = {"backlog": "filter", "board": "portfolio"}  # other kinds: the roadmap's
CURRENT = ' aria-current="page"'
_KEY = "KEY0"  # a product key that stands for any other in a reversed URL


def _section_current(label: str, url: str, extra: tuple[str, ...], path: str) -> bool:
    if label == "Strategy":  # its URL is a prefix of its subpages' that are other sections
        return path == url or any(part in path for part in extra)
    if label == "Roadmap":  # its timeline, Now / Next / Later and release timeline
        return any(part in path for part in extra)
    return url in path or any(part in path for part in extra)


def _sections(*, slug: str, product, depth: int, url_name: str, path: str, full_path: str,
              user_pk, inbox_count: int, saved_views: Iterable) -> str:
    small = "icon--sm"
    detail_url = reverse("strategy:product_detail", args=[slug, product.key])
    parts = [f'<ul class="nav__sub" aria-label="{e(product.name)} sections" style="--depth: {depth}">',
             f'<li><a class="nav__link" href="{e(detail_url)}"{CURRENT if url_name == "product_detail" else ""}>'
             f'{icon("overview", small)}<span class="nav__label">Overview</span></a></li>']
    for label, icon_name, name, extra in SECTIONS:
        url = reverse(name, args=[slug, product.key])
        badge = ""
        if label == "Feedback" and inbox_count:
            notes = "feedback note" if inbox_count == 1 else "feedback notes"
            badge = (f'<span class="count" title="{inbox_count} {notes} to triage">{inbox_count}'
                     '<span class="sr-only"> to triage</span></span>')
        parts.append(f'<li><a class="nav__link" href="{e(url)}"'
                     f'{CURRENT if _section_current(label, url, extra, path) else ""}>{icon(icon_name, small)}'
                     f'<span class="nav__label">{label}</span>{badge}</a></li>')
    views = list(saved_views or ())
    if views:
        list_url = reverse("strategy:saved_view_list", args=[slug, product.key])
        parts.append(f'<li class="nav__views" aria-label="Saved views"><a class="nav__views-heading" '
                     f'href="{e(list_url)}">Saved views</a><ul class="nav__sub nav__sub--views">')
        for view in views:
            url = view.url
            title = view.get_kind_display()
            if view.shared:
                title += " · shared" + (f" by {view.owner.display_name}" if view.owner_id != user_pk else "")
            shared = (f'<span class="sr-only"> (shared)</span>{icon("members", "icon--sm nav__view-shared")}'
                      if view.shared else "")
            parts.append(f'<li><a class="nav__link nav__link--view" href="{e(url)}"'
                         f'{CURRENT if full_path == url else ""} title="{e(title)}">'
                         f'{icon(VIEW_ICONS.get(view.kind, "roadmap"), small)}'
                         f'<span class="nav__label">{e(view.name)}</span>{shared}</a></li>')
        parts.append("</ul></li>")
    parts.append("</ul>")
    return "".join(parts)


def products_html(*, workspace, portfolio, current_product, url_name: str, path: str, full_path: str,
                  user_pk, inbox_count: int = 0, saved_views: Iterable = ()) -> SafeString:
    """The <li>s of the sidebar's product list: every product line and product of `portfolio`
    (strategy.selectors.portfolio_tree), the current one open with its sections and its saved views."""
    if not portfolio:
        return safe_join(['<li class="nav__empty">No products yet.</li>'])
    slug = workspace.slug
    current_pk = current_product.pk if current_product is not None else None
    # One reverse() for every product's link: keys are capitals and digits (product_key_validator),
    # so putting one in place of another (a whole path segment) needs no quoting.
    detail_url = reverse("strategy:product_detail", args=[slug, _KEY])
    parts = []
    for node in portfolio:
        product = node.product
        is_open = product.pk == current_pk
        kind = "line" if product.is_line else "product"
        parts.append(
            f'<li><a class="nav__link nav__link--{kind}{" is-open" if is_open else ""}" '
            f'style="--depth: {node.depth}" '
            f'href="{e(detail_url.replace(f"/{_KEY}/", f"/{product.key}/"))}">{icon(kind)}'
            f'<span class="nav__label">{e(product.name)}</span><span class="nav__key">{e(product.key)}</span></a>')
        if is_open:
            parts.append(_sections(slug=slug, product=product, depth=node.depth, url_name=url_name, path=path,
                                   full_path=full_path, user_pk=user_pk, inbox_count=inbox_count,
                                   saved_views=saved_views))
        parts.append("</li>")
    return safe_join(parts)
