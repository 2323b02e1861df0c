"""Roadmap views by time horizon: Now / Next / Later and the release timeline."""

from django.urls import path

from . import views_horizons

urlpatterns = [
    path("w/<slug:ws>/products/<str:key>/roadmap/now-next-later/", views_horizons.now_next_later,
         name="now_next_later"),
    path("w/<slug:ws>/products/<str:key>/roadmap/releases/", views_horizons.release_timeline,
         name="release_timeline"),
]
