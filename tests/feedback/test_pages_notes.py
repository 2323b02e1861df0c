"""Feedback notes: the capture form (highlight must be a passage of the text) and the triage
inbox (picker, link, new idea from a note, mark processed), with and without htmx."""

from datetime import timedelta

import pytest
from django.urls import reverse

from feedback import services
from feedback.models import FeedbackNote
from tests.conftest import count_queries

from .page_data import make_feedback_data, many_ideas

pytestmark = pytest.mark.django_db


@pytest.fixture
def feedback_data(workspace, product, editor, viewer, today):
    return make_feedback_data(workspace, product, editor, viewer, today)


def inbox_url(product, **query):
    url = reverse("feedback:inbox", args=[product.workspace.slug, product.key])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def note_url(note, name):
    return reverse(name, args=[note.workspace.slug, note.product.key, note.pk])


def create_url(product):
    return reverse("feedback:note_create", args=[product.workspace.slug, product.key])


def test_the_inbox_lists_unprocessed_notes_oldest_first(client_as_viewer, product, feedback_data, editor, today):
    older = services.note_create(actor=editor, product=product, date=today - timedelta(days=9), text="Old news")
    done = services.note_create(actor=editor, product=product, date=today - timedelta(days=20), text="Handled")
    services.note_process(actor=editor, note=done)

    response = client_as_viewer.get(inbox_url(product))

    assert response.status_code == 200
    assert [row["note"].pk for row in response.context["rows"]] == [older.pk, feedback_data.note.pk]
    html = response.content.decode()
    assert "<mark>Excel export would save us hours</mark>" in html
    assert "Mark processed" not in html  # viewers read the inbox; editors triage it


def test_an_empty_inbox_says_inbox_zero(client_as_editor, product):
    assert "Inbox zero" in client_as_editor.get(inbox_url(product)).content.decode()


def test_the_picker_finds_ideas_and_features_without_javascript(client_as_editor, product, feedback_data, workflow,
                                                                editor):
    from releases import services as release_services

    feature = release_services.feature_create(actor=editor, product=product, title="Excel add-in")
    note = feedback_data.note

    response = client_as_editor.get(inbox_url(product, pick=note.pk, q="excel"))

    row = next(row for row in response.context["rows"] if row["note"].pk == note.pk)
    assert [(c["kind"], c["title"]) for c in row["candidates"]] == [
        ("idea", "Export reports to Excel"), ("feature", "Excel add-in")]
    assert f'value="{feature.key}"' in response.content.decode()


def test_the_picker_answers_htmx_with_its_list_only(client_as_editor, product, feedback_data):
    response = client_as_editor.get(inbox_url(product, pick=feedback_data.note.pk, q="dark"),
                                    headers={"HX-Request": "true"})

    html = response.content.decode()
    assert html.lstrip().startswith(f'<div id="pick-{feedback_data.note.pk}"')
    assert "Dark mode" in html and "Export reports" not in html


