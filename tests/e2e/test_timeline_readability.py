"""Timelines people can read at a glance, in a real browser: an executive opens a share on a
phone and on a desktop and sees the legend and full titles; "what changed" marks a feature
moved after a first visit; an engineer opens a past release and follows a dependency."""

import io
import re
from datetime import timedelta

import pypdf
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from releases import services as release_services
from releases.models import Feature, Release, WorkflowStatus
from roadmap import services as roadmap_services
from strategy import services
from strategy.models import Role, User

from .conftest import screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

LONG_TITLE = "Store search with typo tolerance and synonyms"


@pytest.fixture
def plan():
    pm = User.objects.create_user("pm@example.com", "a-long-passphrase", full_name="Pat Manager")
    workspace = services.workspace_create(actor=pm, name="Initech")
    engineer = User.objects.create_user("eng@example.com", "another-passphrase", full_name="Grace Hopper")
    workspace.memberships.create(user=engineer, role=Role.EDITOR)
    product = services.product_create(actor=pm, workspace=workspace, name="Mobile App", key="MOB")
    payments = services.product_create(actor=pm, workspace=workspace, name="Payments", key="PAY")
    today = timezone.localdate()
    past = release_services.release_create(actor=pm, product=product, name="Spring", start_date=today - timedelta(
        days=120), release_date=today - timedelta(days=60), status="released")
    current = release_services.release_create(actor=pm, product=product, name="Summer",
                                               start_date=today - timedelta(days=20),
                                               release_date=today + timedelta(days=25), status="in_progress")
    shipped = WorkflowStatus.objects.get(workspace=workspace, name="Shipped")
    doing = WorkflowStatus.objects.get(workspace=workspace, name="In development")
    old = release_services.feature_create(actor=pm, product=product, title="Offline cart", release=past,
                                          status=shipped, assignee=engineer)
    upstream = release_services.feature_create(actor=pm, product=payments, title="Payments API", status=doing,
                                               start_date=today - timedelta(days=130),
                                               end_date=today - timedelta(days=70))
    release_services.dependency_add(actor=pm, feature=old, depends_on=upstream)
    # A short bar at quarter zoom: its title cannot fit inside, so it is written beside it.
    release_services.feature_create(actor=pm, product=product, title=LONG_TITLE, release=current, status=doing,
                                    start_date=today, end_date=today + timedelta(days=4))
    moving = release_services.feature_create(actor=pm, product=product, title="Loyalty tiers", release=current,
                                             status=doing)
    return {"pm": pm, "engineer": engineer, "product": product, "moving": moving, "upstream": upstream}


PHONE = {"width": 390, "height": 844}


def _no_sideways_scrolling(page) -> None:
    width = page.evaluate("window.innerWidth")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= width
    assert page.evaluate("document.body.scrollWidth") <= width


def test_an_executive_reads_a_share_on_a_desktop_with_its_legend_and_full_titles(browser, live_server, plan):
    _link, token = roadmap_services.share_link_create(
        actor=plan["pm"], product=plan["product"], view="timeline", params={"zoom": "quarters"},
        title="Board update", intro="Where the mobile app stands.")
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1440, "height": 900})
    try:
        reader = context.new_page()
        reader.goto(f"/s/{token}/")
        expect(reader.get_by_role("heading", name="Board update")).to_be_visible()
        expect(reader.get_by_text("Where the mobile app stands.")).to_be_visible()
        legend = reader.get_by_role("list", name="Legend")
        expect(legend).to_be_visible()
        expect(legend.get_by_text("In progress")).to_be_visible()
        bar = reader.get_by_role("img", name=f"MOB-2 · {LONG_TITLE}", exact=False)
        expect(bar).to_have_count(1)
        label = reader.locator("text.rt-bar__label", has_text=LONG_TITLE)
        label.scroll_into_view_if_needed()
        expect(label).to_be_visible()
        expect(reader.get_by_role("region", name="Timeline as a list")).to_be_hidden()  # the drawing, not the list
        screenshot(reader, "timeline-share-desktop")
    finally:
        context.close()


def test_an_executive_reads_a_share_on_a_phone_as_a_list_without_sideways_scrolling(browser, live_server, plan):
    _link, token = roadmap_services.share_link_create(
        actor=plan["pm"], product=plan["product"], view="timeline", params={"zoom": "months"},
        title="Board update", intro="Where the mobile app stands.")
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, is_mobile=True, has_touch=True)
    try:
        reader = context.new_page()
        reader.goto(f"/s/{token}/")
        expect(reader.get_by_role("heading", name="Board update")).to_be_visible()
        expect(reader.get_by_role("list", name="Legend").get_by_text("In progress")).to_be_visible()
        expect(reader.locator(".rt")).to_be_hidden()  # no drawing to scroll sideways or inside a box
        agenda = reader.get_by_role("region", name="Timeline as a list")
        expect(agenda).to_be_visible()
        for title in (LONG_TITLE, "Loyalty tiers"):  # whole titles, however long
            item = agenda.locator(".rt-agenda__title", has_text=title)
            item.scroll_into_view_if_needed()
            expect(item).to_be_visible()
            assert item.evaluate("el => el.scrollWidth <= el.clientWidth")  # not cut off with an ellipsis
        expect(agenda.get_by_text("Summer", exact=True).first).to_be_visible()  # the release's items under it
        _no_sideways_scrolling(reader)
        screenshot(reader, "timeline-share-phone")
    finally:
        context.close()


