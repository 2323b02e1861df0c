"""Pages of a product's strategy, under /w/<ws>/products/<key>/strategy/."""

from django.urls import path

from .views import strategy as views

urlpatterns: list = [
    path("", views.strategy_overview, name="strategy_overview"),
    path("vision/", views.vision_edit, name="vision_edit"),
    path("vision/history/", views.vision_history, name="vision_history"),
    path("vision/history/<int:history_id>/restore/", views.vision_restore, name="vision_restore"),
    path("personas/", views.persona_list, name="persona_list"),
    path("personas/new/", views.persona_create, name="persona_create"),
    path("personas/<int:pk>/", views.persona_detail, name="persona_detail"),
    path("personas/<int:pk>/edit/", views.persona_edit, name="persona_edit"),
    path("personas/<int:pk>/delete/", views.persona_delete, name="persona_delete"),
    path("competitors/", views.competitor_list, name="competitor_list"),
    path("competitors/new/", views.competitor_create, name="competitor_create"),
    path("competitors/compare/", views.competitor_comparison, name="competitor_comparison"),
    path("competitors/compare/criteria/", views.criterion_create, name="criterion_create"),
    path("competitors/compare/criteria/<int:pk>/edit/", views.criterion_edit, name="criterion_edit"),
    path("competitors/compare/criteria/<int:pk>/delete/", views.criterion_delete, name="criterion_delete"),
    path("competitors/<int:pk>/", views.competitor_detail, name="competitor_detail"),
    path("competitors/<int:pk>/edit/", views.competitor_edit, name="competitor_edit"),
    path("competitors/<int:pk>/delete/", views.competitor_delete, name="competitor_delete"),
]
