"""A product manager's feedback journey in a real browser: triage a customer's note into a
new idea (seeing the likely duplicate while typing), vote for it, merge it into the
duplicate, and promote that idea to a feature."""

from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from feedback import services as feedback_services
from feedback.models import FeedbackNote, Idea
from releases.services import workflow_defaults_create
from strategy import services
from strategy.models import User

from .conftest import screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def inbox():
    pm = User.objects.create_user("pm@example.com", "a-long-passphrase", full_name="Pat Manager")
    workspace = services.workspace_create(actor=pm, name="Initech")
    workflow_defaults_create(workspace=workspace)
    product = services.product_create(actor=pm, workspace=workspace, name="Mobile App", key="MOB")
    globex = feedback_services.customer_create(actor=pm, workspace=workspace, name="Globex",
                                               annual_revenue=Decimal("250000"), segment="enterprise")
    hank = feedback_services.contact_create(actor=pm, customer=globex, name="Hank Scorpio", email="hank@globex.test")
    existing = feedback_services.idea_create(actor=pm, product=product, title="Export reports to Excel")
    note = feedback_services.note_create(
        actor=pm, product=product, customer=globex, contact=hank, date=timezone.localdate(),
        text="Finance exports every report by hand. An Excel export of the reports would save them hours.",
        highlight="An Excel export of the reports would save them hours")
    return {"product": product, "existing": existing, "note": note}


def test_a_product_manager_triages_votes_merges_and_promotes(page, inbox):
    sign_in(page, "pm@example.com", "a-long-passphrase")
    page.goto("/w/initech/products/MOB/feedback/inbox/")
    card = page.locator(f"#note-{inbox['note'].pk}")
    expect(card.locator("mark")).to_have_text("An Excel export of the reports would save them hours")
    screenshot(page, "feedback-inbox")

    # Triage: a new idea from the note; the existing idea is suggested while typing the title.
    card.get_by_role("link", name="New idea from it").click()
    title = page.get_by_label("Title")
    title.fill("")
    title.press_sequentially("Excel export of reports", delay=20)
    expect(page.locator("#idea-duplicates")).to_contain_text("Export reports to Excel")
    page.get_by_role("button", name="Add idea").click()
    expect(page.locator("h1")).to_have_text("Excel export of reports")
    new_idea = Idea.objects.get(title="Excel export of reports")
    assert list(new_idea.notes.all()) == [inbox["note"]]
    expect(page.locator("#demand")).to_contain_text("Globex")

    # The note is triaged: mark it processed in place.
    page.goto("/w/initech/products/MOB/feedback/inbox/")
    card.get_by_role("button", name="Mark processed").click()
    expect(card).to_contain_text("Processed")
    assert FeedbackNote.objects.get(pk=inbox["note"].pk).processed

    # Vote for the new idea, in place.
    page.goto(f"/w/initech/products/MOB/ideas/{new_idea.pk}/")
    page.get_by_role("button", name="Vote for this idea").click()
    expect(page.get_by_role("button", name="Voted · Unvote")).to_be_visible()
    assert Idea.objects.get(pk=new_idea.pk).vote_count == 1

    # Merge it into the existing idea: suggested, then confirmed.
    page.locator("summary[aria-label='More actions']").click()
    page.get_by_role("link", name="Merge into another idea…").click()
    page.get_by_role("button", name="Merge into this…").click()
    page.get_by_role("button", name=f"Merge into #{inbox['existing'].pk}").click()
    expect(page.locator("h1")).to_have_text("Export reports to Excel")
    expect(page.locator(".flashes")).to_contain_text("merged into this idea")
    target = Idea.objects.get(pk=inbox["existing"].pk)
    assert (target.vote_count, target.demand) == (1, Decimal("250000"))
    assert Idea.objects.get(pk=new_idea.pk).merged_into == target

    # Promote the surviving idea to a new feature.
    page.locator("#promote").get_by_label("Feature title").fill("Excel export")
    page.get_by_role("button", name="Promote").click()
    expect(page.locator(".flashes")).to_contain_text("MOB-1")
    target.refresh_from_db()
    assert (target.feature.title, target.status, target.feature.demand) == ("Excel export", "planned",
                                                                             Decimal("250000"))
    screenshot(page, "feedback-idea-promoted")
