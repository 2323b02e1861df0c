from rest_framework.routers import DefaultRouter

from .bindings import KeyResultBindingViewSet
from .webhooks import WebhookDeliveryViewSet, WebhookViewSet

router = DefaultRouter()
router.register("key-result-bindings", KeyResultBindingViewSet, basename="key-result-binding")
router.register("webhooks", WebhookViewSet, basename="webhook")
router.register("webhook-deliveries", WebhookDeliveryViewSet, basename="webhook-delivery")

app_name = "roadmap-api"

urlpatterns = router.urls
