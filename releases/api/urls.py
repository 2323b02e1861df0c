from django.urls import path
from rest_framework.routers import DefaultRouter

from .features import DependencyViewSet, FeatureViewSet, RequirementViewSet
from .launch import (
    LaunchTemplateViewSet,
    LaunchTodoViewSet,
    PhaseTypeViewSet,
    ReleaseMessagingViewSet,
    ReleaseNoteViewSet,
    ReleasePhaseViewSet,
)
from .notifications import NotificationSettingsViewSet, NotificationViewSet
from .releases import MilestoneViewSet, ReleaseViewSet
from .workflow import WorkflowStatusViewSet

router = DefaultRouter()
router.register("statuses", WorkflowStatusViewSet, basename="status")
router.register("releases", ReleaseViewSet, basename="release")
router.register("milestones", MilestoneViewSet, basename="milestone")
router.register("features", FeatureViewSet, basename="feature")
router.register("requirements", RequirementViewSet, basename="requirement")
router.register("dependencies", DependencyViewSet, basename="dependency")
router.register("phase-types", PhaseTypeViewSet, basename="phase-type")
router.register("release-phases", ReleasePhaseViewSet, basename="release-phase")
router.register("launch-todos", LaunchTodoViewSet, basename="launch-todo")
router.register("launch-templates", LaunchTemplateViewSet, basename="launch-template")
router.register("release-messaging", ReleaseMessagingViewSet, basename="release-messaging")
router.register("release-notes", ReleaseNoteViewSet, basename="release-note")
router.register("notifications", NotificationViewSet, basename="notification")

app_name = "releases-api"

urlpatterns = [
    *router.urls,
    path("notification-settings/", NotificationSettingsViewSet.as_view({"get": "retrieve", "patch": "partial_update"}),
         name="notification-settings"),
]
