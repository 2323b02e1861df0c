"""Input shapes of the strategy pages, one module per topic, and the form kit (forms/kit.py)
that the other apps' pages import from here."""

from .goals import CheckInForm, GoalForm, InitiativeForm, KeyResultForm, quarter_bounds
from .kit import DateInput, VersionedFormMixin, apply_service_errors
from .positioning import ColourInput, ComparisonForm, CompetitorForm, CriterionForm, PersonaForm, VisionForm
from .saved_views import SavedViewForm, SavedViewRenameForm
from .tenancy import (
    ApiTokenForm,
    InvitationForm,
    ProductForm,
    ProfileForm,
    RoleForm,
    SignInForm,
    SignUpForm,
    WorkspaceForm,
    WorkspaceSettingsForm,
)

__all__ = [
    "ApiTokenForm", "CheckInForm", "ColourInput", "ComparisonForm", "CompetitorForm", "CriterionForm", "DateInput",
    "GoalForm", "InitiativeForm", "InvitationForm", "KeyResultForm", "PersonaForm", "ProductForm", "ProfileForm",
    "RoleForm", "SavedViewForm", "SavedViewRenameForm", "SignInForm", "SignUpForm", "VersionedFormMixin",
    "VisionForm", "WorkspaceForm", "WorkspaceSettingsForm",
    "apply_service_errors", "quarter_bounds",
]
