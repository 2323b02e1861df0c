"""The strategy journey in a real browser: write a vision, set a goal with a key result,
check in a new value, and see the goal's progress move on the strategy overview."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from strategy import demo, services
from strategy.models import CheckIn, Goal, KeyResult, User

from .conftest import screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_product_manager_writes_the_strategy_and_sees_progress_move(page):
    pm = User.objects.create_user("pm@example.com", "a-long-passphrase", full_name="Pat Manager")
    workspace = services.workspace_create(actor=pm, name="Initech")
    services.product_create(actor=pm, workspace=workspace, name="Mobile App", key="MOB")
    sign_in(page, "pm@example.com", "a-long-passphrase")

    page.goto("/w/initech/products/MOB/strategy/")
    page.get_by_role("link", name="Write vision").click()
    page.get_by_label("Vision statement").fill("Make shopping on a phone **effortless**.")
    page.get_by_role("button", name="Save vision").click()
    expect(page.locator("strong", has_text="effortless")).to_be_visible()

    page.goto("/w/initech/goals/new/?product=MOB")
    page.get_by_label("Goal", exact=True).fill("Grow weekly shoppers")
    today = timezone.localdate()
    page.get_by_label("Starts").fill((today - timedelta(days=30)).isoformat())
    page.get_by_label("Ends").fill((today + timedelta(days=60)).isoformat())
    page.get_by_role("button", name="Create goal").click()
    expect(page.get_by_role("heading", name="Grow weekly shoppers")).to_be_visible()
    goal = Goal.objects.get(name="Grow weekly shoppers")

    page.get_by_role("link", name=re.compile("Add key result")).first.click()
    page.get_by_label("Metric").fill("Weekly active shoppers")
    page.get_by_label("Start value").fill("100")
    page.get_by_label("Target value").fill("200")
    page.get_by_role("button", name="Add key result").click()
    expect(page.get_by_text("Weekly active shoppers").first).to_be_visible()

    page.goto("/w/initech/products/MOB/strategy/")
    bar = page.get_by_role("progressbar").first
    expect(bar).to_have_attribute("aria-valuenow", "0")

    page.goto(f"/w/initech/goals/{goal.pk}/")
    page.get_by_text("Check in", exact=True).first.click()
    page.get_by_label("New value").first.fill("150")
    page.get_by_label("Note").first.fill("Launch campaign worked")
    page.get_by_role("button", name="Save check-in").first.click()
    expect(page.get_by_text("Launch campaign worked").first).to_be_attached()

    page.goto("/w/initech/products/MOB/strategy/")
    expect(page.get_by_role("progressbar").first).to_have_attribute("aria-valuenow", "50")
    key_result = KeyResult.objects.get(goal=goal)
    assert key_result.current_value == 150
    assert CheckIn.objects.filter(key_result=key_result, author=pm, note="Launch campaign worked").exists()


def test_screenshots_of_the_demo_strategy(page):
    """Not a journey: the pictures in the docs, from the demo data, looked at before release."""
    demo.seed_strategy(demo.seed_workspace())
    sign_in(page, demo.DEMO_EMAIL, demo.DEMO_PASSWORD)
    page.goto("/w/northwind-labs/products/SHOP/strategy/")
    expect(page.get_by_role("heading", name="Strategy")).to_be_visible()
    screenshot(page, "strategy-overview")
    page.goto("/w/northwind-labs/products/SHOP/strategy/competitors/compare/")
    expect(page.get_by_role("heading", name="Competitor comparison")).to_be_visible()
    screenshot(page, "competitor-comparison")
    page.goto("/w/northwind-labs/goals/")
    screenshot(page, "workspace-goals")
