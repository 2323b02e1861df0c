from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from strategy.forms import SignInForm

from . import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(
        authentication_form=SignInForm, redirect_authenticated_user=True), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/v1/", include("strategy.api.urls")),
    path("api/v1/", include("releases.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api_schema"), name="api_docs"),
    path("admin/", admin.site.urls),
    path("", include("roadmap.urls_horizons")),
    path("", include("roadmap.urls_timeline")),
    path("", include("roadmap.urls_share")),
    path("", include("strategy.urls")),
    path("", include("releases.urls")),
]

handler404 = "roadmap.api.not_found"
