"""The /api/v1/ endpoints of feedback: customers, contacts, ideas (merge, promote, status,
comments, demand), votes, feedback notes (link, triage) and the ingestion endpoint."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from feedback.models import Customer, FeedbackNote, Idea, Vote
from strategy import services as strategy_services
from tests.api_urls import api_url
from tests.conftest import count_queries
from tests.factories import (
    ContactFactory,
    CustomerFactory,
    FeatureFactory,
    FeedbackNoteFactory,
    IdeaFactory,
    VoteFactory,
)

pytestmark = pytest.mark.django_db


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def url(name, *args):
    return api_url(f"feedback-api:{name}", args=args)


# --- customers and contacts -------------------------------------------------------------------


def test_an_editor_creates_changes_and_deletes_a_customer(editor, workspace):
    created = api(editor).post(url("customer-list"), {"workspace": "acme", "name": "Initech",
                                                      "segment": "enterprise", "annual_revenue": "120000"},
                               format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["name"], body["annual_revenue"], body["contact_count"]) == ("Initech", "120000.00", 0)

    changed = api(editor).patch(url("customer-detail", body["id"]), {"plan": "Enterprise", "version": 1},
                                format="json")
    assert changed.status_code == 200
    assert changed.json()["plan"] == "Enterprise"

    stale = api(editor).patch(url("customer-detail", body["id"]), {"plan": "Pro", "version": 1}, format="json")
    assert stale.status_code == 409

    assert api(editor).delete(url("customer-detail", body["id"])).status_code == 204
    assert not Customer.objects.exists()


def test_bad_customer_input_answers_400_by_field(editor, workspace):
    response = api(editor).post(url("customer-list"), {"workspace": "acme", "name": "",
                                                       "annual_revenue": "-5"}, format="json")
    assert response.status_code == 400
    assert {"name", "annual_revenue"} <= set(response.json())


def test_viewers_get_403_before_their_input_is_looked_at(viewer, workspace, acme_corp, idea):
    assert api(viewer).post(url("customer-list"), {"workspace": "acme"}, format="json").status_code == 403
    assert api(viewer).patch(url("customer-detail", acme_corp.pk), {"name": ""}, format="json").status_code == 403
    assert api(viewer).post(url("contact-list"), {"customer": acme_corp.pk}, format="json").status_code == 403
    assert api(viewer).post(url("idea-merge", idea.pk), {}, format="json").status_code == 403
    assert api(viewer).post(url("idea-promote", idea.pk), {}, format="json").status_code == 403
    assert api(viewer).post(url("feedback-note-list"), {"product": idea.product_id}, format="json").status_code == 403


def test_contacts_are_created_for_a_customer(editor, acme_corp):
    response = api(editor).post(url("contact-list"), {"customer": acme_corp.pk, "name": "Ann",
                                                      "email": "Ann@Acme.example"}, format="json")
    assert response.status_code == 201
    assert (response.json()["email"], response.json()["customer_name"]) == ("ann@acme.example", "Acme Corp")


def test_another_workspaces_records_are_not_found(editor, other_workspace):
    customer = CustomerFactory(workspace=other_workspace)
    idea = IdeaFactory(product__workspace=other_workspace)
    note = FeedbackNoteFactory(product=idea.product)
    for name, pk in (("customer-detail", customer.pk), ("idea-detail", idea.pk), ("feedback-note-detail", note.pk)):
        assert api(editor).get(url(name, pk)).status_code == 404
    assert api(editor).get(url("customer-list")).json()["results"] == []
    listed = api(editor).post(url("vote-list"), {"idea": idea.pk}, format="json")
    assert listed.status_code == 400
    assert "idea" in listed.json()


# --- ideas ------------------------------------------------------------------------------------


def test_a_viewer_submits_an_idea_and_votes_for_it_once(viewer, product):
    created = api(viewer).post(url("idea-list"), {"product": product.pk, "title": "Dark mode"}, format="json")
    assert created.status_code == 201, created.json()
    idea_id = created.json()["id"]

    first = api(viewer).post(url("vote-list"), {"idea": idea_id}, format="json")
    again = api(viewer).post(url("vote-list"), {"idea": idea_id}, format="json")

    assert (first.status_code, again.status_code) == (201, 200)
    assert api(viewer).get(url("idea-detail", idea_id)).json()["vote_count"] == 1
    assert api(viewer).delete(url("vote-detail", first.json()["id"])).status_code == 204
    assert not Vote.objects.exists()


def test_a_viewer_cannot_take_back_someone_elses_vote(viewer, editor, idea):
    vote = VoteFactory(idea=idea, user=editor)
    assert api(viewer).delete(url("vote-detail", vote.pk)).status_code == 403
    assert Vote.objects.exists()


def test_ideas_sort_by_demand_and_search_notes_too(viewer, product, acme_corp, alice):
    quiet = IdeaFactory(product=product, title="Offline mode")
    heavy = IdeaFactory(product=product, title="Audit log")
    VoteFactory(idea=quiet, user=viewer)
    VoteFactory(idea=quiet)
    VoteFactory(idea=heavy, contact=alice)
    FeedbackNoteFactory(product=product, customer=acme_corp, ideas=[heavy], text="We need SOC2 evidence trails")

    by_demand = api(viewer).get(url("idea-list"), {"sort": "demand", "product": product.pk}).json()["results"]
    by_votes = api(viewer).get(url("idea-list"), {"product": product.pk}).json()["results"]
    searched = api(viewer).get(url("idea-list"), {"q": "evidence"}).json()["results"]

    assert [row["title"] for row in by_demand] == ["Audit log", "Offline mode"]
    assert [row["title"] for row in by_votes] == ["Offline mode", "Audit log"]
    assert [row["title"] for row in searched] == ["Audit log"]
    assert api(viewer).get(url("idea-list"), {"sort": "loudest"}).status_code == 400


def test_the_idea_list_costs_the_same_for_2_and_20_ideas(viewer, product):
    IdeaFactory.create_batch(2, product=product)
    few = count_queries(lambda: api(viewer).get(url("idea-list"), {"sort": "trend"}))
    IdeaFactory.create_batch(18, product=product, feature=FeatureFactory(product=product))
    assert count_queries(lambda: api(viewer).get(url("idea-list"), {"sort": "trend"})) == few


def test_status_with_a_public_note(editor, idea):
    response = api(editor).post(url("idea-set-status", idea.pk), {"status": "planned", "note": "Q3"}, format="json")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["status_note"]) == ("planned", "Q3")
    assert api(editor).post(url("idea-set-status", idea.pk), {"status": "soon"}, format="json").status_code == 400


def test_merge_through_the_api(editor, idea, other_idea, alice):
    VoteFactory(idea=other_idea, contact=alice)
    response = api(editor).post(url("idea-merge", other_idea.pk), {"into": idea.pk}, format="json")

    assert response.status_code == 200
    assert (response.json()["id"], response.json()["vote_count"]) == (idea.pk, 1)
    other_idea.refresh_from_db()
    assert other_idea.merged_into == idea
    again = api(editor).post(url("idea-merge", other_idea.pk), {"into": idea.pk}, format="json")
    assert again.status_code == 400
    assert "idea" in again.json()


def test_merging_into_itself_is_a_400_by_field(editor, idea):
    response = api(editor).post(url("idea-merge", idea.pk), {"into": idea.pk}, format="json")
    assert response.status_code == 400
    assert "into" in response.json()


def test_promote_through_the_api_creates_or_links_a_feature(editor, product, idea, other_idea, workflow):
    created = api(editor).post(url("idea-promote", idea.pk), {}, format="json")
    assert created.status_code == 200
    feature = created.json()["feature"]
    assert feature["title"] == "Export reports to CSV"

    linked = api(editor).post(url("idea-promote", other_idea.pk), {"feature": feature["id"]}, format="json")
    assert linked.json()["feature"]["id"] == feature["id"]
    assert linked.json()["status"] == Idea.Status.PLANNED


def test_the_demand_breakdown_names_the_customers_behind_an_idea(viewer, idea, alice, bob):
    VoteFactory(idea=idea, contact=alice)
    VoteFactory(idea=idea, contact=bob)

    rows = api(viewer).get(url("idea-demand", idea.pk)).json()

    assert [(row["name"], row["annual_revenue"], row["votes"]) for row in rows] == [
        ("Acme Corp", "100000.00", 1), ("Beta Ltd", "50000.00", 1)]


def test_members_comment_on_ideas(viewer, idea):
    created = api(viewer).post(url("idea-comments", idea.pk), {"body": "Support hears this weekly"}, format="json")
    assert created.status_code == 201
    listed = api(viewer).get(url("idea-comments", idea.pk)).json()["results"]
    assert [c["body"] for c in listed] == ["Support hears this weekly"]


# --- feedback notes ---------------------------------------------------------------------------


def test_an_editor_records_links_and_triages_a_note(editor, product, idea, acme_corp, today):
    created = api(editor).post(url("feedback-note-list"), {
        "product": product.pk, "text": "Finance exports everything to CSV", "date": today.isoformat(),
        "customer": acme_corp.pk, "highlight": "exports everything", "source": "call"}, format="json")
    assert created.status_code == 201, created.json()
    note_id = created.json()["id"]

    linked = api(editor).post(url("feedback-note-link", note_id), {"ideas": [idea.pk]}, format="json")
    assert linked.json()["ideas"] == [idea.pk]
    idea.refresh_from_db()
    assert idea.demand == Decimal("100000.00")

    processed = api(editor).post(url("feedback-note-process", note_id), {}, format="json")
    assert processed.json()["processed"] is True
    inbox = api(editor).get(url("feedback-note-list"), {"processed": "false"}).json()["results"]
    assert inbox == []


def test_a_highlight_not_in_the_text_is_a_400(editor, product, today):
    response = api(editor).post(url("feedback-note-list"), {
        "product": product.pk, "text": "Finance exports to CSV", "date": today.isoformat(),
        "highlight": "PDF"}, format="json")
    assert response.status_code == 400
    assert "highlight" in response.json()
    assert not FeedbackNote.objects.exists()


def test_another_tool_posts_notes_with_a_personal_token_once_per_ticket(editor, product, acme_corp):
    _token, secret = strategy_services.api_token_create(actor=editor, name="Helpdesk")
    client = APIClient(HTTP_AUTHORIZATION=f"Bearer {secret}")
    payload = {"product": product.pk, "text": "Export to CSV crashes with 10k rows", "external_id": "HD-981",
               "contact_email": "ops@acme.example", "customer": acme_corp.pk}

    first = client.post(url("feedback-note-ingest"), payload, format="json")
    again = client.post(url("feedback-note-ingest"), payload, format="json")

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert (first.json()["source"], first.json()["customer_name"]) == ("support_ticket", "Acme Corp")
    assert FeedbackNote.objects.get().contact.email == "ops@acme.example"


def test_ingestion_needs_a_token_or_session_and_an_editor(viewer, product):
    payload = {"product": product.pk, "text": "Hi"}
    assert APIClient().post(url("feedback-note-ingest"), payload, format="json").status_code == 401
    _token, secret = strategy_services.api_token_create(actor=viewer, name="script")
    client = APIClient(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert client.post(url("feedback-note-ingest"), payload, format="json").status_code == 403


def test_contacts_of_another_workspace_cannot_be_named(editor, product, other_workspace, today):
    stranger = ContactFactory(customer__workspace=other_workspace)
    response = api(editor).post(url("feedback-note-list"), {
        "product": product.pk, "text": "x", "date": today.isoformat(), "contact": stranger.pk}, format="json")
    assert response.status_code == 400
    assert "contact" in response.json()
