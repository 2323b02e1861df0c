"""Pages of the feedback app: a product's ideas, feedback inbox and likely duplicates, the
workspace's customers, and the unsubscribe page of shipped emails. (The public portal's
pages are in portal_urls.py.)"""

from django.urls import path

from .views import customers, ideas, loop, notes

WORKSPACE = "w/<slug:ws>/"
PRODUCT = WORKSPACE + "products/<str:key>/"
IDEAS = PRODUCT + "ideas/"
IDEA = IDEAS + "<int:pk>/"
NOTES = PRODUCT + "feedback/"
CUSTOMERS = WORKSPACE + "customers/"

app_name = "feedback"

urlpatterns = [
    path("feedback/unsubscribe/<str:token>/", loop.unsubscribe, name="unsubscribe"),
    path(IDEAS, ideas.idea_list, name="idea_list"),
    path(IDEAS + "new/", ideas.idea_create, name="idea_create"),
    path(IDEAS + "similar/", ideas.idea_suggestions, name="idea_suggestions"),
    path(IDEAS + "duplicates/", ideas.merge_suggestions, name="merge_suggestions"),
    path(IDEA, ideas.idea_detail, name="idea_detail"),
    path(IDEA + "edit/", ideas.idea_edit, name="idea_edit"),
    path(IDEA + "status/", ideas.idea_status, name="idea_status"),
    path(IDEA + "vote/", ideas.idea_vote, name="idea_vote"),
    path(IDEA + "vote-for/", ideas.idea_vote_for, name="idea_vote_for"),
    path(IDEA + "comments/", ideas.idea_comment, name="idea_comment"),
    path(IDEA + "promote/", ideas.idea_promote, name="idea_promote"),
    path(IDEA + "merge/", ideas.idea_merge, name="idea_merge"),
    path(NOTES + "inbox/", notes.inbox, name="inbox"),
    path(NOTES + "new/", notes.note_create, name="note_create"),
    path(NOTES + "<int:pk>/link/", notes.note_link, name="note_link"),
    path(NOTES + "<int:pk>/processed/", notes.note_process, name="note_process"),
    path(CUSTOMERS, customers.customer_list, name="customer_list"),
    path(CUSTOMERS + "new/", customers.customer_create, name="customer_create"),
    path(CUSTOMERS + "<int:pk>/", customers.customer_detail, name="customer_detail"),
    path(CUSTOMERS + "<int:pk>/edit/", customers.customer_edit, name="customer_edit"),
    path(CUSTOMERS + "<int:pk>/contacts/", customers.contact_create, name="contact_create"),
    path(CUSTOMERS + "<int:pk>/contacts/<int:contact_pk>/delete/", customers.contact_delete, name="contact_delete"),
]
