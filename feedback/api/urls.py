from rest_framework.routers import DefaultRouter

app_name = "feedback-api"

router = DefaultRouter()
urlpatterns = router.urls
