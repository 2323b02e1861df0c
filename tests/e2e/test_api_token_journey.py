"""A member of two workspaces makes an API token for a dashboard of one of them, read only, on
the account page, and the token reads that workspace and nothing else."""

import json
import re
from urllib.error import HTTPError
from urllib.request import Request, urlopen

import pytest
from playwright.sync_api import expect

from strategy import services
from strategy.models import User

from .conftest import screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def _call(url: str, secret: str, method: str = "GET", body: dict | None = None) -> int:
    request = Request(url, method=method, headers={"Authorization": f"Bearer {secret}",
                                                   "Content-Type": "application/json"},
                      data=json.dumps(body).encode() if body is not None else None)
    try:
        with urlopen(request, timeout=10) as response:
            return response.status
    except HTTPError as exc:
        return exc.code


def test_a_read_only_token_limited_to_one_workspace(page, live_server):
    pm = User.objects.create_user("pm@example.com", "a-long-passphrase", full_name="Pat Manager")
    initech = services.workspace_create(actor=pm, name="Initech")
    services.workspace_create(actor=pm, name="Hooli")
    services.product_create(actor=pm, workspace=initech, name="Billing", key="BIL")

    sign_in(page, "pm@example.com", "a-long-passphrase")
    page.goto("/account/")
    page.get_by_label("Token name").fill("Exec dashboard")
    page.locator("#id_workspace").select_option(label="Initech")
    page.get_by_label("Read only").check()
    page.get_by_role("button", name="Create token").click()

    secret = page.locator("#new-token-secret").inner_text().strip()
    expect(page.get_by_role("cell", name=re.compile("Initech · read only"))).to_be_visible()
    screenshot(page, "account-limited-token")
    base = live_server.url
    assert _call(f"{base}/api/v1/w/initech/products/", secret) == 200
    assert _call(f"{base}/api/v1/w/hooli/products/", secret) == 403
    assert _call(f"{base}/api/v1/w/initech/products/", secret, "POST", {"name": "New", "key": "NEW"}) == 403
