"""Pages of the feedback app."""

from django.urls import path

from .views import loop

app_name = "feedback"

urlpatterns = [
    path("feedback/unsubscribe/<str:token>/", loop.unsubscribe, name="unsubscribe"),
]
