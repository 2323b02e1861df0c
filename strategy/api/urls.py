from django.urls import path
from rest_framework.routers import DefaultRouter

from .goals import GoalViewSet, InitiativeViewSet, KeyResultViewSet
from .positioning import ComparisonViewSet, CompetitorViewSet, CriterionViewSet, PersonaViewSet, VisionViewSet
from .saved_views import SavedViewViewSet
from .tenancy import InvitationViewSet, MembershipViewSet, ProductViewSet, WorkspaceViewSet

router = DefaultRouter()
router.register("workspaces", WorkspaceViewSet, basename="workspace")
router.register("memberships", MembershipViewSet, basename="membership")
router.register("invitations", InvitationViewSet, basename="invitation")
router.register("products", ProductViewSet, basename="product")
router.register("personas", PersonaViewSet, basename="persona")
router.register("competitors", CompetitorViewSet, basename="competitor")
router.register("comparison-criteria", CriterionViewSet, basename="criterion")
router.register("goals", GoalViewSet, basename="goal")
router.register("key-results", KeyResultViewSet, basename="key-result")
router.register("initiatives", InitiativeViewSet, basename="initiative")
router.register("saved-views", SavedViewViewSet, basename="saved-view")

app_name = "strategy-api"

# A product's vision and comparison are one record each, addressed by the product's id.
urlpatterns = router.urls + [
    path("products/<int:pk>/vision/", VisionViewSet.as_view({"get": "retrieve", "put": "update"}),
         name="vision-detail"),
    path("products/<int:pk>/vision/versions/", VisionViewSet.as_view({"get": "versions"}), name="vision-versions"),
    path("products/<int:pk>/vision/restore/", VisionViewSet.as_view({"post": "restore"}), name="vision-restore"),
    path("products/<int:pk>/comparison/", ComparisonViewSet.as_view({"get": "retrieve", "put": "update"}),
         name="comparison-detail"),
]
