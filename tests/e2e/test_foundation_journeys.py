"""The journeys of the foundation, in a real browser: sign in, plan the portfolio,
invite a colleague, switch workspace."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from strategy import demo, services
from strategy.models import Membership, Product, Role, User

from .conftest import screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_demo_sign_in_lands_on_the_portfolio(page):
    demo.seed_workspace()

    sign_in(page, demo.DEMO_EMAIL, demo.DEMO_PASSWORD)

    expect(page).to_have_url(re.compile(r"/w/northwind-labs/$"))
    expect(page.get_by_role("heading", name="Portfolio")).to_be_visible()
    results = page.locator("#portfolio-results")
    for name in ("Northwind Commerce", "Storefront", "Mobile Shopping App", "Northwind Pay"):
        expect(results.get_by_role("link", name=name, exact=True)).to_be_visible()
    screenshot(page, "portfolio")
    page.get_by_role("link", name="Mobile Shopping App", exact=True).first.click()
    expect(page.get_by_role("heading", name="Mobile Shopping App")).to_be_visible()
    screenshot(page, "product")


def test_a_wrong_password_keeps_you_on_the_sign_in_page(page):
    demo.seed_workspace()
    sign_in(page, demo.DEMO_EMAIL, "not-the-password")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.get_by_text(re.compile("correct email and password", re.I))).to_be_visible()


def test_a_product_manager_adds_a_product_line_and_a_product_to_it(page):
    pm = User.objects.create_user("pm@example.com", "a-long-passphrase", full_name="Pat Manager")
    workspace = services.workspace_create(actor=pm, name="Initech")
    sign_in(page, "pm@example.com", "a-long-passphrase")
    expect(page.get_by_text("Your portfolio is empty", exact=False)).to_be_visible()

    page.get_by_role("link", name="New product line").first.click()
    page.get_by_label("Name").fill("Developer Tools")
    page.get_by_label("Key").fill("dev")
    page.get_by_role("button", name="Create product line").click()
    expect(page.get_by_role("heading", name="Developer Tools")).to_be_visible()

    page.get_by_role("link", name=re.compile("Add product")).first.click()
    page.get_by_label("Name").fill("Command Line")
    page.get_by_label("Key").fill("CLI")
    page.get_by_label("Lifecycle stage").select_option("launch")
    page.get_by_role("button", name="Create product").click()

    expect(page.get_by_role("heading", name="Command Line")).to_be_visible()
    expect(page.get_by_role("navigation", name=re.compile("Breadcrumb", re.I)).get_by_role(
        "link", name="Developer Tools")).to_be_visible()
    cli = Product.objects.get(workspace=workspace, key="CLI")
    assert (cli.parent.key, cli.stage, cli.owner) == ("DEV", "launch", pm)


def test_a_bad_key_is_explained_next_to_the_field_and_nothing_is_lost(page):
    pm = User.objects.create_user("pm@example.com", "a-long-passphrase")
    services.workspace_create(actor=pm, name="Initech")
    sign_in(page, "pm@example.com", "a-long-passphrase")

    page.get_by_role("link", name="New product").first.click()
    page.get_by_label("Name").fill("Command Line")
    page.get_by_label("Key").fill("C")
    page.get_by_role("button", name="Create product").click()

    expect(page.get_by_text("Use 2–10 capital letters")).to_be_visible()
    expect(page.get_by_label("Name")).to_have_value("Command Line")
    assert not Product.objects.exists()


def test_an_admin_invites_a_colleague_who_joins_from_the_email(page, browser, live_server):
    admin = User.objects.create_user("admin@example.com", "a-long-passphrase", full_name="Ada Admin")
    workspace = services.workspace_create(actor=admin, name="Initech")
    sign_in(page, "admin@example.com", "a-long-passphrase")

    page.get_by_role("link", name="Members").click()
    page.get_by_label("Email", exact=True).fill("newcomer@example.com")
    page.get_by_label("Role", exact=True).select_option("editor")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("Invitation sent to newcomer@example.com")).to_be_visible()

    link = re.search(r"https?://\S+/invitations/\S+/", mail.outbox[-1].body).group(0)
    path = link.split("/invitations/", 1)[1]
    newcomer = browser.new_context(base_url=live_server.url).new_page()
    newcomer.goto(f"/invitations/{path}")
    newcomer.get_by_label("Your name").fill("Nia Newcomer")
    newcomer.get_by_label("Choose a password").fill("another-long-passphrase")
    newcomer.get_by_role("button", name=re.compile("Join|Create|Accept")).click()

    expect(newcomer.get_by_text("Welcome to Initech")).to_be_visible()
    assert Membership.objects.get(workspace=workspace, user__email="newcomer@example.com").role == Role.EDITOR
    newcomer.context.close()


def test_the_switcher_moves_between_workspaces(page):
    person = User.objects.create_user("pm@example.com", "a-long-passphrase")
    services.workspace_create(actor=person, name="Initech")
    services.workspace_create(actor=person, name="Globex")
    sign_in(page, "pm@example.com", "a-long-passphrase")

    page.get_by_label("Switch workspace").click()
    page.get_by_role("link", name=re.compile("Initech")).click()
    expect(page).to_have_url(re.compile(r"/w/initech/$"))
    page.get_by_label("Switch workspace").click()
    page.get_by_role("link", name=re.compile("Globex")).click()
    expect(page).to_have_url(re.compile(r"/w/globex/$"))
