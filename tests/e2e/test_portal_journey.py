"""The public ideas portal in a real browser, closing the loop: an admin opens the portal; a
customer signs in with the magic link from the email outbox, submits an idea (similar ideas
suggested while typing) and votes; the product manager promotes the idea to a feature and
ships the feature on its page; the customer's "shipped" email is in the outbox, once. All of
it under the site's Content-Security-Policy, with CSRF-checked forms posted by Chromium."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from feedback import services as feedback_services
from feedback import throttle
from feedback.models import Idea, Vote
from strategy import services
from strategy.models import User

from .conftest import screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

CUSTOMER = "casey@customer.example"


@pytest.fixture(autouse=True)
def fresh_limits():
    throttle.reset()
    yield
    throttle.reset()


@pytest.fixture
def plan():
    pm = User.objects.create_user("pm@example.com", "a-long-passphrase", full_name="Pat Manager")
    workspace = services.workspace_create(actor=pm, name="Initech")
    product = services.product_create(actor=pm, workspace=workspace, name="Mobile App", key="MOB")
    existing = feedback_services.idea_create(actor=pm, product=product, title="Export reports to CSV",
                                             description="Monthly exports for finance.", visibility="public")
    feedback_services.idea_create(actor=pm, product=product, title="Internal: CSV pricing tiers",
                                  visibility="internal")
    return pm, product, existing


def watch(page):
    """Collect CSP violations and failed responses (a 403 from the CSRF check, a missing file)."""
    problems = []
    page.on("console", lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    return problems


def test_a_customer_idea_is_shipped_and_the_customer_hears_back_once(browser, live_server, page, plan):
    pm, product, existing = plan
    pm_problems = watch(page)

    # An admin opens the portal.
    sign_in(page, "pm@example.com", "a-long-passphrase")
    page.goto("/w/initech/products/MOB/portal/")
    page.get_by_label("Open the public ideas portal").check()
    page.get_by_label("Portal title").fill("Mobile App ideas")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The portal is open.")).to_be_visible()

    # A customer, in a browser of their own, asks for a sign-in link.
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    customer = context.new_page()
    customer.set_default_timeout(10_000)
    problems = watch(customer)
    try:
        customer.goto("/portal/initech/MOB/")
        expect(customer.get_by_role("heading", name="Mobile App ideas", exact=True)).to_be_visible()
        expect(customer.get_by_text("Internal: CSV pricing tiers")).to_have_count(0)
        customer.get_by_role("link", name="Sign in", exact=True).click()
        customer.get_by_label("Email").fill(CUSTOMER)
        customer.get_by_role("button", name="Email me a sign-in link").click()
        expect(customer.get_by_role("heading", name="Check your email")).to_be_visible()

        sent = [message for message in mail.outbox if message.to == [CUSTOMER]]
        assert len(sent) == 1
        link = re.search(r"https?://\S+(/portal/initech/MOB/sign-in/\S+/)", sent[0].body).group(1)
        customer.goto(link)
        customer.get_by_label("Your name").fill("Casey Customer")
        customer.get_by_role("button", name="Sign in").click()
        expect(customer.get_by_text(f"You are signed in as {CUSTOMER}.")).to_be_visible()
        expect(customer.get_by_text("Casey Customer")).to_be_visible()

        # Submitting: a similar idea is suggested while the title is typed.
        customer.get_by_role("link", name="Submit an idea").first.click()
        customer.get_by_label("Title").press_sequentially("CSV export of invoices", delay=20)
        suggestion = customer.locator("#similar").get_by_role("link", name="Export reports to CSV")
        expect(suggestion).to_be_visible()
        expect(customer.locator("#similar")).not_to_contain_text("pricing tiers")
        screenshot(customer, "portal-submit-suggestions")
        customer.get_by_label("Details").fill("Our accountant needs **every** invoice as CSV.")
        customer.get_by_role("button", name="Submit idea").click()
        expect(customer.get_by_role("heading", name="CSV export of invoices")).to_be_visible()
        expect(customer.locator(".portal-article strong", has_text="every")).to_be_visible()
        idea = Idea.objects.get(title="CSV export of invoices")
        assert (idea.visibility, idea.status, idea.vote_count) == ("public", "new", 1)

        # Voting for the other idea from the list, without leaving it (htmx).
        customer.get_by_role("link", name="Ideas", exact=True).click()
        row = customer.locator(".portal-idea", has_text="Export reports to CSV")
        row.get_by_role("button", name=re.compile("Vote for")).click()
        expect(row.locator(".vote__button.is-voted")).to_have_text(re.compile("1"))
        assert Vote.objects.filter(idea=existing, portal_user__email=CUSTOMER).count() == 1
        screenshot(customer, "portal-home-voted")
        assert problems == []
    finally:
        context.close()

    # The product manager promotes the idea on its page and ships its feature on the feature page.
    page.goto(f"/w/initech/products/MOB/ideas/{idea.pk}/")
    page.locator("#promote").get_by_label("Feature title").fill("CSV export of invoices")
    page.get_by_role("button", name="Promote").click()
    expect(page.locator(".flashes")).to_contain_text("MOB-")
    idea.refresh_from_db()
    feature = idea.feature
    page.goto(f"/w/initech/products/MOB/features/{feature.number}/edit/")
    page.get_by_label("Status").select_option(label="Shipped")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("heading", name=re.compile("CSV export of invoices"))).to_be_visible()

    idea.refresh_from_db()
    assert idea.status == Idea.Status.SHIPPED
    shipped = [message for message in mail.outbox if message.to == [CUSTOMER] and "Shipped" in message.subject]
    assert len(shipped) == 1
    assert "CSV export of invoices" in shipped[0].body
    assert "/feedback/unsubscribe/" in shipped[0].body

    # Saving the feature again tells nobody twice.
    page.goto(f"/w/initech/products/MOB/features/{feature.number}/edit/")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("heading", name=re.compile("CSV export of invoices"))).to_be_visible()
    assert len([m for m in mail.outbox if m.to == [CUSTOMER] and "Shipped" in m.subject]) == 1
    assert pm_problems == []

    # The portal's roadmap and changelog show it shipped.
    visitor = browser.new_context(base_url=live_server.url).new_page()
    visitor.goto("/portal/initech/MOB/roadmap/")
    expect(visitor.locator(".portal-column--shipped")).to_contain_text("CSV export of invoices")
    visitor.goto("/portal/initech/MOB/changelog/")
    expect(visitor.get_by_role("link", name="CSV export of invoices")).to_be_visible()
    visitor.context.close()
