from rest_framework.routers import DefaultRouter

from .customers import ContactViewSet, CustomerViewSet
from .ideas import IdeaViewSet, VoteViewSet
from .notes import FeedbackNoteViewSet

router = DefaultRouter()
router.register("customers", CustomerViewSet, basename="customer")
router.register("contacts", ContactViewSet, basename="contact")
router.register("ideas", IdeaViewSet, basename="idea")
router.register("votes", VoteViewSet, basename="vote")
router.register("feedback-notes", FeedbackNoteViewSet, basename="feedback-note")

app_name = "feedback-api"

urlpatterns = router.urls
