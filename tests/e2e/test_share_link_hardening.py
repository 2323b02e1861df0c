"""Share links in a real browser, where the Django test client cannot see what goes wrong:
the password form posts under the page's referrer policy (Chromium sends `Origin: null`
under no-referrer), the release timeline's progress bars need their style sheet, and the
page asks for a favicon."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import expect

from releases import services as release_services
from releases.models import WorkflowStatus
from roadmap import services as roadmap_services
from roadmap import throttle
from strategy import services
from strategy.models import User

from .conftest import screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def clear_share_throttle():
    client = cache._cache.get_client(write=True)
    for key in client.scan_iter(match=cache.make_key(f"{throttle.KEY_PREFIX}:*")):
        client.delete(key)


@pytest.fixture
def plan():
    """Mobile App: "Summer" in progress with 1 of 3 features done, "Autumn" next with 0 of 3."""
    pm = User.objects.create_user("pm@example.com", "a-long-passphrase", full_name="Pat Manager")
    workspace = services.workspace_create(actor=pm, name="Initech")
    product = services.product_create(actor=pm, workspace=workspace, name="Mobile App", key="MOB")
    today = timezone.localdate()
    summer = release_services.release_create(actor=pm, product=product, name="Summer", version_label="1.1",
                                              start_date=today - timedelta(days=20),
                                              release_date=today + timedelta(days=25), status="in_progress")
    autumn = release_services.release_create(actor=pm, product=product, name="Autumn", version_label="1.2",
                                              start_date=today + timedelta(days=26),
                                              release_date=today + timedelta(days=90))
    shipped = WorkflowStatus.objects.get(workspace=workspace, name="Shipped")
    for i, title in enumerate(("One-tap pay", "Saved carts", "Wish lists")):
        release_services.feature_create(actor=pm, product=product, title=title, release=summer,
                                        estimate=Decimal(3), **({"status": shipped} if i == 0 else {}))
    for title in ("Dark mode", "Offline lists", "Widgets"):
        release_services.feature_create(actor=pm, product=product, title=title, release=autumn, estimate=Decimal(2))
    return pm, product


def fresh_page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, page


def test_a_password_link_opens_in_a_fresh_browser_after_a_wrong_then_the_right_password(browser, live_server, plan):
    pm, product = plan
    _link, token = roadmap_services.share_link_create(actor=pm, product=product, view="release_timeline",
                                                      password="north star")
    context, page = fresh_page(browser, live_server)
    try:
        failures = []
        page.on("response", lambda r: failures.append(f"{r.status} {r.url}") if r.status >= 400 else None)
        page.goto(f"/s/{token}/")
        expect(page.get_by_role("heading", name="This roadmap is protected")).to_be_visible()
        screenshot(page, "shared-password")

        page.get_by_label("Password").fill("south star")
        page.get_by_role("button", name="Open roadmap").click()
        expect(page.get_by_text("That password is not right.")).to_be_visible()
        expect(page.get_by_text("One-tap pay")).to_have_count(0)

        page.get_by_label("Password").fill("north star")
        page.get_by_role("button", name="Open roadmap").click()
        expect(page.get_by_role("heading", name="Summer")).to_be_visible()
        expect(page.get_by_text("One-tap pay")).to_be_visible()
        assert failures == []  # no 403 from the CSRF check, no missing favicon
    finally:
        context.close()


def test_shared_release_timeline_bars_are_as_full_as_their_figures(browser, live_server, plan):
    pm, product = plan
    _link, token = roadmap_services.share_link_create(actor=pm, product=product, view="release_timeline",
                                                      show_estimates=True)
    context, page = fresh_page(browser, live_server)
    try:
        page.goto(f"/s/{token}/")
        expect(page.get_by_role("heading", name="Autumn")).to_be_visible()
        meters = page.locator(".rel-meter")
        expect(meters).to_have_count(4)
        seen = {}
        for i in range(meters.count()):
            meter = meters.nth(i)
            done, total = (float(n) for n in meter.locator(".rel-meter__figure").inner_text().split()[0].split("/"))
            track = meter.locator(".rel-bar__track")
            track_box = track.bounding_box()
            fill = meter.locator(".rel-bar__fill")
            filled = fill.bounding_box()["width"] if fill.count() else 0.0
            assert filled / track_box["width"] == pytest.approx(done / total, abs=0.02)
            # The track is drawn light, not in SVG's default black that made every bar look full.
            colour = track.evaluate("el => getComputedStyle(el).fill")
            assert colour != "rgb(0, 0, 0)"
            if fill.count():
                assert fill.evaluate("el => getComputedStyle(el).fill") != colour
            seen[meter.locator(".rel-meter__figure").inner_text()] = round(filled / track_box["width"], 2)
        assert seen == {"1/3": 0.33, "3/9 pts": 0.33, "0/3": 0.0, "0/6 pts": 0.0}
        screenshot(page, "shared-release-timeline")
    finally:
        context.close()


def test_a_release_timeline_link_shows_no_estimates_by_default(browser, live_server, plan):
    pm, product = plan
    _link, token = roadmap_services.share_link_create(actor=pm, product=product, view="release_timeline")
    context, page = fresh_page(browser, live_server)
    try:
        page.goto(f"/s/{token}/")
        expect(page.get_by_text("One-tap pay")).to_be_visible()
        expect(page.locator(".rel-meter")).to_have_count(2)
        expect(page.get_by_text("pts")).to_have_count(0)
        expect(page.get_by_role("columnheader", name="Est.")).to_have_count(0)
    finally:
        context.close()


def test_shared_pages_have_a_favicon_and_answer_head(browser, live_server, plan):
    pm, product = plan
    _link, token = roadmap_services.share_link_create(actor=pm, product=product, view="now_next_later")
    context, page = fresh_page(browser, live_server)
    try:
        page.goto(f"/s/{token}/")
        icon = page.locator('link[rel="icon"]').get_attribute("href")
        answer = page.request.get(icon)
        assert answer.status == 200 and answer.headers["content-type"].startswith("image/svg+xml")
        head = page.request.head(f"/s/{token}/")
        assert head.status == 200
    finally:
        context.close()


def test_revoking_asks_first_without_inline_script(page, plan):
    pm, product = plan
    link, _token = roadmap_services.share_link_create(actor=pm, product=product, view="now_next_later")
    violations = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    sign_in(page, "pm@example.com", "a-long-passphrase")
    page.goto("/w/initech/products/MOB/roadmap/share/")

    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Revoke").click()
    expect(page.locator("tbody tr").first).to_contain_text("Active")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Revoke").click()
    expect(page.locator("tbody tr").first).to_contain_text("Revoked")

    link.refresh_from_db()
    assert link.revoked_at is not None
    assert violations == []
