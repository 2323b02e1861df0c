"""Webhooks and the export in a real browser: an admin adds a webhook from the sidebar, sends a
test event to a local receiver, sees a feature change delivered, a failing receiver's
attempts in the log, redelivers one, and downloads the workspace's export."""

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from releases import services as release_services
from strategy import services
from strategy.models import User

from ..roadmap.test_webhooks import Receiver
from .conftest import ARTIFACTS, sign_in

pytestmark = pytest.mark.django_db(transaction=True)
DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture
def receiver(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    settings.WEBHOOK_RETRY_BASE_SECONDS = 0
    server = Receiver()
    yield server
    server.close()


def test_an_admin_wires_a_webhook_and_reads_its_log(page, receiver):
    admin = User.objects.create_user("ada@example.com", "a-long-passphrase", full_name="Ada Admin")
    workspace = services.workspace_create(actor=admin, name="Initech")
    product = services.product_create(actor=admin, workspace=workspace, name="Mobile App", key="MOB")
    sign_in(page, "ada@example.com", "a-long-passphrase")

    page.goto(f"/w/{workspace.slug}/")
    page.get_by_role("link", name="Webhooks").click()
    expect(page.get_by_role("heading", name="Webhooks", exact=True)).to_be_visible()
    page.get_by_label("Payload URL").fill(receiver.url)
    page.get_by_label("Description").fill("Release notes bot")
    page.get_by_label("Feature created").check()
    page.get_by_label("Feature moved (release or status)").check()
    page.get_by_role("button", name="Add webhook").click()

    expect(page.get_by_text("Webhook added.")).to_be_visible()
    page.get_by_role("button", name="Send test event").click()
    expect(page.get_by_text("200 Delivered")).to_be_visible()
    assert receiver.events() == ["ping"]

    release_services.feature_create(actor=admin, product=product, title="Offline mode")
    receiver.status = 500
    release_services.feature_create(actor=admin, product=product, title="Dark mode")
    page.reload()
    expect(page.get_by_text("500 Failed")).to_be_visible()
    assert receiver.events() == ["ping", "feature.created", "feature.created", "feature.created", "feature.created"]
    page.get_by_text("3 attempts").click()
    expect(page.get_by_text("boom").first).to_be_visible()
    DOCS.mkdir(exist_ok=True)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(DOCS / "webhook-log.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(ARTIFACTS / "webhook-log-phone.png"), full_page=True)
    page.set_viewport_size({"width": 1440, "height": 900})

    receiver.status = 200
    page.get_by_role("button", name="Redeliver feature.created").first.click()
    expect(page.get_by_text("Delivery of feature.created queued again.")).to_be_visible()
    expect(page.get_by_text("200 Delivered")).to_have_count(3)

    page.get_by_role("link", name="Export").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download export (.json)").click()
    document = json.loads(Path(download.value.path()).read_text())
    assert document["workspace"]["slug"] == workspace.slug
    assert document["counts"]["releases.feature"] == 2 and document["counts"]["roadmap.webhookattempt"] == 6
