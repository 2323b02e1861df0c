from .goals import CheckIn, Goal, Initiative, KeyResult
from .positioning import ComparisonCriterion, Competitor, CompetitorRating, Persona, Vision
from .records import StrategyRecord, colour_validator
from .saved_views import SavedView
from .tenancy import (
    EXTERNAL_ID_MAX_LENGTH,
    EXTERNAL_URL_MAX_LENGTH,
    ROLES_ATTR,
    WORKSPACE_LIMIT_ATTR,
    ApiToken,
    ExternalIdentity,
    Invitation,
    Membership,
    Product,
    Role,
    TimeStampedModel,
    User,
    UserManager,
    Workspace,
    WorkspaceScopedQuerySet,
    external_id_unique,
    product_key_validator,
)

__all__ = [
    "EXTERNAL_ID_MAX_LENGTH", "EXTERNAL_URL_MAX_LENGTH", "ROLES_ATTR", "WORKSPACE_LIMIT_ATTR", "ExternalIdentity",
    "external_id_unique",
    "ApiToken", "CheckIn", "ComparisonCriterion", "Competitor", "CompetitorRating", "Goal", "Initiative",
    "Invitation", "KeyResult", "Membership", "Persona", "Product", "Role", "SavedView", "StrategyRecord",
    "TimeStampedModel", "User", "UserManager", "Vision", "Workspace", "WorkspaceScopedQuerySet", "colour_validator",
    "product_key_validator",
]
