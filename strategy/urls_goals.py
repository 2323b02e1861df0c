"""Goals, key results and initiatives, under /w/<ws>/."""

from django.urls import path

from .views import goals as views

urlpatterns = [
    path("goals/", views.goal_list, name="goal_list"),
    path("goals/new/", views.goal_create, name="goal_create"),
    path("goals/<int:pk>/", views.goal_detail, name="goal_detail"),
    path("goals/<int:pk>/edit/", views.goal_edit, name="goal_edit"),
    path("goals/<int:pk>/delete/", views.goal_delete, name="goal_delete"),
    path("goals/<int:goal_pk>/key-results/new/", views.key_result_create, name="key_result_create"),
    path("goals/<int:goal_pk>/key-results/<int:pk>/edit/", views.key_result_edit, name="key_result_edit"),
    path("goals/<int:goal_pk>/key-results/<int:pk>/delete/", views.key_result_delete, name="key_result_delete"),
    path("goals/<int:goal_pk>/key-results/<int:pk>/check-in/", views.key_result_check_in,
         name="key_result_check_in"),
    path("products/<str:key>/strategy/goals/", views.product_goal_list, name="product_goal_list"),
    path("products/<str:key>/strategy/initiatives/", views.initiative_list, name="initiative_list"),
    path("products/<str:key>/strategy/initiatives/new/", views.initiative_create, name="initiative_create"),
    path("products/<str:key>/strategy/initiatives/<int:pk>/", views.initiative_detail, name="initiative_detail"),
    path("products/<str:key>/strategy/initiatives/<int:pk>/edit/", views.initiative_edit, name="initiative_edit"),
    path("products/<str:key>/strategy/initiatives/<int:pk>/delete/", views.initiative_delete,
         name="initiative_delete"),
]
