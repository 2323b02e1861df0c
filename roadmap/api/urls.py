from rest_framework.routers import DefaultRouter

from .bindings import KeyResultBindingViewSet

router = DefaultRouter()
router.register("key-result-bindings", KeyResultBindingViewSet, basename="key-result-binding")

app_name = "roadmap-api"

urlpatterns = router.urls
