"""Feature pages, under /w/<ws>/products/<key>/."""

from django.urls import path

from .views import features as views

urlpatterns = [
    path("features/new/", views.feature_create, name="feature_create"),
    path("features/<int:number>/", views.feature_detail, name="feature_detail"),
    path("features/<int:number>/edit/", views.feature_edit, name="feature_edit"),
    path("features/<int:number>/delete/", views.feature_delete, name="feature_delete"),
    path("features/<int:number>/requirements/", views.requirement_create, name="requirement_create"),
    path("features/<int:number>/requirements/<int:pk>/toggle/", views.requirement_toggle, name="requirement_toggle"),
    path("features/<int:number>/requirements/<int:pk>/delete/", views.requirement_delete, name="requirement_delete"),
    path("features/<int:number>/dependencies/", views.dependency_add, name="dependency_add"),
    path("features/<int:number>/dependencies/<int:pk>/remove/", views.dependency_remove, name="dependency_remove"),
    path("features/<int:number>/comments/", views.comment_create, name="comment_create"),
]
