"""Taking a release to market in a real browser: a product manager applies the launch
template to a release, ticks a to-do off, drafts the release notes from the shipped
features and publishes them; the public changelog and its Atom feed carry them."""

import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from feedback.services import portal_settings_update
from releases import services as release_services
from releases.models import LaunchTodo, ReleaseNote
from strategy import services
from strategy.models import User

from .conftest import screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def launch():
    pm = User.objects.create_user("pm@example.com", "a-long-passphrase", full_name="Pat Manager")
    workspace = services.workspace_create(actor=pm, name="Initech")
    product = services.product_create(actor=pm, workspace=workspace, name="Mobile App", key="MOB")
    today = timezone.localdate()
    release = release_services.release_create(actor=pm, product=product, name="Autumn", version_label="3.0",
                                              start_date=today - timedelta(days=30),
                                              release_date=today + timedelta(days=20))
    shipped = workspace.workflow_statuses.get(name="Shipped")
    release_services.feature_create(actor=pm, product=product, title="Offline lists", release=release,
                                    status=shipped, in_release_notes=True,
                                    customer_description="Your lists work without a connection.")
    release_services.feature_create(actor=pm, product=product, title="Internal clean-up", release=release,
                                    status=shipped)
    types = {t.name: t for t in workspace.phase_types.all()}
    release_services.release_phase_create(actor=pm, release=release, phase_type=types["Build"],
                                          start_date=today - timedelta(days=30), end_date=today + timedelta(days=5))
    release_services.release_phase_create(actor=pm, release=release, phase_type=types["Beta"],
                                          start_date=today + timedelta(days=6), end_date=today + timedelta(days=17))
    release_services.release_phase_create(actor=pm, release=release, phase_type=types["Launch"],
                                          start_date=today + timedelta(days=18), end_date=today + timedelta(days=20))
    release_services.template_create(actor=pm, workspace=workspace, name="Standard launch", items=[
        {"title": "Write the positioning brief", "team": "Marketing", "offset_days": -28},
        {"title": "Update the sales deck", "team": "Sales", "offset_days": -14},
        {"title": "Train support", "team": "Support", "offset_days": -7},
        {"title": "Publish help articles", "team": "Docs", "offset_days": -2},
        {"title": "Send the launch email", "team": "Marketing", "offset_days": 0},
    ])
    portal_settings_update(actor=pm, product=product, enabled=True)
    return release


def test_a_release_goes_to_market_and_its_notes_reach_the_changelog(page, launch, live_server):
    release = launch
    sign_in(page, "pm@example.com", "a-long-passphrase")
    page.goto(f"/w/initech/products/MOB/releases/{release.pk}/")
    expect(page.locator(".gtm-band__phase")).to_have_count(3)

    page.get_by_label("Launch template").select_option(label="Standard launch")
    page.get_by_role("button", name="Apply template").click()
    expect(page.get_by_text("5 to-do(s) added.")).to_be_visible()
    expect(page.locator(".gtm-todo")).to_have_count(5)
    expect(page.locator(".gtm-todo--overdue")).to_have_count(1)  # the brief was due 8 days ago

    page.get_by_role("button", name="Mark “Write the positioning brief” done").click()
    expect(page.get_by_role("button", name="Mark “Write the positioning brief” not done")).to_be_visible()
    expect(page.locator(".gtm-todo--overdue")).to_have_count(0)
    assert LaunchTodo.objects.get(title="Write the positioning brief").state == LaunchTodo.State.DONE

    # Applying the template again adds nothing, and says so.
    page.get_by_role("button", name="Apply template").click()
    expect(page.get_by_text("nothing was added")).to_be_visible()
    assert LaunchTodo.objects.count() == 5
    screenshot(page, "launch-release-page")

    page.goto(f"/w/initech/products/MOB/releases/{release.pk}/notes/")
    page.get_by_role("button", name="Draft from shipped features").click()
    body = page.get_by_label("Release notes")
    expect(body).to_have_value("### Offline lists\n\nYour lists work without a connection.")
    body.fill("### Offline lists\n\nYour lists work **without a connection**.")
    page.get_by_role("button", name="Save notes").click()
    expect(page.get_by_text("Release notes saved.")).to_be_visible()
    page.get_by_role("button", name="Publish to the changelog").click()
    expect(page.get_by_text("Release notes published to the public changelog.")).to_be_visible()
    expect(page.get_by_role("button", name="Publish to the changelog")).to_have_count(0)
    published_at = ReleaseNote.objects.get().published_at

    page.goto("/portal/initech/MOB/changelog/")
    entry = page.locator(f"#release-{release.pk}")
    expect(entry.get_by_role("heading", name="Offline lists")).to_be_visible()
    expect(entry.locator("strong")).to_have_text("without a connection")
    screenshot(page, "launch-public-changelog")

    feed = page.request.get(f"{live_server.url}/portal/initech/MOB/changelog/feed.atom")
    assert feed.ok
    root = ET.fromstring(feed.body())
    [item] = root.findall(f"{ATOM}entry")
    assert item.find(f"{ATOM}title").text == "Autumn 3.0"
    assert "<strong>without a connection</strong>" in item.find(f"{ATOM}summary").text
    assert ReleaseNote.objects.get().published_at == published_at
