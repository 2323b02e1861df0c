"""Page input shapes, one module per topic (features, releases, workflow)."""

from .features import (
    FEATURE_KEY,
    IMPACT_CHOICES,
    CommentForm,
    DependencyForm,
    FeatureForm,
    RequirementForm,
    TagsField,
    feature_initial,
    impact_value,
)
from .imports import ImportUploadForm
from .notifications import NotificationSettingsForm
from .releases import (
    MilestoneForm,
    ReleaseForm,
)
from .workflow import (
    WorkflowStatusForm,
    WorkflowStatusMoveForm,
    WorkflowStatusRetireForm,
)

__all__ = [
    "NotificationSettingsForm",
    "CommentForm",
    "DependencyForm",
    "FEATURE_KEY",
    "FeatureForm",
    "ImportUploadForm",
    "IMPACT_CHOICES",
    "MilestoneForm",
    "ReleaseForm",
    "RequirementForm",
    "TagsField",
    "WorkflowStatusForm",
    "WorkflowStatusMoveForm",
    "WorkflowStatusRetireForm",
    "feature_initial",
    "impact_value",
]
