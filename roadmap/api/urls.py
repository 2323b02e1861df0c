from django.urls import path
from rest_framework.routers import DefaultRouter

from .bindings import KeyResultBindingViewSet
from .search import WorkspaceSearch

router = DefaultRouter()
router.register("key-result-bindings", KeyResultBindingViewSet, basename="key-result-binding")

app_name = "roadmap-api"

urlpatterns = [
    path("search/", WorkspaceSearch.as_view(), name="search"),
    *router.urls,
]
