"""The metrics journey in a real browser: a product manager feeds a key result from the
product's daily active users, sees the goal take the value, then reads the product's Metrics
page and the workspace dashboard."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from roadmap.models import UsageDaily
from strategy import services
from strategy.models import KeyResult, User

from .conftest import screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_product_manager_feeds_a_key_result_from_a_metric(page):
    pm = User.objects.create_user("pm@example.com", "a-long-passphrase", full_name="Pat Manager")
    workspace = services.workspace_create(actor=pm, name="Initech")
    product = services.product_create(actor=pm, workspace=workspace, name="Mobile App", key="MOB")
    today = timezone.localdate()
    goal = services.goal_create(actor=pm, workspace=workspace, product=product, name="Grow daily use",
                                start_date=today - timedelta(days=30), end_date=today + timedelta(days=60))
    key_result = services.key_result_create(actor=pm, goal=goal, name="Daily shoppers", unit="users",
                                            start_value=Decimal(100), target_value=Decimal(300))
    UsageDaily.objects.create(product=product, day=today - timedelta(days=1), dau=200, wau=600, mau=1500,
                              sessions=400, bounced_sessions=160, events=2000,
                              computed_at=timezone.now() - timedelta(minutes=20))
    sign_in(page, "pm@example.com", "a-long-passphrase")

    page.goto(f"/w/initech/goals/{goal.pk}/")
    page.get_by_role("link", name="Feed from a metric").click()
    page.get_by_label("Metric", exact=True).select_option(label="Daily active users")
    page.get_by_label("Product", exact=True).select_option(label="MOB · Mobile App")
    page.get_by_role("button", name="Bind to metric").click()

    expect(page.get_by_text("Fed by daily active users of Mobile App")).to_be_visible()
    expect(page.locator(f"#kr-{key_result.pk} .kr-current")).to_have_text("200 users")
    assert KeyResult.objects.get(pk=key_result.pk).current_value == Decimal(200)

    page.get_by_role("link", name="Metrics").first.click()
    expect(page.get_by_role("heading", name="Metrics", exact=True)).to_be_visible()
    expect(page.locator(".metric", has_text="Daily active users")).to_contain_text("200")
    expect(page.locator(".metric", has_text="Bounce rate")).to_contain_text("40%")
    expect(page.get_by_role("link", name="Daily shoppers")).to_be_visible()

    page.get_by_role("link", name="Dashboard", exact=True).click()
    expect(page.locator(".dash-row", has_text="Mobile App")).to_contain_text("20 min ago")
    screenshot(page, "metrics-journey-dashboard")
