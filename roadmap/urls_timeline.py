"""Timeline roadmaps of a product or product line, under w/<ws>/products/<key>/roadmap/."""

from django.urls import path

from . import views_timeline as views

ROADMAP = "w/<slug:ws>/products/<str:key>/roadmap/"

urlpatterns = [
    path(ROADMAP, views.product_timeline, name="product_timeline"),
    path(ROADMAP + "features/reschedule/", views.feature_reschedule, name="feature_reschedule"),
    path(ROADMAP + "releases/reschedule/", views.release_reschedule, name="release_reschedule"),
    path(ROADMAP + "export.svg", views.timeline_export_svg, name="timeline_export_svg"),
    path(ROADMAP + "export.csv", views.timeline_export_csv, name="timeline_export_csv"),
    path(ROADMAP + "portfolio/", views.portfolio_timeline, name="portfolio_timeline"),
]
