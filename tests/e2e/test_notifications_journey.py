"""Notifications in a real browser: someone assigned a feature finds it behind the bell,
marks it read in place and opens the feature; and a person who is not signed in stops the
emails with the link from one of them, in one click."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from releases import services as release_services
from releases.models import Notification, NotificationSettings
from strategy import services
from strategy.models import Role, User

from ..factories import MembershipFactory
from .conftest import screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def assigned():
    pm = User.objects.create_user("pm@example.com", "a-long-passphrase", full_name="Pat Manager")
    sam = User.objects.create_user("sam@example.com", "a-long-passphrase", full_name="Sam Builder")
    workspace = services.workspace_create(actor=pm, name="Initech")
    MembershipFactory(workspace=workspace, user=sam, role=Role.EDITOR)
    product = services.product_create(actor=pm, workspace=workspace, name="Mobile App", key="MOB")
    for title in ("Offline lists", "Dark mode"):
        release_services.feature_create(actor=pm, product=product, title=title, assignee=sam)
    return sam


def test_an_assignment_waits_behind_the_bell_and_opens_the_feature(page, assigned):
    sign_in(page, "sam@example.com", "a-long-passphrase")
    page.goto("/w/initech/my-work/")
    bell = page.locator("#topbar-inbox")
    expect(bell.locator(".topbar__unread")).to_have_text("2")

    bell.click()
    expect(page.get_by_role("heading", name="Inbox")).to_be_visible()
    expect(page.locator(".inbox-item--unread")).to_have_count(2)
    page.get_by_role("button", name="Mark read: Dark mode").click()
    expect(page.locator(".inbox-item--unread")).to_have_count(1)
    # The bell follows without a reload.
    expect(bell.locator(".topbar__unread")).to_have_text("1")

    page.get_by_role("link", name=re.compile("assigned you MOB-1 Offline lists")).click()
    expect(page.get_by_role("heading", name=re.compile("Offline lists"))).to_be_visible()
    assert not Notification.objects.filter(read_at__isnull=True).exists()
    expect(page.locator("#topbar-inbox .topbar__unread")).to_have_count(0)

    # Following from the feature page.
    page.get_by_role("button", name="Following").click()
    expect(page.get_by_role("button", name="Follow", exact=True)).to_be_visible()
    screenshot(page, "notifications-feature-unfollowed")


def test_a_person_without_a_session_unsubscribes_with_the_emails_link(browser, live_server, assigned):
    [email, *_rest] = [m for m in mail.outbox if m.to == ["sam@example.com"]]
    link = email.extra_headers["List-Unsubscribe"].strip("<>").replace("http://testserver", live_server.url)
    assert link.split(live_server.url)[1] in email.body.replace("http://testserver", "")

    visitor = browser.new_context(base_url=live_server.url).new_page()
    try:
        visitor.goto(link)
        expect(visitor.get_by_role("heading", name="Unsubscribe")).to_be_visible()
        expect(visitor.get_by_text("sam@example.com")).to_be_visible()
        assert not NotificationSettings.objects.filter(user=assigned).exists()

        visitor.get_by_role("button", name="Unsubscribe").click()

        expect(visitor.get_by_role("heading", name="You are unsubscribed")).to_be_visible()
        screenshot(visitor, "notifications-unsubscribed")
    finally:
        visitor.context.close()
    assert NotificationSettings.objects.get(user=assigned).assigned == "off"