def test_linking_a_note_to_an_idea_in_place(client_as_editor, product, feedback_data):
    note, idea = feedback_data.note, feedback_data.export

    response = client_as_editor.post(note_url(note, "feedback:note_link"), {"idea": idea.pk},
                                     headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert response.content.decode().lstrip().startswith(f'<li class="card fb-card" id="note-{note.pk}"')
    assert list(note.ideas.all()) == [idea]
    idea.refresh_from_db()
    assert idea.demand == feedback_data.big.annual_revenue + feedback_data.small.annual_revenue


def test_linking_a_feature_without_javascript_redirects_back(client_as_editor, product, feedback_data, workflow,
                                                             editor):
    from releases import services as release_services

    feature = release_services.feature_create(actor=editor, product=product, title="Excel add-in")
    note = feedback_data.note

    response = client_as_editor.post(note_url(note, "feedback:note_link"), {"feature": feature.key,
                                                                             "next": inbox_url(product)})

    assert response.status_code == 302 and response["Location"] == inbox_url(product) + f"#note-{note.pk}"
    assert list(note.features.all()) == [feature]


def test_linking_another_products_idea_is_refused_and_links_nothing(client_as_editor, product, feedback_data, editor,
                                                                    workspace):
    from tests.factories import ProductFactory

    stranger = services.idea_create(actor=editor, product=ProductFactory(workspace=workspace, key="WEB"), title="Web")

    response = client_as_editor.post(note_url(feedback_data.note, "feedback:note_link"), {"idea": stranger.pk},
                                     headers={"HX-Request": "true"})

    assert response.status_code == 400
    assert "is not an idea of" in response.content.decode()
    assert not feedback_data.note.ideas.exists()


def test_marking_processed_takes_the_note_out_and_can_be_undone(client_as_editor, product, feedback_data):
    note = feedback_data.note

    response = client_as_editor.post(note_url(note, "feedback:note_process"), {"processed": "1"},
                                     headers={"HX-Request": "true"})

    assert "Processed" in response.content.decode() and "Undo" in response.content.decode()
    assert FeedbackNote.objects.get(pk=note.pk).processed
    assert client_as_editor.get(inbox_url(product)).context["rows"] == []
    client_as_editor.post(note_url(note, "feedback:note_process"), {"processed": "0"})
    assert not FeedbackNote.objects.get(pk=note.pk).processed


@pytest.mark.parametrize("name", ["feedback:note_process", "feedback:note_link"])
def test_viewers_cannot_triage(client_as_viewer, feedback_data, name):
    response = client_as_viewer.post(note_url(feedback_data.note, name), {"processed": "1",
                                                                          "idea": feedback_data.export.pk})

    assert response.status_code == 403
    note = FeedbackNote.objects.get(pk=feedback_data.note.pk)
    assert not note.processed and not note.ideas.exists()


def test_the_inbox_costs_the_same_queries_for_few_or_many_notes(client_as_editor, product, feedback_data, editor,
                                                                today):
    client_as_editor.get(inbox_url(product))
    few = count_queries(lambda: client_as_editor.get(inbox_url(product)))
    FeedbackNote.objects.bulk_create([
        FeedbackNote(workspace_id=product.workspace_id, product=product, customer=feedback_data.big,
                     contact=feedback_data.hank, date=today, text=f"Bulk note {n}") for n in range(300)])
    for note in FeedbackNote.objects.filter(text__startswith="Bulk note")[:20]:
        note.ideas.add(feedback_data.export, feedback_data.dark)

    assert count_queries(lambda: client_as_editor.get(inbox_url(product))) == few


# --- the capture form --------------------------------------------------------------


def test_capture_a_note_linked_to_ideas_and_features(client_as_editor, product, feedback_data, workflow, editor, today):
    from releases import services as release_services

    feature = release_services.feature_create(actor=editor, product=product, title="Excel add-in")

    response = client_as_editor.post(create_url(product), {
        "customer": feedback_data.big.pk, "contact": feedback_data.hank.pk, "source": "email",
        "date": today.isoformat(), "text": "Please: dark mode\r\nfor night shifts.", "highlight": "dark mode",
        "ideas": f"#{feedback_data.dark.pk}, #{feedback_data.export.pk}", "features": feature.key})

    note = FeedbackNote.objects.get(source="email")
    assert response.status_code == 302
    assert set(note.ideas.all()) == {feedback_data.dark, feedback_data.export}
    assert list(note.features.all()) == [feature]
    assert (note.text, note.highlight) == ("Please: dark mode\nfor night shifts.", "dark mode")


def test_an_unlinked_note_goes_to_the_inbox(client_as_editor, product, today):
    response = client_as_editor.post(create_url(product), {"source": "call", "date": today.isoformat(),
                                                           "text": "They hate the login page."})

    note = FeedbackNote.objects.get()
    assert response["Location"] == inbox_url(product) + f"#note-{note.pk}"


def test_a_highlight_that_is_not_in_the_text_is_refused(client_as_editor, product, today):
    response = client_as_editor.post(create_url(product), {"source": "call", "date": today.isoformat(),
                                                           "text": "Exports are slow.", "highlight": "imports"})

    assert response.status_code == 400
    assert "passage of the text" in str(response.context["form"].errors["highlight"])
    assert not FeedbackNote.objects.exists()


def test_unknown_links_are_refused_by_field(client_as_editor, product, feedback_data, today):
    response = client_as_editor.post(create_url(product), {
        "source": "call", "date": today.isoformat(), "text": "Something", "ideas": "#999999", "features": "MOB-77"})

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "#999999" in str(errors["ideas"]) and "MOB-77" in str(errors["features"])
    assert FeedbackNote.objects.count() == 1  # only the fixture's


def test_a_malformed_feature_key_is_refused(client_as_editor, product, today):
    response = client_as_editor.post(create_url(product), {"source": "call", "date": today.isoformat(),
                                                           "text": "Something", "features": "banana"})

    assert response.status_code == 400
    assert "banana" in str(response.context["form"].errors["features"])


def test_a_contact_of_another_customer_is_refused(client_as_editor, product, feedback_data, today):
    response = client_as_editor.post(create_url(product), {
        "customer": feedback_data.big.pk, "contact": feedback_data.mia.pk, "source": "call",
        "date": today.isoformat(), "text": "Something"})

    assert response.status_code == 400
    assert "Mia Chen" in str(response.context["form"].errors["contact"])
    assert FeedbackNote.objects.count() == 1


def test_a_viewer_cannot_capture_notes(client_as_viewer, product, today):
    assert client_as_viewer.get(create_url(product)).status_code == 403
    assert client_as_viewer.post(create_url(product), {"date": today.isoformat(), "text": "x"}).status_code == 403


def test_the_inbox_costs_the_same_queries_with_10_or_5000_ideas(client_as_editor, product, feedback_data):
    many_ideas(product, 8, contact=feedback_data.hank)
    client_as_editor.get(inbox_url(product))
    few = count_queries(lambda: client_as_editor.get(inbox_url(product)))
    ideas = many_ideas(product, 4990, contact=feedback_data.hank)
    feedback_data.note.ideas.add(*ideas[:50])

    assert count_queries(lambda: client_as_editor.get(inbox_url(product))) == few
