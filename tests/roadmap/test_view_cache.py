"""The roadmap views' cache (`roadmap.compose.cached_view`): an unchanged plan is drawn once,
and a change to anything a drawing reads shows at once, through the services or bypassing them."""

from datetime import timedelta

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from releases import selectors as release_selectors
from releases import services
from releases.models import Feature, Release, WorkflowStatus
from roadmap.models import ShareLink
from roadmap.services import share_link_create
from strategy.models import Goal, Initiative, Product
from tests.conftest import count_queries
from tests.factories import GoalFactory, ProductFactory

from .test_timeline_pages import url

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(editor, product, workflow, today):
    start = today.replace(day=1)
    release = services.release_create(actor=editor, product=product, name="Spring launch",
                                      start_date=start, release_date=start + timedelta(days=60))
    services.milestone_create(actor=editor, release=release, name="Beta", date=start + timedelta(days=30))
    initiative = Initiative.objects.create(workspace=product.workspace, product=product, name="Onboarding",
                                           colour="#7a5af8")
    first = services.feature_create(actor=editor, product=product, title="Sign in with Apple", release=release,
                                    initiative=initiative, status=workflow["In development"])
    second = services.feature_create(actor=editor, product=product, title="Offline mode",
                                     start_date=start + timedelta(days=10), end_date=start + timedelta(days=40),
                                     status=workflow["Planned"])
    return {"release": release, "initiative": initiative, "first": first, "second": second}


def page(client, product, **query) -> str:
    response = client.get(url("product_timeline", product, **query))
    assert response.status_code == 200
    return response.content.decode()


def drawing(html: str) -> str:
    """The timeline's drawing and table (the page around them has a fresh CSRF token each time)."""
    return html[html.index('<div id="timeline-results"'):html.index("</main>")]


def test_an_unchanged_plan_is_drawn_once(client_as_editor, product, plan):
    first = page(client_as_editor, product)
    drawn_again = count_queries(lambda: page(client_as_editor, product))
    release_selectors.forget_plans([product.pk])
    composed = count_queries(lambda: page(client_as_editor, product))

    assert drawing(page(client_as_editor, product)) == drawing(first)
    assert drawn_again < composed


def test_changes_bypassing_the_services_show_at_once(client_as_editor, product, plan, editor):
    assert "Sign in with Apple" in page(client_as_editor, product)
    feature = plan["first"]
    feature.title = "Passkeys"
    feature.save()
    assert "Passkeys" in page(client_as_editor, product)

    release = plan["release"]
    release.name = "Autumn launch"
    release.save()
    assert "Autumn launch" in page(client_as_editor, product)

    milestone = release.milestones.get()
    milestone.name = "Public beta"
    milestone.save()
    assert "Public beta" in page(client_as_editor, product)

    status = WorkflowStatus.objects.get(pk=feature.status_id)
    status.name = "Building"
    status.save()
    assert "Building" in page(client_as_editor, product, group="status")

    Feature.objects.filter(pk=plan["second"].pk).delete()  # a count changes
    assert "Offline mode" not in page(client_as_editor, product)


def test_names_and_colours_drawn_from_other_records_show_at_once(client_as_editor, product, plan, editor):
    initiative = plan["initiative"]
    assert "Onboarding" in page(client_as_editor, product, group="initiative")
    Initiative.objects.filter(pk=initiative.pk).update(name="Activation", updated_at=timezone.now())
    assert "Activation" in page(client_as_editor, product, group="initiative")
    Initiative.objects.filter(pk=initiative.pk).update(colour="#12b76a", updated_at=timezone.now())
    assert "#12b76a" in page(client_as_editor, product, colour="initiative")

    goal = GoalFactory(workspace=product.workspace, name="Grow signups")
    plan["first"].goals.add(goal)  # no feature changes: the link itself is counted
    assert "Grow signups" in page(client_as_editor, product, group="goal")
    Goal.objects.filter(pk=goal.pk).update(name="Grow retention", updated_at=timezone.now())
    assert "Grow retention" in page(client_as_editor, product, group="goal")

    Feature.objects.filter(pk=plan["first"].pk).update(assignee=editor, updated_at=timezone.now())
    assert "Ed Itor" not in page(client_as_editor, product, group="assignee")
    type(editor).objects.filter(pk=editor.pk).update(full_name="Ed Itor")  # users have no time of change
    assert "Ed Itor" in page(client_as_editor, product, group="assignee")