def test_now_next_later_and_the_release_timeline_shares_read_on_a_phone(browser, live_server, plan):
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, is_mobile=True, has_touch=True)
    try:
        reader = context.new_page()
        for view, title in (("now_next_later", "Loyalty tiers"), ("release_timeline", "Loyalty tiers")):
            _link, token = roadmap_services.share_link_create(actor=plan["pm"], product=plan["product"], view=view)
            reader.goto(f"/s/{token}/")
            text = reader.get_by_text(title, exact=True).first
            text.scroll_into_view_if_needed()
            expect(text).to_be_visible()
            _no_sideways_scrolling(reader)
            screenshot(reader, f"{view.replace('_', '-')}-share-phone")
    finally:
        context.close()


def test_what_changed_marks_a_feature_moved_after_the_first_visit(browser, live_server, plan):
    _link, token = roadmap_services.share_link_create(actor=plan["pm"], product=plan["product"], view="timeline")
    first = browser.new_context(base_url=live_server.url, viewport={"width": 1440, "height": 900})
    try:
        visit = first.new_page()
        visit.goto(f"/s/{token}/")
        expect(visit.get_by_role("img", name=re.compile(r"^Feature MOB-\d+ · Loyalty tiers, "))).to_be_visible()
        remembered = first.storage_state()
    finally:
        first.close()

    moving = Feature.objects.get(pk=plan["moving"].pk)
    today = timezone.localdate()
    release_services.feature_update(actor=plan["pm"], feature=moving, version=moving.version,
                                    start_date=today + timedelta(days=1), end_date=today + timedelta(days=40))

    later = browser.new_context(base_url=live_server.url, viewport={"width": 1440, "height": 900},
                                storage_state=remembered)
    try:
        visit = later.new_page()
        visit.goto(f"/s/{token}/")
        toggle = visit.get_by_role("link", name="What changed since my last visit")
        expect(toggle).to_be_visible()
        toggle.click()
        expect(visit.get_by_role("heading", name="1 feature slipped since", exact=False)).to_be_visible()
        expect(visit.locator(".rt-bar--chg-later")).to_have_count(1)
        expect(visit.locator(".rt-changes").get_by_text("Loyalty tiers")).to_be_visible()
        screenshot(visit, "timeline-what-changed")
    finally:
        later.close()


def test_an_engineer_sees_what_changed_on_the_release_timeline_since_the_last_visit(browser, live_server, plan):
    first = browser.new_context(base_url=live_server.url, viewport={"width": 1440, "height": 900})
    try:
        visit = first.new_page()
        sign_in(visit, "eng@example.com", "another-passphrase")
        visit.goto("/w/initech/products/MOB/roadmap/releases/")
        expect(visit.get_by_role("link", name="Loyalty tiers")).to_be_visible()
        remembered = first.storage_state()  # the session, and when this browser last saw the page
    finally:
        first.close()

    summer = Release.objects.get(name="Summer")  # slips ten days, and "Loyalty tiers" (dated by it) with it
    release_services.release_update(actor=plan["pm"], release=summer, version=summer.version,
                                    release_date=summer.release_date + timedelta(days=10))

    later = browser.new_context(base_url=live_server.url, viewport={"width": 1440, "height": 900},
                                storage_state=remembered)
    try:
        visit = later.new_page()
        visit.goto("/w/initech/products/MOB/roadmap/releases/")
        toggle = visit.get_by_role("link", name="What changed since my last visit")
        expect(toggle).to_be_visible()
        toggle.click()
        expect(visit.get_by_role("heading", name="1 feature slipped since", exact=False)).to_be_visible()
        card = visit.locator(f"#release-{summer.pk}")
        expect(card.get_by_text("Release moved 10 days later", exact=False)).to_be_visible()
        expect(card.locator(".tl-row--chg-later")).to_have_count(1)
        expect(card.locator(".tl-row--chg-later").get_by_role("link", name="Loyalty tiers")).to_be_visible()
        screenshot(visit, "release-timeline-what-changed")
        visit.get_by_role("link", name="Hide what changed").click()
        expect(visit.locator(".rt-changes")).to_have_count(0)
    finally:
        later.close()


def test_an_engineer_opens_a_past_release_and_follows_a_dependency(page, plan):
    spring = Release.objects.get(name="Spring")
    sign_in(page, "eng@example.com", "another-passphrase")
    page.goto("/w/initech/products/MOB/roadmap/releases/")
    release = page.locator(f"#release-{spring.pk}")
    release.locator(".tl-card__dates").click()  # opens it; its features load then
    table = release.locator(".tl-features")
    expect(table.get_by_role("link", name="Offline cart")).to_be_visible()
    expect(table.get_by_text("Grace Hopper")).to_be_visible()
    screenshot(page, "release-timeline-opened")
    table.get_by_role("link", name="PAY-1").click()
    page.wait_for_url(f"**/products/PAY/features/{plan['upstream'].number}/")
    expect(page.get_by_text("Payments API").first).to_be_visible()


@pytest.mark.parametrize("path", ["/w/initech/products/MOB/roadmap/",
                                  "/w/initech/products/MOB/roadmap/now-next-later/"])
def test_printing_a_roadmap_gives_one_landscape_page_without_the_sidebar(page, plan, path):
    sign_in(page, "pm@example.com", "a-long-passphrase")
    page.goto(path)
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")  # what the browser does before printing
    page.emulate_media(media="print")
    document = pypdf.PdfReader(io.BytesIO(page.pdf(prefer_css_page_size=True, print_background=True)))
    box = document.pages[0].mediabox
    assert box.width > box.height
    text = document.pages[0].extract_text()
    assert "Loyalty tiers" in text and "Members" not in text  # the plan, not the app's sidebar
    # The drawing fits the first page; a timeline's table (docs/accessibility.md) starts a page of its own.
    tables = page.locator(".rt-table").count()
    assert len(document.pages) == (1 if tables == 0 else 2)
    assert "Timeline as a table" not in text
