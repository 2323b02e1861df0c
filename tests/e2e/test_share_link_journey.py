"""A share link in a real browser: an editor makes a link, and someone without an account
opens it in a fresh browser, sees the roadmap and nothing internal. The editor's list page
shows the link with its view count."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from releases import services as release_services
from releases.models import WorkflowStatus
from roadmap import services as roadmap_services
from strategy import services
from strategy.models import Role, User

from .conftest import screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def plan():
    pm = User.objects.create_user("pm@example.com", "a-long-passphrase", full_name="Pat Manager")
    workspace = services.workspace_create(actor=pm, name="Initech")
    engineer = User.objects.create_user("grace.secret@example.com", "another-passphrase", full_name="Grace Hopper")
    workspace.memberships.create(user=engineer, role=Role.EDITOR)
    product = services.product_create(actor=pm, workspace=workspace, name="Mobile App", key="MOB")
    today = timezone.localdate()
    current = release_services.release_create(actor=pm, product=product, name="Summer", version_label="1.1",
                                               start_date=today - timedelta(days=20),
                                               release_date=today + timedelta(days=25), status="in_progress")
    release_services.release_create(actor=pm, product=product, name="Autumn", version_label="1.2",
                                    start_date=today + timedelta(days=26), release_date=today + timedelta(days=90))
    doing = WorkflowStatus.objects.get(workspace=workspace, name="In development")
    pay = release_services.feature_create(actor=pm, product=product, title="One-tap pay", release=current,
                                          status=doing, assignee=engineer, description="SECRET-DESC")
    release_services.requirement_create(actor=pm, feature=pay, text="SECRET-REQUIREMENT")
    release_services.comment_create(actor=pm, feature=pay, body="SECRET-COMMENT")
    release_services.feature_create(actor=pm, product=product, title="Saved carts", release=current)
    release_services.feature_create(actor=pm, product=product, title="Wish lists")
    return pm, product


def test_a_share_link_opens_without_an_account_and_shows_nothing_internal(browser, live_server, page, plan):
    pm, product = plan
    _link, token = roadmap_services.share_link_create(actor=pm, product=product, view="now_next_later")

    context = browser.new_context(base_url=live_server.url, viewport={"width": 1440, "height": 900})
    try:
        visitor = context.new_page()
        visitor.goto(f"/s/{token}/")
        expect(visitor.get_by_role("heading", name="Mobile App — Roadmap")).to_be_visible()
        expect(visitor.get_by_text("One-tap pay")).to_be_visible()
        expect(visitor.get_by_text("Saved carts")).to_be_visible()
        html = visitor.content()
        for secret in ("grace.secret", "Grace Hopper", "SECRET-DESC", "SECRET-REQUIREMENT", "SECRET-COMMENT"):
            assert secret not in html
        assert 'content="noindex, nofollow"' in html
        assert visitor.locator('a[href^="/w/"]').count() == 0
        screenshot(visitor, "shared-now-next-later")
        visitor.goto(f"/s/{token[:-2]}xx/")
        expect(visitor.get_by_role("heading", name="Not found")).to_be_visible()
    finally:
        context.close()

    sign_in(page, "pm@example.com", "a-long-passphrase")
    page.goto("/w/initech/products/MOB/roadmap/share/")
    row = page.locator("tbody tr").first
    expect(row).to_contain_text("Now / Next / Later")
    expect(row).to_contain_text("Active")
    expect(row.locator("td.share-num")).to_have_text("1")
    screenshot(page, "share-link-list")
