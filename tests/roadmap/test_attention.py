"""The top of the dashboard answers "what needs my attention": my open features, soonest due
first; comments that mention me and that I have not read; conflicts in the products I own;
running goals at risk or off track. Its queries do not grow with the data."""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.urls import reverse

from ..conftest import count_queries
from ..factories import FeatureFactory, GoalFactory, KeyResultFactory, ProductFactory, ReleaseFactory

pytestmark = pytest.mark.django_db


def dashboard(client) -> str:
    response = client.get(reverse("roadmap:dashboard", args=["acme"]))
    assert response.status_code == 200
    html = response.content.decode()
    start = html.index('id="attention-title"')
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html[start:html.index('id="company-goals-title"')])).split())


def test_my_open_features_come_soonest_due_first(client_as_viewer, viewer, product, today, workflow):
    FeatureFactory(product=product, title="Later", assignee=viewer, end_date=today + timedelta(days=30))
    FeatureFactory(product=product, title="Sooner", assignee=viewer, end_date=today + timedelta(days=3))
    FeatureFactory(product=product, title="Done one", assignee=viewer, status=workflow["Shipped"])
    FeatureFactory(product=product, title="Someone else's")

    text = dashboard(client_as_viewer)

    assert "Your open features 2" in text
    assert text.index("Sooner") < text.index("Later")
    assert "Done one" not in text and "Someone else's" not in text


def test_conflicts_of_the_products_i_own(client_as_viewer, viewer, workspace, today):
    mine = ProductFactory(workspace=workspace, key="MINE", owner=viewer)
    theirs = ProductFactory(workspace=workspace, key="THEIRS")
    for product in (mine, theirs):
        release = ReleaseFactory(product=product, start_date=today, release_date=today + timedelta(days=5))
        FeatureFactory(product=product, release=release, end_date=today + timedelta(days=20))

    text = dashboard(client_as_viewer)

    assert "Conflicts in your products 1" in text
    assert "MINE-1 ends" in text and "THEIRS-1" not in text


def test_goals_behind_are_listed(client_as_viewer, workspace, product, today):
    behind = GoalFactory(workspace=workspace, product=product, name="Grow fast", start_date=today - timedelta(days=80),
                         end_date=today + timedelta(days=10))
    KeyResultFactory(goal=behind)
    fine = GoalFactory(workspace=workspace, product=product, name="Fine goal", start_date=today - timedelta(days=1),
                       end_date=today + timedelta(days=90))
    KeyResultFactory(goal=fine)

    text = dashboard(client_as_viewer)

    assert "Grow fast Off track" in text
    assert "Fine goal" not in text


def test_unread_mentions_are_listed_and_leave_once_read(client_as_viewer, viewer, editor, workspace, product):
    from releases import services

    feature = FeatureFactory(product=product, title="Dark mode")
    services.comment_create(actor=editor, feature=feature, body="@viewer can you check the contrast?")
    services.comment_create(actor=editor, feature=feature, body="No mention here")

    text = dashboard(client_as_viewer)
    assert f"Unread mentions 1 {editor.display_name} on MOB-1 Dark mode" in text

    services.notifications_mark_all_read(actor=viewer, workspace=workspace)
    assert "No comment mentions you that you have not read." in dashboard(client_as_viewer)


def test_nothing_to_look_at_says_so(client_as_viewer, product):
    text = dashboard(client_as_viewer)

    assert "Nothing is assigned to you." in text and "You own no product" in text


def test_the_attention_queries_do_not_grow(client_as_viewer, viewer, editor, workspace, today):
    from releases import services as comment_services

    product = ProductFactory(workspace=workspace, key="MINE", owner=viewer)

    def make(n):
        for _ in range(n):
            release = ReleaseFactory(product=product, start_date=today, release_date=today + timedelta(days=5))
            FeatureFactory(product=product, release=release, assignee=viewer, end_date=today + timedelta(days=20))
            goal = GoalFactory(workspace=workspace, product=product, start_date=today - timedelta(days=80),
                               end_date=today + timedelta(days=10))
            KeyResultFactory(goal=goal)
            comment_services.comment_create(actor=editor, feature=FeatureFactory(product=product),
                                            body="@viewer have a look")

    make(1)
    dashboard(client_as_viewer)
    few = count_queries(lambda: dashboard(client_as_viewer))
    make(10)
    dashboard(client_as_viewer)  # the bell's unread count is read again once after new notifications
    assert count_queries(lambda: dashboard(client_as_viewer)) == few
