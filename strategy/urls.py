from django.urls import path

from .views import goals, positioning, tenancy

WS = "w/<slug:ws>/"
STRATEGY = WS + "products/<str:key>/strategy/"

app_name = "strategy"

urlpatterns = [
    path("", tenancy.home, name="home"),
    path("workspaces/new/", tenancy.workspace_create, name="workspace_create"),
    path("invitations/<str:token>/", tenancy.invitation_accept, name="invitation_accept"),
    path("account/", tenancy.account, name="account"),
    path("account/tokens/", tenancy.api_token_create, name="api_token_create"),
    path("account/tokens/<int:pk>/revoke/", tenancy.api_token_revoke, name="api_token_revoke"),
    path(WS, tenancy.portfolio, name="portfolio"),
    path(WS + "settings/", tenancy.workspace_settings, name="workspace_settings"),
    path(WS + "members/", tenancy.member_list, name="member_list"),
    path(WS + "members/invite/", tenancy.member_invite, name="member_invite"),
    path(WS + "members/<int:pk>/role/", tenancy.member_role, name="member_role"),
    path(WS + "members/<int:pk>/remove/", tenancy.member_remove, name="member_remove"),
    path(WS + "invitations/<int:pk>/resend/", tenancy.invitation_action, {"action": "resend"},
         name="invitation_resend"),
    path(WS + "invitations/<int:pk>/revoke/", tenancy.invitation_action, {"action": "revoke"},
         name="invitation_revoke"),
    path(WS + "products/new/", tenancy.product_create, name="product_create"),
    path(WS + "products/<str:key>/", tenancy.product_detail, name="product_detail"),
    path(WS + "products/<str:key>/edit/", tenancy.product_edit, name="product_edit"),
    path(WS + "products/<str:key>/archive/", tenancy.product_archive, name="product_archive"),
    # A product's positioning, under its strategy pages.
    path(STRATEGY, positioning.strategy_overview, name="strategy_overview"),
    path(STRATEGY + "vision/", positioning.vision_edit, name="vision_edit"),
    path(STRATEGY + "vision/history/", positioning.vision_history, name="vision_history"),
    path(STRATEGY + "vision/history/<int:history_id>/restore/", positioning.vision_restore, name="vision_restore"),
    path(STRATEGY + "personas/", positioning.persona_list, name="persona_list"),
    path(STRATEGY + "personas/new/", positioning.persona_create, name="persona_create"),
    path(STRATEGY + "personas/<int:pk>/", positioning.persona_detail, name="persona_detail"),
    path(STRATEGY + "personas/<int:pk>/edit/", positioning.persona_edit, name="persona_edit"),
    path(STRATEGY + "personas/<int:pk>/delete/", positioning.persona_delete, name="persona_delete"),
    path(STRATEGY + "competitors/", positioning.competitor_list, name="competitor_list"),
    path(STRATEGY + "competitors/new/", positioning.competitor_create, name="competitor_create"),
    path(STRATEGY + "competitors/compare/", positioning.competitor_comparison, name="competitor_comparison"),
    path(STRATEGY + "competitors/compare/criteria/", positioning.criterion_create, name="criterion_create"),
    path(STRATEGY + "competitors/compare/criteria/<int:pk>/edit/", positioning.criterion_edit, name="criterion_edit"),
    path(STRATEGY + "competitors/compare/criteria/<int:pk>/delete/", positioning.criterion_delete,
         name="criterion_delete"),
    path(STRATEGY + "competitors/<int:pk>/", positioning.competitor_detail, name="competitor_detail"),
    path(STRATEGY + "competitors/<int:pk>/edit/", positioning.competitor_edit, name="competitor_edit"),
    path(STRATEGY + "competitors/<int:pk>/delete/", positioning.competitor_delete, name="competitor_delete"),
    # Goals and key results across the workspace, and a product's goals and initiatives.
    path(WS + "goals/", goals.goal_list, name="goal_list"),
    path(WS + "goals/new/", goals.goal_create, name="goal_create"),
    path(WS + "goals/<int:pk>/", goals.goal_detail, name="goal_detail"),
    path(WS + "goals/<int:pk>/edit/", goals.goal_edit, name="goal_edit"),
    path(WS + "goals/<int:pk>/delete/", goals.goal_delete, name="goal_delete"),
    path(WS + "goals/<int:goal_pk>/key-results/new/", goals.key_result_create, name="key_result_create"),
    path(WS + "goals/<int:goal_pk>/key-results/<int:pk>/edit/", goals.key_result_edit, name="key_result_edit"),
    path(WS + "goals/<int:goal_pk>/key-results/<int:pk>/delete/", goals.key_result_delete, name="key_result_delete"),
    path(WS + "goals/<int:goal_pk>/key-results/<int:pk>/check-in/", goals.key_result_check_in,
         name="key_result_check_in"),
    path(STRATEGY + "goals/", goals.product_goal_list, name="product_goal_list"),
    path(STRATEGY + "initiatives/", goals.initiative_list, name="initiative_list"),
    path(STRATEGY + "initiatives/new/", goals.initiative_create, name="initiative_create"),
    path(STRATEGY + "initiatives/<int:pk>/", goals.initiative_detail, name="initiative_detail"),
    path(STRATEGY + "initiatives/<int:pk>/edit/", goals.initiative_edit, name="initiative_edit"),
    path(STRATEGY + "initiatives/<int:pk>/delete/", goals.initiative_delete,
         name="initiative_delete"),
]
