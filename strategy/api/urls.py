from rest_framework.routers import DefaultRouter

from .views import InvitationViewSet, MembershipViewSet, ProductViewSet, WorkspaceViewSet

router = DefaultRouter()
router.register("workspaces", WorkspaceViewSet, basename="workspace")
router.register("memberships", MembershipViewSet, basename="membership")
router.register("invitations", InvitationViewSet, basename="invitation")
router.register("products", ProductViewSet, basename="product")

app_name = "strategy-api"
urlpatterns = router.urls
