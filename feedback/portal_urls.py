"""The public ideas portal (namespace `portal`), mounted at the site root: its public pages
under /portal/<workspace>/<product key>/, and the page in the app where admins switch it on."""

from django.urls import path

from .views import portal

app_name = "portal"

PORTAL = "portal/<slug:ws>/<str:key>/"

urlpatterns = [
    path(PORTAL, portal.home, name="home"),
    path(PORTAL + "ideas/new/", portal.idea_submit, name="idea_submit"),
    path(PORTAL + "ideas/similar/", portal.idea_similar, name="idea_similar"),
    path(PORTAL + "ideas/<int:pk>/", portal.idea_detail, name="idea_detail"),
    path(PORTAL + "ideas/<int:pk>/vote/", portal.idea_vote, name="idea_vote"),
    path(PORTAL + "ideas/<int:pk>/comments/", portal.idea_comment, name="idea_comment"),
    path(PORTAL + "roadmap/", portal.roadmap, name="roadmap"),
    path(PORTAL + "changelog/", portal.changelog, name="changelog"),
    path(PORTAL + "changelog/feed.atom", portal.changelog_feed, name="changelog_feed"),
    path(PORTAL + "sign-in/", portal.sign_in, name="sign_in"),
    path(PORTAL + "sign-in/<str:token>/", portal.sign_in_link, name="sign_in_link"),
    path(PORTAL + "sign-out/", portal.sign_out, name="sign_out"),
    path(PORTAL + "me/", portal.preferences, name="preferences"),
    path("w/<slug:ws>/products/<str:key>/portal/", portal.portal_settings, name="settings"),
]
