"""Customers: the list (sorted, searched, counted), a customer's page (contacts, ideas,
feedback, features), and the forms, with permissions."""

from decimal import Decimal

import pytest
from django.urls import reverse

from feedback import services
from feedback.models import Contact, Customer
from tests.conftest import count_queries

from .page_data import make_feedback_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def feedback_data(workspace, product, editor, viewer, today):
    return make_feedback_data(workspace, product, editor, viewer, today)


def list_url(workspace, **query):
    url = reverse("feedback:customer_list", args=[workspace.slug])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def detail_url(customer, name="feedback:customer_detail"):
    return reverse(name, args=[customer.workspace.slug, customer.pk])


def names(response):
    return [customer.name for customer in response.context["page"].object_list]


def test_the_customer_list_shows_revenue_and_what_they_stand_behind(client_as_viewer, workspace, feedback_data,
                                                                     editor):
    services.note_link(actor=editor, note=feedback_data.note, ideas=[feedback_data.export])

    response = client_as_viewer.get(list_url(workspace))

    assert names(response) == ["Globex", "Initrode"]  # highest revenue first
    initrode = response.context["page"].object_list[1]
    assert (initrode.revenue_text, initrode.idea_count, initrode.vote_count, initrode.note_count) == ("12k", 2, 1, 1)
    assert "New customer" not in response.content.decode()


def test_the_customer_list_sorts_searches_and_filters(client_as_viewer, workspace, feedback_data):
    assert names(client_as_viewer.get(list_url(workspace, sort="name"))) == ["Globex", "Initrode"]
    assert names(client_as_viewer.get(list_url(workspace, sort="notes"))) == ["Initrode", "Globex"]
    assert names(client_as_viewer.get(list_url(workspace, q="initr"))) == ["Initrode"]
    assert names(client_as_viewer.get(list_url(workspace, segment="enterprise"))) == ["Globex"]
    htmx = client_as_viewer.get(list_url(workspace, q="glob"), headers={"HX-Request": "true"})
    assert htmx.content.decode().lstrip().startswith('<div id="customer-results"')


def test_an_empty_customer_list_explains_customers(client_as_editor, workspace):
    html = client_as_editor.get(list_url(workspace)).content.decode()

    assert "No customers yet" in html and reverse("feedback:customer_create", args=[workspace.slug]) in html


def test_the_customer_list_costs_the_same_queries_for_few_or_many(client_as_viewer, workspace, feedback_data):
    client_as_viewer.get(list_url(workspace))
    few = count_queries(lambda: client_as_viewer.get(list_url(workspace)))
    Customer.objects.bulk_create([Customer(workspace=workspace, name=f"Bulk {n}", annual_revenue=n)
                                  for n in range(120)])

    assert count_queries(lambda: client_as_viewer.get(list_url(workspace))) == few


def test_a_customer_page_shows_contacts_ideas_feedback_and_features(client_as_viewer, feedback_data, editor,
                                                                    workflow):
    services.idea_promote(actor=editor, idea=feedback_data.dark, title="Night theme")

    response = client_as_viewer.get(detail_url(feedback_data.small))

    assert response.status_code == 200
    assert [(row["title"], row["via"]) for row in response.context["ideas"]] == [("Dark mode", ["vote"])]
    assert [contact.name for contact in response.context["contacts"]] == ["Mia Chen"]
    assert [feature["title"] for feature in response.context["features"]] == ["Night theme"]
    html = response.content.decode()
    assert "<mark>Excel export would save us hours</mark>" in html and "In the inbox" in html


def test_another_workspaces_customer_is_not_found(client_as_viewer, workspace, other_workspace):
    stranger = Customer.objects.create(workspace=other_workspace, name="Hidden")

    assert client_as_viewer.get(detail_url(stranger)).status_code == 404
    forged = reverse("feedback:customer_detail", args=[workspace.slug, stranger.pk])
    assert client_as_viewer.get(forged).status_code == 404


