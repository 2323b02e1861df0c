from .goals import CheckIn, Goal, Initiative, KeyResult
from .positioning import ComparisonCriterion, Competitor, CompetitorRating, Persona, Vision
from .records import StrategyRecord, colour_validator
from .saved_views import SavedView
from .tenancy import (
    ApiToken,
    Invitation,
    Membership,
    Product,
    Role,
    TimeStampedModel,
    User,
    UserManager,
    Workspace,
    WorkspaceScopedQuerySet,
    product_key_validator,
)

__all__ = [
    "ApiToken", "CheckIn", "ComparisonCriterion", "Competitor", "CompetitorRating", "Goal", "Initiative",
    "Invitation", "KeyResult", "Membership", "Persona", "Product", "Role", "SavedView", "StrategyRecord",
    "TimeStampedModel", "User", "UserManager", "Vision", "Workspace", "WorkspaceScopedQuerySet", "colour_validator",
    "product_key_validator",
]
