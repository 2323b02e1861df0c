"""One idea's page: sanitised description, explainable demand, highlighted feedback, votes,
comments, status, promote and merge, with permissions and a flat query count."""

from decimal import Decimal

import pytest
from django.urls import reverse

from feedback import services
from feedback.models import Idea, IdeaComment, Vote
from releases.models import Feature
from tests.conftest import count_queries

from .page_data import make_feedback_data, many_ideas

pytestmark = pytest.mark.django_db


@pytest.fixture
def feedback_data(workspace, product, editor, viewer, today):
    return make_feedback_data(workspace, product, editor, viewer, today)


def url(idea, name="feedback:idea_detail"):
    return reverse(name, args=[idea.workspace.slug, idea.product.key, idea.pk])


def test_the_idea_page_explains_its_weighted_demand(client_as_viewer, feedback_data, editor):
    services.note_link(actor=editor, note=feedback_data.note, ideas=[feedback_data.export])

    response = client_as_viewer.get(url(feedback_data.export))

    assert response.status_code == 200
    rows = response.context["breakdown"]
    assert [(row["name"], row["via"], row["revenue_text"]) for row in rows] == [
        ("Globex", ["vote"], "250k"), ("Initrode", ["note"], "12k")]
    assert response.context["demand_text"] == "262k"
    assert response.context["unweighted_votes"] == 1  # the viewer's own vote
    html = response.content.decode()
    assert "<mark>Excel export would save us hours</mark>" in html
    assert "<strong>spreadsheets</strong>" in html


def test_a_customer_behind_a_vote_and_a_note_counts_once(client_as_viewer, feedback_data, editor):
    services.note_link(actor=editor, note=feedback_data.note, ideas=[feedback_data.dark])

    response = client_as_viewer.get(url(feedback_data.dark))

    assert [(row["name"], row["via"]) for row in response.context["breakdown"]] == [("Initrode", ["vote", "note"])]
    assert response.context["demand_text"] == "12k"


