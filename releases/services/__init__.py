"""Write operations: the only sanctioned way to change releases, milestones, workflow statuses and
features, one module per topic (see each module's docstring for the invariants it protects;
`records` holds what the topics share).

Every service that writes features sends `signals.features_changed` once, after commit, with
all their ids (see releases/signals.py); `feature_demand_set` is the one exception."""

from .features import (
    MENTION,
    MENTION_SWEEP_AFTER,
    MENTION_SWEEP_WITHIN,
    comment_create,
    comment_mention_email_send,
    dependency_add,
    dependency_remove,
    feature_create,
    feature_delete,
    feature_demand_set,
    feature_update,
    mention_emails_sweep,
    mentioned_members,
    requirement_create,
    requirement_delete,
    requirement_update,
)
from .planning import (
    UNSET,
    feature_bulk_update,
    feature_move,
)
from .releases import (
    MILESTONE_FIELDS,
    RELEASE_FIELDS,
    milestone_create,
    milestone_delete,
    milestone_update,
    release_create,
    release_delete,
    release_update,
)
from .workflow import (
    DEFAULT_WORKFLOW,
    on_workspace_created,
    workflow_defaults_create,
    workflow_status_create,
    workflow_status_move,
    workflow_status_retire,
    workflow_status_update,
)

__all__ = [
    "DEFAULT_WORKFLOW",
    "MENTION",
    "MENTION_SWEEP_AFTER",
    "MENTION_SWEEP_WITHIN",
    "MILESTONE_FIELDS",
    "RELEASE_FIELDS",
    "UNSET",
    "comment_create",
    "comment_mention_email_send",
    "dependency_add",
    "dependency_remove",
    "feature_bulk_update",
    "feature_create",
    "feature_delete",
    "feature_demand_set",
    "feature_move",
    "feature_update",
    "mention_emails_sweep",
    "mentioned_members",
    "milestone_create",
    "milestone_delete",
    "milestone_update",
    "on_workspace_created",
    "release_create",
    "release_delete",
    "release_update",
    "requirement_create",
    "requirement_delete",
    "requirement_update",
    "workflow_defaults_create",
    "workflow_status_create",
    "workflow_status_move",
    "workflow_status_retire",
    "workflow_status_update",
]
