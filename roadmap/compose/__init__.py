"""The roadmap views, composed once for the pages and the share links, one module per topic
(`timeline`, `horizons`, `sharing`).

Each function takes a product (or product line) that the caller has already resolved — a
page through the access layer, a share link through its token — plus plain options (the
view's parameters, today, and the `Audience` that decides what is shown) and returns what
the templates need. It reads rows through `roadmap.selectors` (only that product or line),
runs the layout (`roadmap.timeline`, `roadmap.horizons`) and draws through `roadmap.render`.
It never reads a request, so a share link shows exactly its stored view.

What a share may show is chosen in one place, `Audience.shared` (`compose/audience.py`): no
links, no drag handles, no people (nor grouping by them), and estimates only when the link
allows them.
"""

from .audience import Audience
from .cache import VIEW_CACHE_SECONDS, cached_view
from .horizons import (
    Column,
    initiative_groups,
    now_next_later_context,
    release_feature_tables,
    release_plan_changes,
    release_timeline_context,
)
from .sharing import RENDERERS, Shared, render_shared
from .timeline import GROUPS, PortfolioTimeline, ProductTimeline, portfolio_timeline, product_timeline

__all__ = [
    "GROUPS",
    "RENDERERS",
    "VIEW_CACHE_SECONDS",
    "Audience",
    "Column",
    "PortfolioTimeline",
    "ProductTimeline",
    "Shared",
    "cached_view",
    "initiative_groups",
    "now_next_later_context",
    "portfolio_timeline",
    "product_timeline",
    "release_feature_tables",
    "release_plan_changes",
    "release_timeline_context",
    "render_shared",
]
