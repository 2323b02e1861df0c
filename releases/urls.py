"""Pages of the releases app: a product's releases, features, backlog and board, and the
workspace's workflow."""

from django.urls import include, path

urlpatterns = [
    path("w/<slug:ws>/", include("releases.urls_releases")),
    path("w/<slug:ws>/products/<str:key>/", include("releases.urls_features")),
    path("w/<slug:ws>/products/<str:key>/", include("releases.urls_planning")),
]
