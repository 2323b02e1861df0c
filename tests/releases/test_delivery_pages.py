"""The delivery pages: the release page's forecast section, the product's delivery page
(charts with data tables, flat query counts), what they show with Redis down, the
`release_forecasts` selector, and the feature's usage key on the form and in the API."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from releases import selectors, services
from releases.models import Feature, ProductDeliverySnapshot, Release, ReleaseDeliverySnapshot
from tests.api_urls import api_url
from tests.conftest import count_queries
from tests.factories import (
    FeatureFactory,
    ProductDeliverySnapshotFactory,
    ProductFactory,
    ReleaseDeliverySnapshotFactory,
    ReleaseFactory,
)

pytestmark = pytest.mark.django_db

FEATURES = api_url("releases-api:feature-list")


def url(name, *args):
    return reverse(f"releases:{name}", args=["acme", "MOB", *args])


@pytest.fixture
def release(product, today):
    return ReleaseFactory(product=product, name="Autumn wallet", start_date=today - timedelta(days=20),
                          release_date=today + timedelta(days=30), status=Release.Status.IN_PROGRESS)


def forecast_snapshot(release, today, **overrides):
    values = {
        "feature_count": 8, "done_count": 3, "estimate_total": Decimal(30), "estimate_done": Decimal(9),
        "scope_added_count": 2, "scope_added_estimate": Decimal(5), "scope_removed_count": 1,
        "scope_removed_estimate": Decimal(3), "remaining_count": 5, "forecast_status": "forecast",
        "forecast_p50": today + timedelta(days=21), "forecast_p85": today + timedelta(days=35),
        "forecast_p95": today + timedelta(days=49), "on_time_probability": 0.62,
        "data": {"burn_up": [[(today - timedelta(days=1)).isoformat(), 6.0, 28.0], [today.isoformat(), 9.0, 30.0]],
                 "forecast": {"queued": 5, "history_weeks": 12, "simulations": 10000,
                              "horizon": (today + timedelta(weeks=156)).isoformat(), "scope_started": True}},
    }
    values.update(overrides)
    return ReleaseDeliverySnapshotFactory(release=release, day=today, **values)


# --- the release page's forecast section ------------------------------------------------


def test_the_release_page_says_when_the_forecast_will_appear(client_as_viewer, release):
    page = client_as_viewer.get(url("release_detail", release.pk)).content.decode()

    assert "Forecast and delivery" in page
    assert "appear here after the next computation" in page


def test_the_release_page_shows_the_latest_forecast_with_its_age(client_as_viewer, release, today):
    FeatureFactory(product=release.product, release=release, estimate=Decimal(5))  # a burn-up to draw on
    forecast_snapshot(release, today - timedelta(days=1), computed_at=timezone.now() - timedelta(days=2))
    forecast_snapshot(release, today, computed_at=timezone.now() - timedelta(minutes=3))

    page = client_as_viewer.get(url("release_detail", release.pk)).content.decode()

    assert "Computed 3\xa0minutes ago" in page
    assert "62%" in page and "Chance of making" in page
    for days in (21, 35, 49):
        assert (today + timedelta(days=days)).strftime("%-d %b %Y") in page
    assert "+2 features · +5 pts" in page and "−1 feature · −3 pts" in page
    assert "burnup__cone" in page and "Forecast 50–95%" in page  # the cone on the burn-up


def test_a_forecast_without_history_says_so(client_as_viewer, release, today):
    forecast_snapshot(release, today, forecast_status="no_history", forecast_p50=None, forecast_p85=None,
                      forecast_p95=None, on_time_probability=None)

    page = client_as_viewer.get(url("release_detail", release.pk)).content.decode()

    assert "Not enough history to forecast" in page
    assert "burnup__cone" not in page


def test_a_release_with_nothing_left_is_done(client_as_viewer, release, today):
    forecast_snapshot(release, today, forecast_status="done", remaining_count=0, forecast_p50=today,
                      forecast_p85=today, forecast_p95=today, on_time_probability=1.0)

    assert "Everything planned for this release is done" in client_as_viewer.get(
        url("release_detail", release.pk)).content.decode()


def test_the_release_page_keeps_its_pinned_query_count_with_a_snapshot(client_as_viewer, release, today,
                                                                     django_assert_num_queries):
    forecast_snapshot(release, today)
    target = url("release_detail", release.pk)
    client_as_viewer.get(target)  # the first visit also remembers the workspace in the session

    # 9 and 1 for going to market, as test_release_pages pins it.
    with django_assert_num_queries(10):
        assert client_as_viewer.get(target).status_code == 200


def test_with_redis_and_the_broker_down_the_pages_show_the_last_values(client_as_viewer, settings, broker_down,
                                                                       product, release, today):
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": "redis://127.0.0.1:1/0"}}
    forecast_snapshot(release, today, computed_at=timezone.now() - timedelta(hours=5))
    ProductDeliverySnapshotFactory(product=product, computed_at=timezone.now() - timedelta(hours=5))

    release_page = client_as_viewer.get(url("release_detail", release.pk))
    delivery_page = client_as_viewer.get(url("product_delivery"))

    assert release_page.status_code == delivery_page.status_code == 200
    assert "Computed 5\xa0hours ago" in release_page.content.decode()
    assert "Computed 5\xa0hours ago" in delivery_page.content.decode()


# --- the product's delivery page ------------------------------------------------------------


def test_the_delivery_page_before_any_computation(client_as_viewer, release):
    response = client_as_viewer.get(url("product_delivery"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Delivery metrics not computed yet" in page
    assert "Appears after the next computation" in page  # the open release, not computed either


def test_the_delivery_page_draws_each_chart_with_a_legend_and_a_data_table(client_as_viewer, editor, product,
                                                                           workflow, release, today):
    feature = services.feature_create(actor=editor, product=product, title="Saved <carts>", release=release,
                                      status=workflow["In development"], estimate=3)
    services.feature_update(actor=editor, feature=feature, status=workflow["Shipped"])
    Feature.history.filter(id=feature.pk, status=workflow["In development"]).update(
        history_date=timezone.now() - timedelta(days=12))
    Feature.history.filter(id=feature.pk, status=workflow["Shipped"]).update(
        history_date=timezone.now() - timedelta(days=5))
    services.feature_create(actor=editor, product=product, title="Still open", release=release,
                            status=workflow["Planned"], estimate=2)
    services.product_delivery_refresh(product_id=product.pk)

    page = client_as_viewer.get(url("product_delivery")).content.decode()

    assert page.count('role="img"') >= 3  # throughput, cycle time, burn-up
    for title in ("Weekly throughput", "Cycle time", "Open releases", "Burn-up:"):
        assert title in page
    assert page.count("Data table") == 3
    assert "Saved &lt;carts&gt;" in page and "<carts>" not in page
    assert "p50 7d" in page  # the one feature took 7 days
    assert '/metrics/" aria-current="page"' in page  # the product's navigation: its one Metrics entry


def test_the_delivery_page_queries_do_not_grow_with_releases_or_features(client_as_viewer, product, today):
    target = url("product_delivery")
    ProductDeliverySnapshotFactory(product=product, data={"throughput": [], "sample": [], "cycle_times": []})
    release = ReleaseFactory(product=product)
    forecast_snapshot(release, today)
    client_as_viewer.get(target)
    few = count_queries(lambda: client_as_viewer.get(target))

    for i in range(40):
        forecast_snapshot(ReleaseFactory(product=product, name=f"Release {i} " + "long name " * 10), today)
    ProductDeliverySnapshotFactory(product=product, day=today - timedelta(days=1))
    cycle = [[f"MOB-{i}", f"Feature {i}", (today - timedelta(days=i % 150)).isoformat(), i % 40] for i in range(500)]
    weeks = [[(today - timedelta(weeks=25 - i)).isoformat(), i % 7] for i in range(26)]
    ProductDeliverySnapshot.objects.filter(day=today).update(data={"throughput": weeks, "sample": [1] * 12,
                                                                   "cycle_times": cycle})

    assert count_queries(lambda: client_as_viewer.get(target)) == few
    page = client_as_viewer.get(target).content.decode()
    assert "soonest open releases are listed" in page


def test_the_delivery_page_of_another_workspace_is_not_found(client_as_viewer, other_product):
    assert client_as_viewer.get(reverse("releases:product_delivery", args=["globex", "SEC"])).status_code == 404


# --- release_forecasts --------------------------------------------------------------------


def test_release_forecasts_gives_each_releases_latest_snapshot_in_one_query(product, today,
                                                                           django_assert_num_queries):
    first, second, never = (ReleaseFactory(product=product) for _ in range(3))
    forecast_snapshot(first, today - timedelta(days=1), on_time_probability=0.1)
    latest = forecast_snapshot(first, today, on_time_probability=0.9)
    forecast_snapshot(second, today - timedelta(days=3))

    with django_assert_num_queries(1):
        found = selectors.release_forecasts([first, second, never])

    assert set(found) == {first.pk, second.pk}
    assert found[first.pk].pk == latest.pk and found[first.pk].on_time_probability == 0.9
    assert selectors.release_forecasts([]) == {}


# --- the usage key ----------------------------------------------------------------------


def form_data(workflow, **overrides):
    data = {"title": "Offline mode", "description": "", "status": workflow["Backlog"].pk, "release": "",
            "initiative": "", "estimate": "", "start_date": "", "end_date": "", "assignee": "", "tags": "",
            "reach": "", "impact": "", "confidence": "", "effort": "", "usage_key": ""}
    data.update(overrides)
    return data


def test_the_form_saves_a_usage_key(client_as_editor, product, workflow):
    response = client_as_editor.post(url("feature_create"), form_data(workflow, usage_key="offline-sync"))

    assert response.status_code == 302
    assert Feature.objects.get().usage_key == "offline-sync"


@pytest.mark.parametrize("key", ["Offline Sync", "offline--sync", "-offline", "offline!", "x" * 51])
def test_the_form_refuses_a_malformed_usage_key(client_as_editor, product, workflow, key):
    response = client_as_editor.post(url("feature_create"), form_data(workflow, usage_key=key))

    assert response.status_code == 400
    assert response.context["form"].errors["usage_key"]
    assert not Feature.objects.exists()


def test_a_usage_key_is_unique_within_its_product_only(client_as_editor, editor, product, workflow):
    FeatureFactory(product=product, usage_key="csv-export")
    elsewhere = ProductFactory(workspace=product.workspace, key="WEB")
    FeatureFactory(product=elsewhere, usage_key="dark-mode")

    taken = client_as_editor.post(url("feature_create"), form_data(workflow, usage_key="csv-export"))
    free = client_as_editor.post(url("feature_create"), form_data(workflow, title="Dark", usage_key="dark-mode"))

    assert taken.status_code == 400
    assert "already has the usage key csv-export" in str(taken.context["form"].errors["usage_key"])
    assert free.status_code == 302


def test_many_features_may_have_no_usage_key(editor, product):
    for title in ("One", "Two"):
        services.feature_create(actor=editor, product=product, title=title, usage_key="")

    assert list(Feature.objects.values_list("usage_key", flat=True)) == ["", ""]


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_api_reads_and_writes_the_usage_key(editor, product):
    created = api(editor).post(FEATURES, {"product": product.pk, "title": "Export", "usage_key": "csv-export"},
                               format="json")

    assert created.status_code == 201, created.content
    assert created.json()["usage_key"] == "csv-export"
    patched = api(editor).patch(api_url("releases-api:feature-detail", args=[created.json()["id"]]),
                                {"usage_key": ""}, format="json")
    assert patched.status_code == 200 and patched.json()["usage_key"] == ""


@pytest.mark.parametrize("key", ["CSV export", "csv_export!"])
def test_the_api_refuses_a_malformed_usage_key(editor, product, key):
    response = api(editor).post(FEATURES, {"product": product.pk, "title": "Export", "usage_key": key},
                                format="json")

    assert response.status_code == 400
    assert "usage_key" in response.json()
    assert not Feature.objects.exists()


def test_the_api_refuses_a_usage_key_taken_in_the_product(editor, product):
    FeatureFactory(product=product, usage_key="csv-export")

    response = api(editor).post(FEATURES, {"product": product.pk, "title": "Export", "usage_key": "csv-export"},
                                format="json")

    assert response.status_code == 400
    assert "already has the usage key" in str(response.json()["usage_key"])
    assert Feature.objects.count() == 1


def test_a_viewer_is_refused_before_the_usage_key_is_validated(viewer, product):
    response = api(viewer).post(FEATURES, {"product": product.pk, "title": "Export", "usage_key": "BAD KEY"},
                                format="json")

    assert response.status_code == 403


def test_the_feature_page_shows_the_usage_key(client_as_viewer, product):
    feature = FeatureFactory(product=product, usage_key="dark-mode")

    assert "<code>dark-mode</code>" in client_as_viewer.get(url("feature_detail", feature.number)).content.decode()


def test_snapshots_of_a_deleted_release_go_with_it(release, today):
    forecast_snapshot(release, today)

    release.delete()

    assert not ReleaseDeliverySnapshot.objects.exists()
