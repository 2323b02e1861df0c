"""The ideas list and the new-idea form: sorting, filters, full-text search, htmx partials,
duplicate suggestions, permissions and flat query counts."""

import pytest
from django.urls import reverse

from feedback import services
from feedback.models import Idea
from tests.conftest import count_queries

from .page_data import make_feedback_data, many_ideas

pytestmark = pytest.mark.django_db


@pytest.fixture
def feedback_data(workspace, product, editor, viewer, today):
    return make_feedback_data(workspace, product, editor, viewer, today)


def list_url(product, **query):
    url = reverse("feedback:idea_list", args=[product.workspace.slug, product.key])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def titles(response):
    return [row.title for row in response.context["rows"]]


def test_the_ideas_list_shows_votes_demand_and_status_sorted_by_demand(client_as_viewer, product, feedback_data):
    response = client_as_viewer.get(list_url(product))

    assert response.status_code == 200
    assert titles(response) == ["Export reports to Excel", "Dark mode"]
    export = response.context["rows"][0]
    assert (export.votes, export.demand_text, export.demand_percent, export.trend) == (2, "250k", 100, 2)
    html = response.content.decode()
    assert "badge--status-todo" in html and "Reporting" in html


def test_sorting_by_votes_and_recency(client_as_viewer, product, feedback_data, editor, viewer):
    services.vote_add(actor=viewer, idea=feedback_data.dark)
    services.vote_add(actor=editor, idea=feedback_data.dark)

    assert titles(client_as_viewer.get(list_url(product, sort="votes"))) == ["Dark mode", "Export reports to Excel"]
    assert titles(client_as_viewer.get(list_url(product, sort="recent"))) == ["Dark mode", "Export reports to Excel"]
    assert titles(client_as_viewer.get(list_url(product, sort="trend")))[0] == "Dark mode"


def test_filters_by_status_category_and_segment(client_as_viewer, product, feedback_data, editor):
    services.idea_status_set(actor=editor, idea=feedback_data.dark, status=Idea.Status.DECLINED)

    assert titles(client_as_viewer.get(list_url(product, status="declined"))) == ["Dark mode"]
    assert titles(client_as_viewer.get(list_url(product, status="open"))) == ["Export reports to Excel"]
    assert titles(client_as_viewer.get(list_url(product, category="Design"))) == ["Dark mode"]
    assert titles(client_as_viewer.get(list_url(product, segment="enterprise"))) == ["Export reports to Excel"]
    assert titles(client_as_viewer.get(list_url(product, segment="smb"))) == ["Dark mode"]


def test_full_text_search_finds_ideas_through_their_feedback_notes(client_as_viewer, product, feedback_data, editor):
    services.note_link(actor=editor, note=feedback_data.note, ideas=[feedback_data.dark])

    response = client_as_viewer.get(list_url(product, q="hours"))

    assert titles(response) == ["Dark mode"]
    assert "best match first" in response.content.decode()
    assert titles(client_as_viewer.get(list_url(product, q="spreadsheets"))) == ["Export reports to Excel"]


def test_a_search_without_matches_says_so(client_as_viewer, product, feedback_data):
    response = client_as_viewer.get(list_url(product, q="teleportation"))

    assert response.context["rows"] == []
    assert "No ideas match" in response.content.decode()


def test_htmx_asks_for_the_results_only(client_as_viewer, product, feedback_data):
    response = client_as_viewer.get(list_url(product, q="excel"), headers={"HX-Request": "true"})

    html = response.content.decode()
    assert html.lstrip().startswith('<div id="idea-results"')
    assert "<html" not in html
    assert "Export reports to Excel" in html


def test_an_empty_product_explains_ideas_and_offers_the_first_one(client_as_viewer, product):
    html = client_as_viewer.get(list_url(product)).content.decode()

    assert "No ideas yet" in html
    assert reverse("feedback:idea_create", args=[product.workspace.slug, product.key]) in html


def test_the_list_is_linked_from_the_sidebar_with_the_inbox_count(client_as_viewer, product, feedback_data):
    html = client_as_viewer.get(list_url(product)).content.decode()

    assert 'title="1 feedback note to triage"' in html


def test_a_feature_filter_shows_the_ideas_linked_to_it(client_as_editor, product, feedback_data, editor, workflow):
    idea = services.idea_promote(actor=editor, idea=feedback_data.export, title="Excel export")

    response = client_as_editor.get(list_url(product, feature=idea.feature_id))

    assert titles(response) == ["Export reports to Excel"]
    assert response.context["feature_filter"]["key"] == idea.feature.key


def test_the_list_paginates(client_as_viewer, product):
    many_ideas(product, 120)

    first = client_as_viewer.get(list_url(product))
    third = client_as_viewer.get(list_url(product, page=3))

    assert len(first.context["rows"]) == 50
    assert len(third.context["rows"]) == 20
    assert "Page 3 of 3" in third.content.decode()


def test_another_workspaces_product_is_not_found(client_as_viewer, other_product):
    assert client_as_viewer.get(list_url(other_product)).status_code == 404


@pytest.mark.parametrize("sort", ["demand", "votes", "trend", "recent"])
def test_the_list_costs_the_same_queries_for_10_and_5000_ideas(client_as_viewer, product, feedback_data, sort):
    many_ideas(product, 8, contact=feedback_data.hank)
    client_as_viewer.get(list_url(product))  # the session and the roles, read once
    few = count_queries(lambda: client_as_viewer.get(list_url(product, sort=sort)))
    many_ideas(product, 4990, contact=feedback_data.hank)

    assert count_queries(lambda: client_as_viewer.get(list_url(product, sort=sort, q="exports"))) <= few + 1
    assert count_queries(lambda: client_as_viewer.get(list_url(product, sort=sort))) == few


