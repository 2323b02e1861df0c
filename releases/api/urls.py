from rest_framework.routers import DefaultRouter

from .features import DependencyViewSet, FeatureViewSet, RequirementViewSet
from .releases import MilestoneViewSet, ReleaseViewSet
from .workflow import WorkflowStatusViewSet

router = DefaultRouter()
router.register("statuses", WorkflowStatusViewSet, basename="status")
router.register("releases", ReleaseViewSet, basename="release")
router.register("milestones", MilestoneViewSet, basename="milestone")
router.register("features", FeatureViewSet, basename="feature")
router.register("requirements", RequirementViewSet, basename="requirement")
router.register("dependencies", DependencyViewSet, basename="dependency")

app_name = "releases-api"

urlpatterns = router.urls
