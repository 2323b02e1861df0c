"""The facts the product page, a line's page and an initiative's page show through the
registries: the schedule, conflicts, recent changes, goals, initiatives and top ideas; an
initiative's features across releases. Their queries do not grow with the data."""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.urls import reverse

from releases import services as release_services
from strategy.models import Product

from ..conftest import count_queries
from ..factories import (
    FeatureFactory,
    GoalFactory,
    IdeaFactory,
    InitiativeFactory,
    MilestoneFactory,
    ProductFactory,
    ReleaseFactory,
)

pytestmark = pytest.mark.django_db


def text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def page(client, product) -> str:
    response = client.get(reverse("strategy:product_detail", args=["acme", product.key]))
    assert response.status_code == 200
    return text(response.content.decode())


def test_the_overview_shows_the_current_and_next_release_with_progress(client_as_viewer, product, today, workflow):
    current = ReleaseFactory(product=product, name="Spring", status="in_progress",
                             start_date=today - timedelta(days=10), release_date=today + timedelta(days=20))
    ReleaseFactory(product=product, name="Summer", start_date=today + timedelta(days=21),
                   release_date=today + timedelta(days=60))
    FeatureFactory(product=product, release=current, status=workflow["Shipped"])
    FeatureFactory(product=product, release=current)
    MilestoneFactory(release=current, name="Code freeze", date=today + timedelta(days=15))

    html = page(client_as_viewer, product)

    assert "Current: MOB Spring 1 of 2 done · ships in 20 days" in html
    assert "Next: MOB Summer 0 of 0 done" in html
    assert "Code freeze" in html and "milestone of Spring" in html


def test_the_overview_lists_conflicts_to_look_at(client_as_viewer, product, today):
    release = ReleaseFactory(product=product, name="Spring", release_date=today + timedelta(days=5),
                             start_date=today)
    FeatureFactory(product=product, release=release, title="Late thing", end_date=today + timedelta(days=30))

    html = page(client_as_viewer, product)

    assert "Conflicts to look at" in html and "MOB-1 ends" in html and "after Spring ships" in html


def test_the_overview_names_who_changed_which_fields(client_as_viewer, editor, product):
    feature = release_services.feature_create(actor=editor, product=product, title="Dark mode")
    release_services.feature_update(actor=editor, feature=feature, version=feature.version, title="Dark theme",
                                    estimate=3)

    html = page(client_as_viewer, product)

    assert "Recent changes" in html
    assert "MOB-1 Dark theme editor@acme.test changed title, estimate" in html or \
        "changed title, estimate" in html
    assert "created" in html


def test_the_overview_lists_goals_initiatives_and_top_ideas(client_as_viewer, workspace, product):
    GoalFactory(workspace=workspace, product=product, name="Grow revenue")
    InitiativeFactory(workspace=workspace, product=product, name="Mobile first")
    idea = IdeaFactory(product=product, title="Dark mode please")
    type(idea).objects.filter(pk=idea.pk).update(demand=42, vote_count=3)

    html = page(client_as_viewer, product)

    assert "Grow revenue" in html
    assert "Initiatives" in html and "Mobile first" in html
    assert "Top ideas by demand" in html and "Dark mode please demand 42 · 3 votes" in html


def test_a_line_overview_rolls_up_its_products(client_as_viewer, workspace, today):
    line = ProductFactory(workspace=workspace, key="NWC", name="Northwind", kind=Product.Kind.LINE)
    shop = ProductFactory(workspace=workspace, key="SHOP", name="Shop", parent=line)
    ReleaseFactory(product=shop, name="Spring", start_date=today + timedelta(days=3),
                   release_date=today + timedelta(days=30))
    idea = IdeaFactory(product=shop, title="Gift cards")
    type(idea).objects.filter(pk=idea.pk).update(demand=5)

    html = page(client_as_viewer, line)

    assert "Next: SHOP Spring" in html
    assert "Gift cards" in html


def test_the_overview_queries_do_not_grow_with_the_data(client_as_viewer, editor, workspace, product, today):
    def make(n):
        for i in range(n):
            release = ReleaseFactory(product=product, start_date=today - timedelta(days=3),
                                     release_date=today + timedelta(days=10 + i))
            MilestoneFactory(release=release, date=today + timedelta(days=5))
            feature = release_services.feature_create(actor=editor, product=product, title=f"F{i}",
                                                      release=release, end_date=today + timedelta(days=40))
            release_services.feature_update(actor=editor, feature=feature, version=feature.version, estimate=2)
            GoalFactory(workspace=workspace, product=product)
            InitiativeFactory(workspace=workspace, product=product)
            IdeaFactory(product=product, demand=i + 1)

    make(1)
    page(client_as_viewer, product)
    few = count_queries(lambda: page(client_as_viewer, product))
    make(8)
    # The conflicts come from the plan cache, which the changes just renewed: warm it again
    # (as the first visit did) so both counts are of a page whose plan is cached.
    page(client_as_viewer, product)
    assert count_queries(lambda: page(client_as_viewer, product)) == few


# The initiative page

def initiative_page(client, initiative) -> str:
    url = reverse("strategy:initiative_detail", args=["acme", initiative.product.key, initiative.pk])
    response = client.get(url)
    assert response.status_code == 200
    return text(response.content.decode())


def test_an_initiative_shows_its_features_across_releases(client_as_viewer, workspace, product, today, workflow):
    initiative = InitiativeFactory(workspace=workspace, product=product, name="Mobile first")
    spring = ReleaseFactory(product=product, name="Spring", start_date=today, release_date=today + timedelta(days=30))
    summer = ReleaseFactory(product=product, name="Summer", start_date=today + timedelta(days=31),
                            release_date=today + timedelta(days=90))
    FeatureFactory(product=product, initiative=initiative, release=spring, estimate=3, title="Login",
                   status=workflow["Shipped"])
    FeatureFactory(product=product, initiative=initiative, release=summer, estimate=5, title="Offline")
    FeatureFactory(product=product, initiative=initiative, title="Someday")
    FeatureFactory(product=product, title="Not in it")

    html = initiative_page(client_as_viewer, initiative)

    assert "Features done 1 of 3" in html
    assert "Estimate done 3 of 8 points" in html
    assert f"Dates spanned {today:%-d %b %Y} – {today + timedelta(days=90):%-d %b %Y}" in html
    assert "Spring 1 of 1 done" in html and "Summer 0 of 1 done" in html and "Not scheduled 0 of 1 done" in html
    assert "MOB-1 Login" in html and "MOB-3 Someday" in html and "Not in it" not in html


def test_an_initiative_without_features_shows_no_empty_cards(client_as_viewer, workspace, product):
    initiative = InitiativeFactory(workspace=workspace, product=product)

    html = initiative_page(client_as_viewer, initiative)

    assert "Progress across releases" not in html


def test_the_initiative_page_queries_do_not_grow(client_as_viewer, workspace, product):
    initiative = InitiativeFactory(workspace=workspace, product=product)

    def make(n):
        for _ in range(n):
            FeatureFactory(product=product, initiative=initiative, release=ReleaseFactory(product=product))

    make(1)
    initiative_page(client_as_viewer, initiative)
    few = count_queries(lambda: initiative_page(client_as_viewer, initiative))
    make(8)
    assert count_queries(lambda: initiative_page(client_as_viewer, initiative)) == few