# --- the new-idea form ------------------------------------------------------------------


def create_url(product):
    return reverse("feedback:idea_create", args=[product.workspace.slug, product.key])


def test_a_viewer_submits_an_internal_idea_as_themselves(client_as_viewer, product, viewer):
    page = client_as_viewer.get(create_url(product)).content.decode()
    assert 'name="visibility"' not in page and 'name="submitted_by_contact"' not in page

    response = client_as_viewer.post(create_url(product), {"title": "Offline mode", "description": "On trains."})

    idea = Idea.objects.get(title="Offline mode")
    assert response.status_code == 302 and response["Location"].endswith(f"/ideas/{idea.pk}/")
    assert (idea.submitted_by_user, idea.visibility) == (viewer, Idea.Visibility.INTERNAL)


def test_an_editor_submits_a_public_idea_for_a_contact(client_as_editor, product, feedback_data):
    response = client_as_editor.post(create_url(product), {
        "title": "Single sign-on", "category": "Security", "visibility": "public",
        "submitted_by_contact": feedback_data.hank.pk})

    idea = Idea.objects.get(title="Single sign-on")
    assert response.status_code == 302
    assert (idea.submitted_by_contact, idea.visibility, idea.category) == (feedback_data.hank, "public", "Security")


def test_a_bad_idea_form_comes_back_with_its_errors_and_saves_nothing(client_as_editor, product):
    response = client_as_editor.post(create_url(product), {"title": "", "visibility": "everyone"})

    assert response.status_code == 400
    assert response.context["form"].errors.keys() == {"title", "visibility"}
    assert not Idea.objects.exists()


def test_duplicate_suggestions_while_typing_a_title(client_as_viewer, product, feedback_data):
    url = reverse("feedback:idea_suggestions", args=[product.workspace.slug, product.key])

    response = client_as_viewer.get(url, {"title": "excel exports"}, headers={"HX-Request": "true"})

    html = response.content.decode()
    assert response.status_code == 200 and html.lstrip().startswith('<div id="idea-duplicates"')
    assert "Export reports to Excel" in html and "Dark mode" not in html
    assert "Similar ideas" not in client_as_viewer.get(url, {"title": "zebra"}).content.decode()


def test_the_form_shows_duplicates_again_when_it_comes_back(client_as_editor, product, feedback_data):
    response = client_as_editor.post(create_url(product), {"title": "Excel export", "visibility": "nope"})

    assert [idea.title for idea in response.context["duplicates"]] == ["Export reports to Excel"]


def test_an_idea_from_a_note_links_the_note(client_as_editor, product, feedback_data):
    note = feedback_data.note
    page = client_as_editor.get(create_url(product) + f"?from_note={note.pk}")
    assert page.context["form"].initial["title"] == "Excel export would save us hours"
    assert "<mark>Excel export would save us hours</mark>" in page.content.decode()

    response = client_as_editor.post(create_url(product), {"title": "Save time on exports", "visibility": "internal",
                                                           "from_note": note.pk})

    idea = Idea.objects.get(title="Save time on exports")
    assert response.status_code == 302
    assert list(idea.notes.all()) == [note]
    assert idea.demand == feedback_data.small.annual_revenue


def test_a_viewer_cannot_create_an_idea_from_a_note(client_as_viewer, product, feedback_data):
    response = client_as_viewer.post(create_url(product), {"title": "Sneaky", "from_note": feedback_data.note.pk})

    assert response.status_code == 403
    assert not Idea.objects.filter(title="Sneaky").exists()


# --- editing ----------------------------------------------------------------------------


def edit_url(idea):
    return reverse("feedback:idea_edit", args=[idea.workspace.slug, idea.product.key, idea.pk])


def test_an_editor_edits_an_idea(client_as_editor, feedback_data):
    idea = feedback_data.dark
    form = client_as_editor.get(edit_url(idea)).context["form"]
    assert form.initial["title"] == "Dark mode"

    response = client_as_editor.post(edit_url(idea), {"title": "Dark theme", "category": "Design",
                                                      "visibility": "public", "version": idea.version})

    assert response.status_code == 302
    idea.refresh_from_db()
    assert (idea.title, idea.visibility) == ("Dark theme", "public")


def test_a_stale_edit_is_refused_and_keeps_the_input(client_as_editor, feedback_data, editor):
    idea = feedback_data.dark
    stale_version = idea.version
    services.idea_update(actor=editor, idea=idea, title="Night mode")

    response = client_as_editor.post(edit_url(idea), {"title": "Dark theme", "visibility": "internal",
                                                      "version": stale_version})

    assert response.status_code == 400
    assert "newer version" in response.content.decode()
    assert Idea.objects.get(pk=idea.pk).title == "Night mode"


def test_a_viewer_cannot_edit_an_idea(client_as_viewer, feedback_data):
    assert client_as_viewer.get(edit_url(feedback_data.dark)).status_code == 403


def test_titles_and_categories_are_escaped_in_the_list(client_as_editor, product, editor):
    services.idea_create(actor=editor, product=product, title='<script>alert("x")</script>',
                         category='<img src=x onerror=alert(1)>')

    html = client_as_editor.get(list_url(product)).content.decode()

    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
