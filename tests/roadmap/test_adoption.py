"""Feature adoption on the feature page (through `releases.extensions.feature_summaries`):
the share of weekly active users who used a shipped feature's usage key, week by week,
checked by hand; the hints before release and without a key; isolation; flat queries."""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from releases.extensions import feature_summaries
from roadmap.models import UsageDaily, UsageFeatureDaily
from roadmap.selectors.adoption import feature_adoption

from ..conftest import count_queries
from ..factories import FeatureFactory, ProductFactory, ReleaseFactory

pytestmark = pytest.mark.django_db


def text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def last_sunday_before(day):
    return day - timedelta(days=day.weekday() + 1)


def usage(product, day, *, wau, key="csv-export", users_7d=None):
    UsageDaily.objects.update_or_create(product=product, day=day, defaults={
        "dau": wau // 4, "wau": wau, "mau": wau * 2, "sessions": wau, "bounced_sessions": 0, "events": wau * 5,
        "computed_at": timezone.now()})
    if users_7d is not None:
        UsageFeatureDaily.objects.update_or_create(product=product, day=day, feature_key=key, defaults={
            "users": users_7d // 3, "users_7d": users_7d, "events": users_7d, "computed_at": timezone.now()})


@pytest.fixture
def wednesday(today):
    """The latest Wednesday up to today: the selector's tests count weeks from it, so that
    yesterday is never a Sunday (which ends a week too)."""
    return today - timedelta(days=(today.weekday() - 2) % 7)


@pytest.fixture
def shipped(product, wednesday):
    """csv-export, released four weeks before the Sunday before `wednesday`."""
    sunday = last_sunday_before(wednesday)
    release = ReleaseFactory(product=product, start_date=sunday - timedelta(days=60),
                             release_date=sunday - timedelta(days=27), status="released")
    return FeatureFactory(product=product, title="CSV export", usage_key="csv-export", release=release)


def page(client, feature):
    url = reverse("releases:feature_detail", args=[feature.product.workspace.slug, feature.product.key,
                                                   feature.number])
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_the_share_per_week_is_the_keys_weekly_users_over_weekly_active_users(shipped, product, wednesday):
    today = wednesday
    sunday = last_sunday_before(today)
    yesterday = today - timedelta(days=1)
    for weeks_ago, (active, used) in enumerate([(400, 100), (380, 57), (350, 0)]):
        usage(product, sunday - timedelta(days=7 * weeks_ago), wau=active, users_7d=used or None)
    usage(product, yesterday, wau=500, users_7d=150)

    adoption = feature_adoption([shipped], today=today)[shipped.pk]

    assert [(w.start, w.users, w.active) for w in adoption.weeks] == [
        (sunday - timedelta(days=20), 0, 350), (sunday - timedelta(days=13), 57, 380),
        (sunday - timedelta(days=6), 100, 400)]
    assert [round(w.share, 1) for w in adoption.weeks] == [0.0, 15.0, 25.0]
    assert adoption.current.share == 30.0  # 150 of 500 in the 7 days to yesterday
    assert adoption.released == shipped.release.release_date


def test_weeks_before_the_release_are_left_out(shipped, product, wednesday):
    sunday = last_sunday_before(wednesday)
    usage(product, sunday - timedelta(days=35), wau=300, users_7d=10)  # before the release week

    adoption = feature_adoption([shipped], today=wednesday)[shipped.pk]

    assert all(week.start >= shipped.release.release_date - timedelta(days=6) for week in adoption.weeks)
    assert adoption.weeks == []


def test_the_feature_page_shows_the_figure_the_bars_and_the_table(client_as_viewer, shipped, product, today):
    sunday = last_sunday_before(today - timedelta(days=1))  # a complete week other than yesterday's
    usage(product, sunday, wau=400, users_7d=100)
    usage(product, today - timedelta(days=1), wau=500, users_7d=150)

    html = page(client_as_viewer, shipped)

    assert 'class="metric-bars"' in html
    words = text(html)
    assert "Adoption 30%" in words and "Last 7 days: 150 of 500 active users" in words
    assert "100 of 400 25.0%" in words
    assert "Computed just now" in words


def test_a_feature_without_a_usage_key_gets_a_hint(client_as_viewer, product):
    feature = FeatureFactory(product=product, title="Saved carts")

    assert "Set a usage key on this feature" in text(page(client_as_viewer, feature))


def test_before_its_release_a_feature_says_when_adoption_appears(client_as_viewer, product, today):
    release = ReleaseFactory(product=product, release_date=today + timedelta(days=10))
    feature = FeatureFactory(product=product, usage_key="dark-mode", release=release)

    words = text(page(client_as_viewer, feature))

    assert "Adoption of dark-mode appears here from the day after its release date" in words


def test_a_shipped_feature_without_rollups_yet_says_so(client_as_viewer, shipped):
    assert "No usage rolled up yet" in text(page(client_as_viewer, shipped))


def test_another_products_usage_of_the_same_key_is_not_counted(shipped, product, workspace, other_product, today):
    yesterday = today - timedelta(days=1)
    usage(product, yesterday, wau=500)
    usage(other_product, yesterday, wau=900, users_7d=800)
    usage(ProductFactory(workspace=workspace, key="WEB"), yesterday, wau=900, users_7d=800)

    adoption = feature_adoption([shipped], today=today)[shipped.pk]

    assert (adoption.current.users, adoption.current.active) == (0, 500)


def test_the_adoption_panel_is_registered_for_the_feature_page():
    assert "adoption" in feature_summaries.names


def test_the_feature_page_costs_the_same_for_one_week_or_twelve(client_as_viewer, shipped, product, today):
    sunday = last_sunday_before(today - timedelta(days=1))
    usage(product, sunday, wau=400, users_7d=100)
    page(client_as_viewer, shipped)
    few = count_queries(lambda: page(client_as_viewer, shipped))

    shipped.release.release_date = sunday - timedelta(days=90)
    shipped.release.start_date = sunday - timedelta(days=120)
    shipped.release.save()
    for weeks_ago in range(1, 12):
        usage(product, sunday - timedelta(days=7 * weeks_ago), wau=400, users_7d=100 + weeks_ago)
    page(client_as_viewer, shipped)  # the release moved: the plan's conflicts are recomputed once, then cached
    many = count_queries(lambda: page(client_as_viewer, shipped))

    assert many == few
