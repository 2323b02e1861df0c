"""Importing a messy spreadsheet in a real browser: a product manager uploads a CSV from the
backlog's Import button, reads the preview (a refused row with its column and reason), confirms,
finds the features in the backlog, and undoes the whole import."""

import pytest
from playwright.sync_api import expect

from releases.models import Feature, Import, Release
from strategy import services
from strategy.models import User

from .conftest import screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

MESSY = (
    "key,title,status,release,release_date,end_date,estimate,assignee_email,tags\n"
    "SHEET-1,Offline lists,Planned,Autumn,2025-10-15,,3,pm@example.com,\"mobile, sync\"\n"
    "SHEET-2,Share a list,In development,Autumn,,2025-09-30,2,,\n"
    "SHEET-3,Widgets,Planned,0.0,,,5,,\n"
    "SHEET-4,Smart reminders,Someday maybe,,,,,,\n"
    "SHEET-2,Share a list again,Planned,,,,,,\n"
    "SHEET-5,Dark mode,Backlog,,,2025-03,,,\n"
    "SHEET-6,Password-less sign-in,Backlog,,,,1,someone@elsewhere.test,\n"
)


@pytest.fixture
def product():
    pm = User.objects.create_user("pm@example.com", "a-long-passphrase", full_name="Pat Manager")
    workspace = services.workspace_create(actor=pm, name="Initech")
    return services.product_create(actor=pm, workspace=workspace, name="Mobile App", key="MOB")


def test_a_messy_file_is_previewed_imported_and_undone(page, product):
    sign_in(page, "pm@example.com", "a-long-passphrase")
    page.goto("/w/initech/products/MOB/backlog/")
    page.get_by_role("link", name="Import", exact=True).click()
    page.get_by_label("File", exact=True).set_input_files(
        {"name": "roadmap-export.csv", "mimeType": "text/csv", "buffer": MESSY.encode()})
    page.get_by_role("button", name="Preview the import").click()

    expect(page.get_by_role("heading", name="Preview of roadmap-export.csv")).to_be_visible()
    refused = page.locator(".import-table--refused")
    expect(page.get_by_role("heading", name="Refused (4)")).to_be_visible()
    expect(refused).to_contain_text("“0.0” looks like a placeholder, not a release")
    expect(refused).to_contain_text("“Someday maybe” is not a status of this workspace's workflow")
    expect(refused).to_contain_text("The key SHEET-2 is already on row 3")
    expect(refused).to_contain_text("“2025-03” names a month, not a day")
    expect(page.get_by_text("someone@elsewhere.test is not a member of this workspace")).to_be_visible()
    expect(page.get_by_role("heading", name="New releases (1)")).to_be_visible()
    assert Feature.objects.count() == 0  # nothing written before the confirmation
    screenshot(page, "import-preview-errors")

    page.get_by_role("button", name="Import 3 features").click()
    expect(page.get_by_text("Imported: 3 created, 0 updated, 0 unchanged, 4 refused.")).to_be_visible()
    assert set(Feature.objects.values_list("external_id", flat=True)) == {"SHEET-1", "SHEET-2", "SHEET-6"}
    assert Release.objects.get(name="Autumn").release_date.isoformat() == "2025-10-15"
    screenshot(page, "import-result")

    page.get_by_role("link", name="See the backlog").click()
    expect(page.get_by_text("Offline lists")).to_be_visible()
    expect(page.get_by_text("Password-less sign-in")).to_be_visible()

    page.go_back()
    page.get_by_role("button", name="Undo this import").click()
    expect(page.get_by_text("The import of roadmap-export.csv was undone.")).to_be_visible()
    expect(page.get_by_text("Undone: 3 features and 1 release deleted")).to_be_visible()
    assert Feature.objects.count() == 0 and not Release.objects.filter(name="Autumn").exists()
    assert Import.objects.get().status == Import.Status.UNDONE

    page.goto("/w/initech/products/MOB/imports/")
    expect(page.locator("table").first).to_contain_text("roadmap-export.csv")
    expect(page.locator("table").first).to_contain_text("Undone")
    screenshot(page, "import-history")
