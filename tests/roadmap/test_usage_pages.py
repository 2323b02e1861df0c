"""The usage page (charts, tables, age of the numbers, empty state, flat query counts) and the
ingest keys page (admins create, rotate and revoke; everyone else reads; workspaces apart)."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from roadmap.models import IngestKey, UsageFeatureDaily
from roadmap.services import ingest_keys

from ..conftest import count_queries
from ..factories import IngestKeyFactory, ProductFactory, UsageDailyFactory

pytestmark = pytest.mark.django_db


def usage_url(product) -> str:
    return f"/w/{product.workspace.slug}/products/{product.key}/usage/"


def keys_url(product) -> str:
    return usage_url(product) + "keys/"


def seed_days(product, days: int, keys: int = 1):
    today = timezone.localdate()
    for n in range(days):
        day = today - timedelta(days=n)
        UsageDailyFactory(product=product, day=day, dau=100 + n, wau=300, mau=900, sessions=150, bounced_sessions=60,
                          computed_at=timezone.now() - timedelta(minutes=12))
        for k in range(keys):
            UsageFeatureDaily.objects.create(product=product, day=day, feature_key=f"feature-{k}", users=10 + k,
                                             users_7d=30 + k, events=40, computed_at=timezone.now())


def test_the_usage_page_shows_charts_tables_and_the_age_of_its_numbers(client_as_viewer, product):
    seed_days(product, 20, keys=2)

    response = client_as_viewer.get(usage_url(product))

    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('class="usage-chart"') == 3
    assert "Daily (DAU)" in page and "Monthly (MAU, 30 days to the day)" in page
    assert "Computed" in page and "12\xa0minutes ago" in page
    assert '<span class="usage-kpi__value">100</span>' in page  # today's DAU
    assert "40%" in page  # bounce rate: 60 of 150
    assert page.count("<summary>Data table</summary>") == 3
    assert "<code>feature-0</code>" in page and "<code>feature-1</code>" in page
    assert 'class="usage-spark"' in page
    assert "10%" in page  # feature-0's last full week: 30 of 300 weekly active users


def test_the_range_can_be_chosen_and_a_bad_one_falls_back(client_as_viewer, product):
    seed_days(product, 40)

    short = client_as_viewer.get(usage_url(product) + "?days=30").content.decode()
    odd = client_as_viewer.get(usage_url(product) + "?days=7x").content.decode()

    today = timezone.localdate()
    label = "{:%a} {} {:%b %Y}".format
    day_29, day_30 = today - timedelta(days=29), today - timedelta(days=30)
    assert label(day_29, day_29.day, day_29) in short and label(day_30, day_30.day, day_30) not in short
    assert label(day_30, day_30.day, day_30) in odd
    assert 'aria-current="true">90 days' in odd


def test_the_empty_state_explains_how_to_send_events(client_as_admin, client, product, viewer):
    page = client_as_admin.get(usage_url(product)).content.decode()

    assert "No usage events yet" in page
    assert f'href="{keys_url(product)}"' in page and "Create an ingest key" in page
    assert 'href="/api/docs/"' in page
    assert "Authorization: Bearer wmk_" in page
    client.force_login(viewer)
    as_viewer = client.get(usage_url(product)).content.decode()
    assert "A workspace admin creates the ingest key" in as_viewer
    assert "Create an ingest key" not in as_viewer


def test_the_sidebars_metrics_entry_is_current_on_the_usage_page(client_as_viewer, product):
    page = client_as_viewer.get(usage_url(product)).content.decode()

    # One "Metrics" entry per product (its overview links to the usage and delivery pages).
    assert re.search(r'href="/w/acme/products/MOB/metrics/" aria-current="page">.*?Metrics</span>', page, re.DOTALL)


def test_the_usage_page_costs_the_same_queries_for_little_and_much_data(client_as_viewer, product, workspace):
    big = ProductFactory(workspace=workspace, name="Big", key="BIG")
    seed_days(product, 2, keys=1)
    seed_days(big, 180, keys=8)
    client_as_viewer.get(usage_url(product))  # warm the session

    small = count_queries(lambda: client_as_viewer.get(usage_url(product)))
    large = count_queries(lambda: client_as_viewer.get(usage_url(big) + "?days=180"))

    assert small == large
    assert large <= 14


def test_another_workspace_cannot_see_the_usage_page(client, product, other_workspace):
    seed_days(product, 3)
    client.force_login(other_workspace.memberships.get().user)

    assert client.get(usage_url(product)).status_code == 404
    assert client.get(keys_url(product)).status_code == 404


# --- ingest keys --------------------------------------------------------------------------------


def test_an_admin_creates_a_key_and_sees_it_once(client_as_admin, product):
    response = client_as_admin.post(keys_url(product), {"name": "Web app"})

    page = response.content.decode()
    key = IngestKey.objects.get(product=product)
    shown = re.search(r'id="ingest-new-key" type="text" value="(wmk_[^"]+)"', page)
    assert response.status_code == 200 and shown
    assert ingest_keys.key_digest(shown.group(1)) == key.key_digest
    assert "no-cache" in response["Cache-Control"]
    again = client_as_admin.get(keys_url(product)).content.decode()
    assert shown.group(1) not in again and key.key_prefix in again


def test_a_key_without_a_name_gets_the_form_back(client_as_admin, product):
    response = client_as_admin.post(keys_url(product), {"name": ""})

    assert response.status_code == 400
    assert "This field is required" in response.content.decode()
    assert not IngestKey.objects.exists()


def test_viewers_and_editors_read_the_keys_but_cannot_manage_them(client, product, viewer, editor):
    key = IngestKeyFactory(product=product, name="iOS app")
    for someone in (viewer, editor):
        client.force_login(someone)
        page = client.get(keys_url(product)).content.decode()
        assert "iOS app" in page and "Create key" not in page and "Revoke" not in page
        assert client.post(keys_url(product), {"name": "Mine"}).status_code == 403
        assert client.post(keys_url(product) + f"{key.pk}/revoke/").status_code == 403
        assert client.post(keys_url(product) + f"{key.pk}/rotate/").status_code == 403
    assert IngestKey.objects.filter(product=product).count() == 1
    assert IngestKey.objects.get().revoked_at is None


def test_an_admin_rotates_a_key(client_as_admin, product):
    old = IngestKeyFactory(product=product, name="Web app")

    response = client_as_admin.post(keys_url(product) + f"{old.pk}/rotate/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "keeps working for 24 hours" in page
    old.refresh_from_db()
    assert old.revoked_at > timezone.now() + timedelta(hours=23)
    assert IngestKey.objects.filter(product=product, name="Web app", revoked_at=None).count() == 1


def test_an_admin_revokes_a_key(client_as_admin, product):
    key = IngestKeyFactory(product=product)

    response = client_as_admin.post(keys_url(product) + f"{key.pk}/revoke/", follow=True)

    key.refresh_from_db()
    assert key.revoked_at is not None
    assert "revoked" in response.content.decode()


def test_a_key_of_another_product_is_not_found_here(client_as_admin, product, workspace, other_product):
    elsewhere = IngestKeyFactory(product=ProductFactory(workspace=workspace, key="WEB"))
    foreign = IngestKeyFactory(product=other_product)

    assert client_as_admin.post(keys_url(product) + f"{elsewhere.pk}/revoke/").status_code == 404
    assert client_as_admin.post(keys_url(product) + f"{foreign.pk}/revoke/").status_code == 404
    assert not IngestKey.objects.exclude(revoked_at=None).exists()
