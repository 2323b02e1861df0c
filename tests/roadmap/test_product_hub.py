"""The product page's hub: goals from strategy, and releases and the roadmap through the
extension registry (strategy never imports the apps above it). Its queries do not grow with
the releases and features it summarises."""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from releases import services as release_services
from releases.extensions import feature_summaries
from roadmap import services as roadmap_services
from strategy import services as strategy_services
from strategy.extensions import Figure, Summary, product_summaries

from ..conftest import count_queries
from ..factories import ProductFactory

pytestmark = pytest.mark.django_db


def page(client, product) -> str:
    response = client.get(reverse("strategy:product_detail", args=[product.workspace.slug, product.key]))
    assert response.status_code == 200
    return response.content.decode()


def text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def plan(editor, product, *, releases: int, features_per_release: int, workflow) -> list:
    """`releases` releases a month apart from last month on, each with its features; the first
    feature of each release done."""
    today = timezone.localdate()
    made = []
    for i in range(releases):
        start = today + timedelta(days=30 * (i - 1))
        release = release_services.release_create(actor=editor, product=product, name=f"Wave {i + 1}",
                                                  start_date=start, release_date=start + timedelta(days=29))
        for j in range(features_per_release):
            status = workflow["Shipped"] if j == 0 else workflow["Backlog"]
            release_services.feature_create(actor=editor, product=product, title=f"Wave {i + 1} item {j + 1}",
                                            release=release, status=status)
        made.append(release)
    return made


def test_the_registry_holds_releases_schedule_conflicts_feedback_launch_roadmap_metrics_then_changes():
    assert product_summaries.names == ["releases", "schedule", "conflicts", "feedback", "launch", "roadmap", "metrics",
                                       "changes"]


def test_a_product_without_releases_says_so_and_invents_no_feedback(client_as_viewer, product, workflow):
    html = text(page(client_as_viewer, product))

    assert "Releases & features" in html and "No releases yet" in html
    assert "Appears once open features are planned" in html
    assert "No goals yet" in html
    assert "No ideas or feedback yet" in html


def test_a_product_with_releases_shows_the_next_one_and_its_progress(client_as_viewer, editor, product, workflow):
    plan(editor, product, releases=8, features_per_release=3, workflow=workflow)

    html = text(page(client_as_viewer, product))

    assert "No releases yet" not in html
    assert "Releases 8, 0 released" in html
    # Wave 1 started last month and is due; Wave 2 holds today, so the next due is Wave 2.
    assert "Next: Wave 2" in html and "1 of 3 done" in html
    assert "Features done 8 of 24" in html
    # Now: Wave 2's three and Wave 1's two late ones; Next: Wave 3's open two; Later: the rest.
    assert "Now 5 Next 2 Later 10" in html


def test_a_feature_of_a_cancelled_release_counts_by_its_own_dates(client_as_viewer, editor, product, workflow):
    today = timezone.localdate()
    release = release_services.release_create(actor=editor, product=product, name="Dropped", start_date=today,
                                              release_date=today + timedelta(days=20))
    for title, start in (("Under way", today - timedelta(days=2)), ("Far off", today + timedelta(days=400))):
        release_services.feature_create(actor=editor, product=product, title=title, release=release,
                                        status=workflow["Backlog"], start_date=start,
                                        end_date=start + timedelta(days=5))
    release_services.release_update(actor=editor, release=release, status="cancelled")

    # A cancelled release counts as none: each feature falls where its own dates put it.
    assert "Now 1 Next 0 Later 1" in text(page(client_as_viewer, product))


def test_goals_and_their_health_come_from_strategy(client_as_viewer, editor, product, workflow):
    today = timezone.localdate()
    strategy_services.goal_create(actor=editor, workspace=product.workspace, product=product,
                                  name="Grow retention", start_date=today - timedelta(days=10),
                                  end_date=today + timedelta(days=80))

    html = text(page(client_as_viewer, product))

    assert "Goals 1" in html and "No goals yet" not in html


def test_share_links_open_for_the_product_are_counted(client_as_admin, admin, product, editor, workflow):
    plan(editor, product, releases=1, features_per_release=1, workflow=workflow)
    roadmap_services.share_link_create(actor=admin, product=product, view="timeline")
    revoked, _token = roadmap_services.share_link_create(actor=admin, product=product, view="now_next_later")
    roadmap_services.share_link_revoke(actor=admin, link=revoked)

    assert "Open share links 1" in text(page(client_as_admin, product))


def test_a_product_line_sums_the_roadmaps_of_its_products(client_as_viewer, editor, workspace, workflow):
    line = ProductFactory(workspace=workspace, name="Commerce", key="COM", kind="line")
    for key in ("APP", "WEB"):
        plan(editor, ProductFactory(workspace=workspace, name=key, key=key, parent=line), releases=2,
             features_per_release=2, workflow=workflow)

    html = text(page(client_as_viewer, line))

    assert "Releases 4, 0 released" in html and "Features done 4 of 8" in html
    assert "Now 6" in html  # per product: the current release's two and last month's late one


def test_the_product_page_costs_the_same_for_one_release_or_many(client_as_viewer, editor, product, workflow):
    plan(editor, product, releases=1, features_per_release=1, workflow=workflow)
    page(client_as_viewer, product)  # the first request of a session also saves the session
    few = count_queries(lambda: page(client_as_viewer, product))

    plan(editor, product, releases=7, features_per_release=6, workflow=workflow)
    # The conflicts come from the plan cache, which the new plan renewed: warm it again (as
    # the first request did) so both counts are of a page whose plan is cached.
    page(client_as_viewer, product)
    many = count_queries(lambda: page(client_as_viewer, product))

    assert many == few


def test_the_feature_page_shows_the_panels_higher_apps_register(client_as_viewer, editor, product, workflow):
    feature = release_services.feature_create(actor=editor, product=product, title="Saved carts")
    asked = []

    def demand(features):
        asked.append([f.pk for f in features])
        return {f.pk: Summary(title="Demand", figures=(Figure("Votes", "42"),)) for f in features}

    feature_summaries.register("test-panel", demand)
    try:
        response = client_as_viewer.get(reverse("releases:feature_detail", args=[product.workspace.slug, product.key,
                                                                        feature.number]))
    finally:
        feature_summaries.unregister("test-panel")

    assert asked == [[feature.pk]]
    assert "Votes 42" in text(response.content.decode())
