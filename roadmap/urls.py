"""The project's root URLconf (ROOT_URLCONF): the other apps' pages and APIs, and the
roadmap's own pages, routed directly here under the `roadmap` namespace. Every page name is
namespaced by its app (`roadmap:`, `strategy:`, `releases:`; the APIs `strategy-api:`,
`releases-api:` and `roadmap-api:`), except Django's own sign-in and password views, which reverse their
names themselves."""

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from strategy.api.scoping import workspace_api_urls
from strategy.forms import SignInForm

from .views import backup, bindings, dashboard, health, horizons, search, sharing, timeline, usage, webhooks
from .views.ingest import EventsIngest

# Timeline, horizon and share-link pages of a product or product line.
ROADMAP = "w/<slug:ws>/products/<str:key>/roadmap/"
# Usage metrics of a product and its ingest keys.
USAGE = "w/<slug:ws>/products/<str:key>/usage/"
# Webhooks of a workspace, in its settings.
WEBHOOKS = "w/<slug:ws>/settings/webhooks/"

roadmap_patterns = [
    path("healthz", health.healthz, name="healthz"),
    path("favicon.ico", health.favicon, name="favicon"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    # Swagger UI's script loads from the same URL (?script) rather than inline; its page keeps
    # one inline <style>, the only place the Content-Security-Policy allows one.
    path("api/docs/", csp_update({"style-src": [UNSAFE_INLINE]})(
        SpectacularSwaggerSplitView.as_view(url_name="roadmap:api_schema")), name="api_docs"),
    path(ROADMAP + "now-next-later/", horizons.now_next_later, name="now_next_later"),
    path(ROADMAP + "releases/", horizons.release_timeline, name="release_timeline"),
    path(ROADMAP + "releases/<int:pk>/features/", horizons.release_features, name="release_features"),
    path(ROADMAP, timeline.product_timeline, name="product_timeline"),
    path(ROADMAP + "features/reschedule/", timeline.feature_reschedule, name="feature_reschedule"),
    path(ROADMAP + "releases/reschedule/", timeline.release_reschedule, name="release_reschedule"),
    path(ROADMAP + "export.svg", timeline.timeline_export_svg, name="timeline_export_svg"),
    path(ROADMAP + "export.csv", timeline.timeline_export_csv, name="timeline_export_csv"),
    path(ROADMAP + "export.pdf", timeline.timeline_export_pdf, name="timeline_export_pdf"),
    path(ROADMAP + "portfolio/", timeline.portfolio_timeline, name="portfolio_timeline"),
    path(ROADMAP + "portfolio/export.svg", timeline.portfolio_export_svg, name="portfolio_export_svg"),
    path(ROADMAP + "portfolio/export.csv", timeline.portfolio_export_csv, name="portfolio_export_csv"),
    path(ROADMAP + "portfolio/export.pdf", timeline.portfolio_export_pdf, name="portfolio_export_pdf"),
    path("s/<str:token>/", sharing.shared_view, name="shared_view"),
    path("w/<slug:ws>/products/<str:key>/metrics/", dashboard.product_metrics, name="product_metrics"),
    path("w/<slug:ws>/dashboard/", dashboard.dashboard, name="dashboard"),
    path("w/<slug:ws>/search/", search.workspace_search_page, name="search"),
    path("w/<slug:ws>/goals/<int:goal_pk>/key-results/<int:pk>/metric/", bindings.key_result_binding,
         name="key_result_binding"),
    path(ROADMAP + "share/", sharing.share_link_list, name="share_link_list"),
    path(ROADMAP + "share/<int:pk>/revoke/", sharing.share_link_revoke, name="share_link_revoke"),
    path(USAGE, usage.product_usage, name="product_usage"),
    path(USAGE + "keys/", usage.ingest_keys, name="ingest_keys"),
    path(USAGE + "keys/<int:pk>/rotate/", usage.ingest_key_rotate, name="ingest_key_rotate"),
    path(USAGE + "keys/<int:pk>/revoke/", usage.ingest_key_revoke, name="ingest_key_revoke"),
    path(WEBHOOKS, webhooks.webhook_list, name="webhook_list"),
    path(WEBHOOKS + "<int:pk>/", webhooks.webhook_detail, name="webhook_detail"),
    path(WEBHOOKS + "<int:pk>/delete/", webhooks.webhook_delete, name="webhook_delete"),
    path(WEBHOOKS + "<int:pk>/ping/", webhooks.webhook_ping, name="webhook_ping"),
    path(WEBHOOKS + "<int:pk>/secret/", webhooks.webhook_secret_rotate, name="webhook_secret_rotate"),
    path(WEBHOOKS + "<int:pk>/deliveries/<int:delivery_pk>/redeliver/", webhooks.webhook_redeliver,
         name="webhook_redeliver"),
    path("w/<slug:ws>/settings/export/", backup.workspace_export_page, name="workspace_export"),
    path("w/<slug:ws>/settings/export/download/", backup.workspace_export_download, name="workspace_export_download"),
    path("api/v1/events", EventsIngest.as_view(), name="events_ingest"),
]

urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(
        authentication_form=SignInForm, redirect_authenticated_user=True), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    # Every app's API, under /api/v1/w/<workspace slug>/ and (deprecated) /api/v1/: strategy.api.scoping.
    *workspace_api_urls("api/v1/", ["strategy.api.urls", "releases.api.urls", "feedback.api.urls",
                                    "roadmap.api.urls"]),
    path("admin/", admin.site.urls),
    path("", include((roadmap_patterns, "roadmap"))),
    path("", include("strategy.urls")),
    path("", include("releases.urls")),
    path("", include("feedback.urls")),
    path("", include("feedback.portal_urls")),
]

handler404 = "roadmap.api.not_found"