def test_a_dependency_added_bypassing_the_services_draws_its_arrow(client_as_editor, product, plan, editor):
    from releases.models import Dependency

    before = page(client_as_editor, product, deps="1").count('<path class="rt-arrow')
    Dependency.objects.create(feature=plan["first"], depends_on=plan["second"])
    assert page(client_as_editor, product, deps="1").count('<path class="rt-arrow') == before + 1


def test_the_signal_alone_drops_a_cached_drawing(client_as_editor, product, plan):
    assert "Sign in with Apple" in page(client_as_editor, product)
    # An UPDATE that changes no count and no time of change: only features_changed can tell.
    Feature.objects.filter(pk=plan["first"].pk).update(title="Passkeys")
    assert "Passkeys" not in page(client_as_editor, product)
    release_selectors.forget_plans_on_features_changed(None, feature_ids=frozenset({plan["first"].pk}),
                                                       product_ids=frozenset({product.pk}))
    assert "Passkeys" in page(client_as_editor, product)


def test_what_a_reader_may_do_and_the_day_are_part_of_the_key(client_as_editor, product, plan, viewer,
                                                               monkeypatch, today):
    edited = page(client_as_editor, product)
    as_viewer = Client()
    as_viewer.force_login(viewer)
    assert "data-feature-url=" in edited  # the editor's drag handles
    assert "data-feature-url=" not in page(as_viewer, product)
    assert drawing(page(client_as_editor, product, zoom="weeks")) != drawing(edited)

    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: today + timedelta(days=40))
    assert drawing(page(client_as_editor, product)) != drawing(edited)


def test_shared_timeline_and_now_next_later_show_changes_at_once(client, client_as_editor, product, plan, editor):
    _link, token = share_link_create(actor=editor, product=product, view=ShareLink.View.TIMELINE)
    shared = reverse("roadmap:shared_view", args=[token])
    nnl = url("now_next_later", product)
    assert "Sign in with Apple" in Client().get(shared).content.decode()
    assert "Sign in with Apple" in client_as_editor.get(nnl).content.decode()

    feature = plan["first"]
    feature.title = "Passkeys"
    feature.save()
    assert "Passkeys" in Client().get(shared).content.decode()
    assert "Passkeys" in client_as_editor.get(nnl).content.decode()


def test_a_portfolio_shows_a_change_in_any_of_its_products(client_as_editor, product, plan, workspace):
    line = ProductFactory(workspace=workspace, name="Northwind", key="NWC", kind=Product.Kind.LINE)
    product.parent = line
    product.save(update_fields=["parent", "updated_at"])
    portfolio = url("portfolio_timeline", line)
    assert "Spring launch" in client_as_editor.get(portfolio).content.decode()
    Release.objects.filter(pk=plan["release"].pk).update(name="Autumn launch", updated_at=timezone.now())
    assert "Autumn launch" in client_as_editor.get(portfolio).content.decode()

    other = ProductFactory(workspace=workspace, name="Harbour", key="HBR", parent=line)  # a new lane
    assert "Harbour" in client_as_editor.get(portfolio).content.decode()
    assert other.key in client_as_editor.get(portfolio).content.decode()


@override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                       "LOCATION": "redis://127.0.0.1:1/0"}})
def test_without_a_cache_the_pages_are_drawn_every_time(client_as_editor, product, plan):
    assert "Sign in with Apple" in page(client_as_editor, product)
    Feature.objects.filter(pk=plan["first"].pk).update(title="Passkeys")
    assert "Passkeys" in page(client_as_editor, product)
