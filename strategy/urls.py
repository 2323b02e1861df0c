from django.urls import include, path

from .views import tenancy as views

urlpatterns = [
    path("", views.home, name="home"),
    path("workspaces/new/", views.workspace_create, name="workspace_create"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("account/", views.account, name="account"),
    path("account/tokens/", views.api_token_create, name="api_token_create"),
    path("account/tokens/<int:pk>/revoke/", views.api_token_revoke, name="api_token_revoke"),
    path("w/<slug:ws>/", views.portfolio, name="portfolio"),
    path("w/<slug:ws>/settings/", views.workspace_settings, name="workspace_settings"),
    path("w/<slug:ws>/members/", views.member_list, name="member_list"),
    path("w/<slug:ws>/members/invite/", views.member_invite, name="member_invite"),
    path("w/<slug:ws>/members/<int:pk>/role/", views.member_role, name="member_role"),
    path("w/<slug:ws>/members/<int:pk>/remove/", views.member_remove, name="member_remove"),
    path("w/<slug:ws>/invitations/<int:pk>/resend/", views.invitation_action, {"action": "resend"},
         name="invitation_resend"),
    path("w/<slug:ws>/invitations/<int:pk>/revoke/", views.invitation_action, {"action": "revoke"},
         name="invitation_revoke"),
    path("w/<slug:ws>/products/new/", views.product_create, name="product_create"),
    path("w/<slug:ws>/products/<str:key>/", views.product_detail, name="product_detail"),
    path("w/<slug:ws>/products/<str:key>/edit/", views.product_edit, name="product_edit"),
    path("w/<slug:ws>/products/<str:key>/archive/", views.product_archive, name="product_archive"),
    path("w/<slug:ws>/products/<str:key>/strategy/", include("strategy.urls_strategy")),
    path("w/<slug:ws>/", include("strategy.urls_goals")),
]
