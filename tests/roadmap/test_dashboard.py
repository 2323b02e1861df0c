"""The product metrics page, the executive dashboard and the product page's metrics card:
what they show and how old it is, product lines summing up, empty states, isolation between
workspaces, flat query counts at 3 and 40 products, and rendering with Redis down."""

import re
from datetime import timedelta
from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from releases.models import ProductDeliverySnapshot, ReleaseDeliverySnapshot
from roadmap.models import UsageDaily, UsageFeatureDaily

from ..conftest import count_queries
from ..factories import (
    FeatureFactory,
    GoalFactory,
    KeyResultFactory,
    ProductFactory,
    ReleaseFactory,
)

pytestmark = pytest.mark.django_db


def text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def get(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def dashboard_url(workspace):
    return reverse("roadmap:dashboard", args=[workspace.slug])


def metrics_url(product):
    return reverse("roadmap:product_metrics", args=[product.workspace.slug, product.key])


def measured(product, today, *, dau=120, chance=0.82, with_goal=True, with_feature=True):
    """A product with a next release forecast, a delivery snapshot, yesterday's usage, a goal on
    track and a feature with a usage key shipped three weeks ago."""
    now = timezone.now() - timedelta(hours=3)
    release = ReleaseFactory(product=product, name=f"{product.key} next", release_date=today + timedelta(days=20))
    ReleaseDeliverySnapshot.objects.create(
        release=release, day=today, computed_at=now, feature_count=10, done_count=4, remaining_count=6,
        forecast_status="forecast", forecast_p50=today + timedelta(days=15), forecast_p85=today + timedelta(days=24),
        forecast_p95=today + timedelta(days=30), on_time_probability=chance)
    ProductDeliverySnapshot.objects.create(product=product, day=today, computed_at=now,
                                           throughput_mean=Decimal("2.5"),
                                           data={"throughput": [[(today - timedelta(days=7 * i)).isoformat(), i % 4]
                                                                for i in range(12, 0, -1)]})
    yesterday = today - timedelta(days=1)
    for back in range(3):
        UsageDaily.objects.create(product=product, day=yesterday - timedelta(days=back), dau=dau - back, wau=dau * 3,
                                  mau=dau * 7, sessions=200, bounced_sessions=70, events=900, computed_at=now)
    if with_feature:
        shipped = ReleaseFactory(product=product, name=f"{product.key} shipped", status="released",
                                 start_date=today - timedelta(days=60), release_date=today - timedelta(days=21))
        FeatureFactory(product=product, title="CSV export", usage_key="csv-export", release=shipped)
        UsageFeatureDaily.objects.create(product=product, day=yesterday, feature_key="csv-export", users=20,
                                         users_7d=dau * 3 // 4, events=40, computed_at=now)
    if with_goal:
        goal = GoalFactory(workspace=product.workspace, product=product, start_date=today - timedelta(days=10),
                           end_date=today + timedelta(days=80))
        KeyResultFactory(goal=goal, start_value=0, target_value=100, current_value=50)
    return release


# --- the executive dashboard ------------------------------------------------------------------------


def test_the_dashboard_shows_each_products_figures_with_their_age(client_as_viewer, workspace, product, today):
    measured(product, today)

    words = text(get(client_as_viewer, dashboard_url(workspace)))

    assert "Mobile App" in words and "Development" in words
    assert "MOB next" in words and "82%" in words
    assert f"85% by {(today + timedelta(days=24)).day}" in words
    assert "2.5 per week" in words and "120" in words
    assert "3 h ago" in words
    assert "CSV export 25%" in words  # 90 of 360 weekly active users
    assert "1 current goal" in words


def test_a_product_line_sums_up_its_products(client_as_viewer, workspace, today):
    line = ProductFactory(workspace=workspace, name="Suite", key="SUITE", kind="line")
    first = ProductFactory(workspace=workspace, name="Alpha", key="ALP", parent=line)
    second = ProductFactory(workspace=workspace, name="Beta", key="BET", parent=line)
    measured(first, today, dau=100)
    measured(second, today, dau=40, chance=0.3)

    html = get(client_as_viewer, dashboard_url(workspace))

    line_row = text(html.split('class="dash-row dash-row--line"')[1].split("</tr>")[0])
    assert "140" in line_row  # DAU of both
    assert "5.0 per week" in line_row  # throughput of both
    assert "2 current goals" in line_row
    assert "ALP" in line_row  # the earliest next release of its products


def test_an_empty_workspace_gets_an_empty_state(client_as_viewer, workspace):
    words = text(get(client_as_viewer, dashboard_url(workspace)))

    assert "No products yet" in words
    assert "No company-wide goal is running today" in words


def test_a_product_without_metrics_shows_dashes_not_errors(client_as_viewer, workspace, product):
    words = text(get(client_as_viewer, dashboard_url(workspace)))

    assert "None planned" in words and "No current goals" in words
    assert "No feature with a usage key shipped" in words


def test_company_wide_goals_are_counted_by_status(client_as_viewer, workspace, today):
    goal = GoalFactory(workspace=workspace, start_date=today - timedelta(days=50), end_date=today + timedelta(days=50))
    KeyResultFactory(goal=goal, current_value=0)  # half the time gone, no progress: off track

    words = text(get(client_as_viewer, dashboard_url(workspace)))

    assert "1 off track" in words and "of 1 running today" in words


def test_another_workspaces_products_never_appear(client_as_viewer, workspace, product, other_product, today):
    measured(other_product, today, dau=99999)

    html = get(client_as_viewer, dashboard_url(workspace))

    assert "Secret Plans" not in html and "99,999" not in html
    assert client_as_viewer.get(reverse("roadmap:dashboard", args=["globex"])).status_code == 404


def test_the_dashboard_costs_the_same_for_3_products_or_40(client_as_viewer, workspace, today):
    line = ProductFactory(workspace=workspace, key="LINE", kind="line")
    for i in range(3):
        measured(ProductFactory(workspace=workspace, key=f"P{i}", parent=line if i == 1 else None), today)
    url = dashboard_url(workspace)
    get(client_as_viewer, url)
    few = count_queries(lambda: get(client_as_viewer, url))

    for i in range(3, 40):
        measured(ProductFactory(workspace=workspace, key=f"P{i}", parent=line if i % 2 else None), today,
                 with_goal=i % 3 == 0)
    many = count_queries(lambda: get(client_as_viewer, url))

    assert many == few


def test_the_dashboard_is_in_the_workspace_section_of_the_sidebar(client_as_viewer, workspace):
    html = get(client_as_viewer, reverse("strategy:portfolio", args=[workspace.slug]))

    assert f'href="{dashboard_url(workspace)}"' in html


# --- the product metrics page ------------------------------------------------------------------------


def test_the_metrics_page_shows_delivery_usage_and_adoption(client_as_viewer, product, today):
    measured(product, today)

    html = get(client_as_viewer, metrics_url(product))
    words = text(html)

    assert "Next release MOB next" in words and "Chance of making its date 82%" in words
    assert "Throughput 2.5 features done per week" in words
    assert "Daily active users 120" in words and "Bounce rate 35%" in words  # 70 of 200 sessions
    assert "CSV export csv-export" in words and "25%" in words
    assert words.count("computed 3 hours ago") >= 4
    assert reverse("releases:product_delivery", args=["acme", "MOB"]) in html
    assert reverse("roadmap:product_usage", args=["acme", "MOB"]) in html
    assert 'class="metric-spark"' in html and 'class="metric-bars"' in html


def test_the_metrics_page_of_a_new_product_explains_what_will_appear(client_as_viewer, product):
    words = text(get(client_as_viewer, metrics_url(product)))

    assert "No delivery figures yet" in words and "No usage yet" in words
    assert "No feature with a usage key shipped in the last 90 days" in words


def test_the_metrics_page_of_a_line_lists_its_products(client_as_viewer, workspace, today):
    line = ProductFactory(workspace=workspace, name="Suite", key="SUITE", kind="line")
    measured(ProductFactory(workspace=workspace, name="Alpha", key="ALP", parent=line), today, dau=100)
    measured(ProductFactory(workspace=workspace, name="Beta", key="BET", parent=line), today, dau=40)

    words = text(get(client_as_viewer, metrics_url(line)))

    assert "Daily active users 140" in words
    assert "Products of this line 2" in words and "Alpha" in words and "Beta" in words


def test_the_metrics_page_costs_the_same_for_little_or_much_data(client_as_viewer, editor, product, today):
    measured(product, today)
    url = metrics_url(product)
    get(client_as_viewer, url)
    few = count_queries(lambda: get(client_as_viewer, url))

    for i in range(8):
        shipped = ReleaseFactory(product=product, status="released", start_date=today - timedelta(days=80),
                                 release_date=today - timedelta(days=5 + i))
        FeatureFactory(product=product, usage_key=f"key-{i}", release=shipped)
    many = count_queries(lambda: get(client_as_viewer, url))

    assert many == few


def test_another_workspaces_product_metrics_are_not_found(client_as_viewer, other_product):
    assert client_as_viewer.get(metrics_url(other_product)).status_code == 404


def test_the_metrics_entry_is_in_the_products_sidebar_section(client_as_viewer, product):
    html = get(client_as_viewer, metrics_url(product))

    assert re.search(r'href="/w/acme/products/MOB/metrics/" aria-current="page"', html)
    assert ">Delivery</span>" not in html and ">Usage</span>" not in html  # one Metrics entry


# --- the product page's card, and Redis down ---------------------------------------------------------


def test_the_product_page_shows_the_next_forecast_and_dau(client_as_viewer, product, today):
    measured(product, today)

    words = text(get(client_as_viewer, reverse("strategy:product_detail", args=["acme", "MOB"])))

    assert "82% chance on time" in words
    assert f"Daily active users, {(today - timedelta(days=1)).day}" in words and "120" in words
    assert "computed 3 hours ago" in words


def test_the_pages_render_their_last_values_with_redis_down(client_as_viewer, workspace, product, today,
                                                            broker_down):
    measured(product, today)

    dashboard = text(get(client_as_viewer, dashboard_url(workspace)))
    metrics = text(get(client_as_viewer, metrics_url(product)))

    assert "82%" in dashboard and "3 h ago" in dashboard
    assert "Daily active users 120" in metrics and "computed 3 hours ago" in metrics


def test_the_dashboard_shows_each_products_launch_readiness(client_as_viewer, editor, workspace, product, today):
    from releases import services as release_services

    release = ReleaseFactory(product=product, name="Autumn", start_date=today - timedelta(days=10),
                             release_date=today + timedelta(days=10))
    done = release_services.todo_create(actor=editor, release=release, title="Brief", due_date=today)
    release_services.todo_set_done(actor=editor, todo=done, done=True)
    release_services.todo_create(actor=editor, release=release, title="Docs", due_date=today - timedelta(days=1))

    words = text(get(client_as_viewer, dashboard_url(workspace)))

    assert "Autumn: Behind" in words and "1 of 2 to-dos done · 1 overdue" in words