def test_an_editor_creates_a_customer_with_its_first_contact(client_as_editor, workspace, editor):
    response = client_as_editor.post(reverse("feedback:customer_create", args=[workspace.slug]), {
        "name": "Umbrella", "domain": "https://umbrella.test/", "segment": "mid_market", "plan": "Pro",
        "annual_revenue": "48000", "owner": editor.pk, "contact-name": "Alice", "contact-email": "alice@umbrella.test"})

    customer = Customer.objects.get(name="Umbrella")
    assert response.status_code == 302 and response["Location"] == detail_url(customer)
    assert (customer.domain, customer.annual_revenue, customer.owner) == ("umbrella.test", Decimal("48000"), editor)
    assert list(customer.contacts.values_list("name", flat=True)) == ["Alice"]


def test_a_bad_customer_form_saves_nothing(client_as_editor, workspace, feedback_data):
    response = client_as_editor.post(reverse("feedback:customer_create", args=[workspace.slug]), {
        "name": "globex", "segment": "smb", "annual_revenue": "-5", "contact-name": "Bob",
        "contact-email": "hank@globex.test"})

    assert response.status_code == 400
    assert "annual_revenue" in response.context["form"].errors
    assert Customer.objects.count() == 2


def test_a_duplicate_name_or_contact_email_is_refused_with_nothing_saved(client_as_editor, workspace, feedback_data):
    response = client_as_editor.post(reverse("feedback:customer_create", args=[workspace.slug]), {
        "name": "Umbrella", "segment": "smb", "annual_revenue": "5", "contact-name": "Bob",
        "contact-email": "hank@globex.test"})

    assert response.status_code == 400
    assert response.context["contact_form"].errors["email"]
    assert not Customer.objects.filter(name="Umbrella").exists()

    again = client_as_editor.post(reverse("feedback:customer_create", args=[workspace.slug]), {
        "name": "GLOBEX", "segment": "smb", "annual_revenue": "5"})
    assert again.status_code == 400 and again.context["form"].errors["name"]


def test_an_editor_edits_a_customer_and_demand_follows(client_as_editor, feedback_data):
    customer = feedback_data.big

    response = client_as_editor.post(detail_url(customer, "feedback:customer_edit"), {
        "name": "Globex Corporation", "segment": "enterprise", "annual_revenue": "300000", "version": customer.version})

    assert response.status_code == 302
    feedback_data.export.refresh_from_db()
    assert feedback_data.export.demand == Decimal("300000")


def test_contacts_are_added_and_removed_in_place(client_as_editor, feedback_data):
    customer = feedback_data.small

    added = client_as_editor.post(detail_url(customer, "feedback:contact_create"),
                                  {"contact-name": "Zoe", "contact-email": "zoe@initrode.test"},
                                  headers={"HX-Request": "true"})
    assert added.status_code == 200 and "Zoe" in added.content.decode()
    bad = client_as_editor.post(detail_url(customer, "feedback:contact_create"), {"contact-name": ""},
                                headers={"HX-Request": "true"})
    assert bad.status_code == 400 and "contact&#x27;s name" in bad.content.decode()

    zoe = Contact.objects.get(name="Zoe")
    removed = client_as_editor.post(reverse("feedback:contact_delete", args=[customer.workspace.slug, customer.pk,
                                                                            zoe.pk]), headers={"HX-Request": "true"})
    assert removed.status_code == 200 and "Zoe" not in removed.content.decode()
    assert list(customer.contacts.values_list("name", flat=True)) == ["Mia Chen"]


@pytest.mark.parametrize("name", ["feedback:customer_edit", "feedback:contact_create"])
def test_viewers_cannot_change_customers(client_as_viewer, feedback_data, name):
    response = client_as_viewer.post(detail_url(feedback_data.small, name), {"name": "Hacked", "contact-name": "X"})

    assert response.status_code == 403
    assert Customer.objects.get(pk=feedback_data.small.pk).name == "Initrode"
    assert feedback_data.small.contacts.count() == 1
