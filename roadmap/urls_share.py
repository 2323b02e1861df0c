from django.urls import path

from . import views_share

urlpatterns = [
    path("s/<str:token>/", views_share.shared_view, name="shared_view"),
    path("w/<slug:ws>/products/<str:key>/roadmap/share/", views_share.share_link_list, name="share_link_list"),
    path("w/<slug:ws>/products/<str:key>/roadmap/share/<int:pk>/revoke/", views_share.share_link_revoke,
         name="share_link_revoke"),
]
