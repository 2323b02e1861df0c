"""Reads of the roadmap views (timelines, Now / Next / Later and the release timeline), and
the health checks behind /healthz.

These selectors take products that the caller has already resolved, either through
`strategy.selectors.product_get(user=...)` (pages) or through a share link (which grants
exactly one product or product line). They read only that product or line, never beyond
its workspace, and return plain `.values()` rows of the columns the pages draw, so a page
costs the same few queries for 10 features or 2,000 (DESIGN.md, performance habits).
"""

from .attention import Attention, attention_for
from .bindings import Measurement, binding_list, binding_sources, bindings_of, measurements
from .changes import plan_now, plan_then
from .dashboard import ProductMetrics, product_metrics
from .health import Check, check_database, check_redis, check_worker, health_report
from .horizons import (
    HORIZON_FEATURE_FIELDS,
    RELEASE_FIELDS,
    TIMELINE_FEATURE_FIELDS,
    dependency_links,
    horizon_feature_counts,
    horizon_feature_rows,
    release_plan_rows,
    release_rows,
    releases_with_assignee,
    roadmap_products,
    timeline_feature_rows,
    timeline_releases,
)
from .search import KIND_NAMES, KINDS, Group, Hit, SearchResults, feature_by_key, search_query, workspace_search
from .timeline import (
    goals_by_feature,
    lane_releases,
    line_children,
    line_features,
    product_features,
    timeline_rows,
    view_fingerprint,
    workflow_statuses,
)
from .webhooks import DELIVERY_LOG_SIZE, delivery_list, webhook_list

__all__ = [
    "DELIVERY_LOG_SIZE",
    "delivery_list",
    "webhook_list",

    "Attention",
    "attention_for",
    "KINDS",
    "KIND_NAMES",
    "Group",
    "Hit",
    "SearchResults",
    "feature_by_key",
    "search_query",
    "workspace_search",
    "Measurement",
    "ProductMetrics",
    "binding_list",
    "binding_sources",
    "bindings_of",
    "measurements",
    "product_metrics",
    "HORIZON_FEATURE_FIELDS",
    "RELEASE_FIELDS",
    "TIMELINE_FEATURE_FIELDS",
    "Check",
    "check_database",
    "check_redis",
    "check_worker",
    "dependency_links",
    "goals_by_feature",
    "health_report",
    "horizon_feature_counts",
    "horizon_feature_rows",
    "lane_releases",
    "plan_now",
    "plan_then",
    "line_children",
    "line_features",
    "product_features",
    "release_plan_rows",
    "release_rows",
    "releases_with_assignee",
    "roadmap_products",
    "timeline_feature_rows",
    "timeline_releases",
    "timeline_rows",
    "view_fingerprint",
    "workflow_statuses",
]
