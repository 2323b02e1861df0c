from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from strategy.forms import SignInForm

from . import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon),
    path("accounts/login/", auth_views.LoginView.as_view(
        authentication_form=SignInForm, redirect_authenticated_user=True), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/v1/", include("strategy.api.urls")),
    path("api/v1/", include("releases.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    # Swagger UI's script loads from the same URL (?script) rather than inline; its page keeps
    # one inline <style>, the only place the Content-Security-Policy allows one.
    path("api/docs/", csp_update({"style-src": [UNSAFE_INLINE]})(
        SpectacularSwaggerSplitView.as_view(url_name="api_schema")), name="api_docs"),
    path("admin/", admin.site.urls),
    path("", include("roadmap.urls_horizons")),
    path("", include("roadmap.urls_timeline")),
    path("", include("roadmap.urls_share")),
    path("", include("strategy.urls")),
    path("", include("releases.urls")),
]

handler404 = "roadmap.api.not_found"