def test_script_in_a_description_is_not_rendered(client_as_editor, product, editor):
    idea = services.idea_create(actor=editor, product=product, title="<script>alert(1)</script>",
                                description="<script>alert(2)</script><img src=x onerror=alert(3)>")

    html = client_as_editor.get(url(idea)).content.decode()

    assert "<script>alert" not in html and "onerror" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_member_votes_and_takes_the_vote_back_with_htmx(client_as_viewer, feedback_data, viewer):
    idea = feedback_data.dark

    response = client_as_viewer.post(url(idea, "feedback:idea_vote"), {"vote": "1"}, headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert response.content.decode().lstrip().startswith('<section class="card" id="votes"')
    assert Vote.objects.filter(idea=idea, user=viewer).exists()
    assert "Unvote" in response.content.decode()
    client_as_viewer.post(url(idea, "feedback:idea_vote"), {"vote": "1"})  # twice counts once
    assert Idea.objects.get(pk=idea.pk).vote_count == 2

    response = client_as_viewer.post(url(idea, "feedback:idea_vote"), {"vote": "0"})

    assert response.status_code == 302
    assert not Vote.objects.filter(idea=idea, user=viewer).exists()


def test_an_editor_votes_on_behalf_of_a_contact(client_as_editor, feedback_data):
    idea = feedback_data.dark

    response = client_as_editor.post(url(idea, "feedback:idea_vote_for"), {"contact": feedback_data.hank.pk},
                                     headers={"HX-Request": "true"})

    assert response.status_code == 200
    idea.refresh_from_db()
    assert idea.demand == Decimal("262000")
    again = client_as_editor.post(url(idea, "feedback:idea_vote_for"), {"contact": feedback_data.hank.pk},
                                  headers={"HX-Request": "true"})
    assert again.status_code == 400 and "already voted" in again.content.decode()
    assert Vote.objects.filter(idea=idea, contact=feedback_data.hank).count() == 1


def test_a_viewer_cannot_vote_on_behalf_of_a_contact(client_as_viewer, feedback_data):
    response = client_as_viewer.post(url(feedback_data.dark, "feedback:idea_vote_for"),
                                     {"contact": feedback_data.hank.pk})

    assert response.status_code == 403
    assert not Vote.objects.filter(idea=feedback_data.dark, contact=feedback_data.hank).exists()


def test_voting_for_another_workspaces_idea_is_not_found(client_as_viewer, other_product, product):
    from tests.factories import UserFactory

    stranger = UserFactory()
    from strategy.models import Membership, Role

    Membership.objects.create(workspace=other_product.workspace, user=stranger, role=Role.ADMIN)
    idea = services.idea_create(actor=stranger, product=other_product, title="Secret")
    forged = reverse("feedback:idea_vote", args=[product.workspace.slug, product.key, idea.pk])

    assert client_as_viewer.post(forged, {"vote": "1"}).status_code == 404
    assert client_as_viewer.post(url(idea, "feedback:idea_vote"), {"vote": "1"}).status_code == 404
    assert not Vote.objects.filter(idea=idea).exists()


def test_comments_are_internal_or_public_and_labelled(client_as_viewer, feedback_data):
    idea = feedback_data.export

    client_as_viewer.post(url(idea, "feedback:idea_comment"), {"body": "Members only", "visibility": "internal"})
    response = client_as_viewer.post(url(idea, "feedback:idea_comment"), {"body": "For everyone",
                                                                          "visibility": "public"},
                                     headers={"HX-Request": "true"})

    html = response.content.decode()
    assert response.status_code == 200 and html.lstrip().startswith('<section class="card" id="comments"')
    assert list(IdeaComment.objects.values_list("visibility", flat=True)) == ["internal", "public"]
    assert "fb-comment--internal" in html and "fb-comment--public" in html


def test_an_empty_comment_comes_back_with_its_error(client_as_viewer, feedback_data):
    response = client_as_viewer.post(url(feedback_data.export, "feedback:idea_comment"), {"body": " ",
                                                                                          "visibility": "public"})

    assert response.status_code == 400
    assert response.context["comment_form"].errors["body"]
    assert not IdeaComment.objects.exists()


def test_an_editor_changes_the_status_with_a_public_note(client_as_editor, feedback_data):
    response = client_as_editor.post(url(feedback_data.export, "feedback:idea_status"),
                                     {"status": "planned", "note": "Coming in Q3."})

    assert response.status_code == 302
    idea = Idea.objects.get(pk=feedback_data.export.pk)
    assert (idea.status, idea.status_note) == ("planned", "Coming in Q3.")
    html = client_as_editor.get(url(idea)).content.decode()
    assert "Coming in Q3." in html and "moved it from New to Planned" in html


def test_a_viewer_sees_no_editor_controls_and_cannot_change_the_status(client_as_viewer, feedback_data):
    html = client_as_viewer.get(url(feedback_data.export)).content.decode()
    assert "Promote" not in html and "Vote on behalf" not in html and "Change status" not in html

    response = client_as_viewer.post(url(feedback_data.export, "feedback:idea_status"), {"status": "declined"})

    assert response.status_code == 403
    assert Idea.objects.get(pk=feedback_data.export.pk).status == "new"


def test_promote_to_a_new_feature(client_as_editor, feedback_data, workflow):
    response = client_as_editor.post(url(feedback_data.export, "feedback:idea_promote"),
                                     {"how": "new", "title": "Excel export"})

    idea = Idea.objects.get(pk=feedback_data.export.pk)
    assert response.status_code == 302
    assert idea.feature.title == "Excel export" and idea.status == "planned"
    assert idea.feature.demand == Decimal("250000")
    html = client_as_editor.get(url(idea)).content.decode()
    assert idea.feature.key in html and "promoted it to a new feature" in html


def test_promote_by_linking_an_existing_feature_of_the_product(client_as_editor, feedback_data, workflow, editor):
    from releases import services as release_services

    feature = release_services.feature_create(actor=editor, product=feedback_data.export.product, title="Reports v2")

    response = client_as_editor.post(url(feedback_data.export, "feedback:idea_promote"),
                                     {"how": "existing", "feature": f"{feature.key} Reports v2"})

    assert response.status_code == 302
    assert Idea.objects.get(pk=feedback_data.export.pk).feature == feature


def test_promoting_to_a_feature_that_is_not_the_products_is_refused(client_as_editor, feedback_data, workflow):
    response = client_as_editor.post(url(feedback_data.export, "feedback:idea_promote"),
                                     {"how": "existing", "feature": "MOB-999"})

    assert response.status_code == 400
    assert "is not a feature of" in str(response.context["promote_form"].errors["feature"])
    assert not Feature.objects.exists()


def test_a_new_feature_needs_a_title(client_as_editor, feedback_data, workflow):
    response = client_as_editor.post(url(feedback_data.export, "feedback:idea_promote"), {"how": "new", "title": ""})

    assert response.status_code == 400
    assert response.context["promote_form"].errors["title"]
    assert not Feature.objects.exists()


def test_merging_asks_for_confirmation_then_moves_everything(client_as_editor, feedback_data, editor, viewer):
    duplicate = services.idea_create(actor=editor, product=feedback_data.export.product, title="Excel report export")
    services.vote_add(actor=viewer, idea=duplicate)  # the viewer also voted for the target
    services.vote_add(actor=editor, idea=duplicate, contact=feedback_data.mia)

    page = client_as_editor.get(url(duplicate, "feedback:idea_merge"))
    assert [idea.title for idea in page.context["candidates"]][0] == "Export reports to Excel"
    confirm = client_as_editor.post(url(duplicate, "feedback:idea_merge"), {"target": feedback_data.export.pk})
    assert confirm.status_code == 200 and "Merge #" in confirm.content.decode()
    assert Idea.objects.get(pk=duplicate.pk).merged_into is None

    response = client_as_editor.post(url(duplicate, "feedback:idea_merge"),
                                     {"target": feedback_data.export.pk, "confirm": "True"})

    assert response.status_code == 302 and response["Location"] == url(feedback_data.export)
    target = Idea.objects.get(pk=feedback_data.export.pk)
    assert target.vote_count == 3  # hank, the viewer (once), mia
    assert target.demand == Decimal("262000")
    redirect = client_as_editor.get(url(duplicate), follow=True)
    assert redirect.redirect_chain == [(url(feedback_data.export), 302)]
    assert "was merged into this one" in redirect.content.decode()


def test_merging_into_itself_or_another_product_is_refused(client_as_editor, feedback_data, editor, workspace):
    from tests.factories import ProductFactory

    elsewhere = services.idea_create(actor=editor, product=ProductFactory(workspace=workspace, key="WEB"),
                                     title="Elsewhere")
    for target in (feedback_data.export.pk, elsewhere.pk):
        response = client_as_editor.post(url(feedback_data.export, "feedback:idea_merge"),
                                         {"target": target, "confirm": "True"})
        assert response.status_code == 400
        assert response.context["form"].errors["target"]
    assert not Idea.objects.filter(merged_into__isnull=False).exists()


def test_a_viewer_cannot_merge(client_as_viewer, feedback_data):
    response = client_as_viewer.post(url(feedback_data.dark, "feedback:idea_merge"),
                                     {"target": feedback_data.export.pk, "confirm": "True"})

    assert response.status_code == 403
    assert Idea.objects.get(pk=feedback_data.dark.pk).merged_into is None


def test_the_idea_page_costs_the_same_queries_with_few_or_many_votes_and_notes(client_as_editor, feedback_data,
                                                                                editor, workspace, today):
    idea = feedback_data.export
    client_as_editor.get(url(idea))
    few = count_queries(lambda: client_as_editor.get(url(idea)))
    for n in range(15):
        customer = services.customer_create(actor=editor, workspace=workspace, name=f"Customer {n}",
                                            annual_revenue=1000 * n)
        contact = services.contact_create(actor=editor, customer=customer, name=f"Person {n}")
        services.vote_add(actor=editor, idea=idea, contact=contact)
        services.note_create(actor=editor, product=idea.product, customer=customer, date=today, text=f"Note {n}",
                             ideas=[idea])
        services.idea_comment_create(actor=editor, idea=idea, body=f"Comment {n}")

    assert count_queries(lambda: client_as_editor.get(url(idea))) == few


def test_the_idea_page_costs_the_same_queries_with_10_or_5000_ideas(client_as_editor, feedback_data):
    idea = feedback_data.export
    many_ideas(idea.product, 8, contact=feedback_data.hank)
    client_as_editor.get(url(idea))
    few = count_queries(lambda: client_as_editor.get(url(idea)))
    many_ideas(idea.product, 4990, contact=feedback_data.hank)

    assert count_queries(lambda: client_as_editor.get(url(idea))) == few
