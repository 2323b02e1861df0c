"""Reads shared by pages and the API, scoped to the user's workspaces and loaded so that a
page costs a fixed number of queries whether it shows 10 features or 2,000. Big lists come as
`.values()` rows of just the columns a page draws (see DESIGN.md, performance). One module
per topic."""

from .features import (
    FEATURE_ROW_FIELDS,
    dependency_list,
    feature_get,
    feature_queryset,
    feature_rows,
    features_with_counts,
    requirement_list,
)
from .lines import (
    LINE_BACKLOG_LIMIT,
    line_open_feature_count,
    line_open_features,
    line_products,
    line_releases,
    line_status_counts,
)
from .metrics import (
    RELEASE_SNAPSHOT_FIELDS,
    delivery_open_releases,
    delivery_stale_product_ids,
    delivery_versions,
    latest_release_snapshot,
    product_delivery_latest,
    release_forecasts,
    release_snapshot_of,
)
from .planning import (
    ConflictIndex,
    Plan,
    blockers_for,
    conflicts_among,
    conflicts_for,
    open_features,
    plan_for,
    tags_in_use,
)
from .releases import (
    ReleaseOverview,
    milestone_list,
    release_choices,
    release_get,
    release_list,
    release_overview,
)
from .workflow import (
    status_get,
    status_list,
)

__all__ = [
    "LINE_BACKLOG_LIMIT",
    "line_open_feature_count",
    "line_open_features",
    "line_products",
    "line_releases",
    "line_status_counts",
    "RELEASE_SNAPSHOT_FIELDS",
    "delivery_open_releases",
    "delivery_stale_product_ids",
    "delivery_versions",
    "latest_release_snapshot",
    "product_delivery_latest",
    "release_forecasts",
    "release_snapshot_of",
    "ConflictIndex",
    "FEATURE_ROW_FIELDS",
    "Plan",
    "ReleaseOverview",
    "blockers_for",
    "conflicts_among",
    "conflicts_for",
    "dependency_list",
    "feature_get",
    "feature_queryset",
    "feature_rows",
    "features_with_counts",
    "milestone_list",
    "open_features",
    "plan_for",
    "release_choices",
    "release_get",
    "release_list",
    "release_overview",
    "requirement_list",
    "status_get",
    "status_list",
    "tags_in_use",
]
