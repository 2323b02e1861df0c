from django.urls import path
from rest_framework.routers import DefaultRouter

from .backup import WorkspaceExportViewSet, WorkspaceRestoreViewSet
from .bindings import KeyResultBindingViewSet
from .search import WorkspaceSearch
from .webhooks import WebhookDeliveryViewSet, WebhookViewSet

router = DefaultRouter()
router.register("key-result-bindings", KeyResultBindingViewSet, basename="key-result-binding")
router.register("webhooks", WebhookViewSet, basename="webhook")
router.register("workspace-exports", WorkspaceExportViewSet, basename="workspace-export")
router.register("workspace-restores", WorkspaceRestoreViewSet, basename="workspace-restore")
router.register("webhook-deliveries", WebhookDeliveryViewSet, basename="webhook-delivery")

app_name = "roadmap-api"

urlpatterns = [
    path("search/", WorkspaceSearch.as_view(), name="search"),
    *router.urls,
]
