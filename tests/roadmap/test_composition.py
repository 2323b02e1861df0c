"""roadmap.compose without HTTP: the same composition serves a member's page and a share
link, and the audience alone decides what the share leaves out."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.http import QueryDict
from django.utils import timezone

from releases import services as release_services
from roadmap import compose
from roadmap.models import ShareLink
from roadmap.timeline import GroupBy
from strategy.models import Product
from tests.conftest import count_queries
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def days(n: int):
    return timezone.localdate() + timedelta(days=n)


@pytest.fixture
def plan(editor, product, workflow):
    """MOB with a current release holding one assigned, estimated feature."""
    release = release_services.release_create(actor=editor, product=product, name="Summer", version_label="1.1",
                                              start_date=days(-30), release_date=days(20), status="in_progress")
    feature = release_services.feature_create(
        actor=editor, product=product, title="Tap to pay", status=workflow["In development"], release=release,
        assignee=editor, estimate=Decimal("5"))
    return {"release": release, "feature": feature}


def shared_audience(*, estimates: bool = False) -> compose.Audience:
    return compose.Audience.shared(ShareLink(show_estimates=estimates))


def test_a_share_cannot_group_the_timeline_by_assignee_but_a_member_can(plan, workspace, product):
    params = QueryDict("group=assignee")
    shared = compose.product_timeline(product, params=params, today=days(0), audience=shared_audience())
    member = compose.product_timeline(product, params=params, today=days(0),
                                      audience=compose.Audience.member(workspace))

    assert shared.options.group is GroupBy.RELEASE
    assert member.options.group is GroupBy.ASSIGNEE


def test_a_shared_timeline_draws_no_links_and_no_drag_handles(plan, workspace, product):
    params = QueryDict("")
    shared = compose.product_timeline(product, params=params, today=days(0), audience=shared_audience())
    member = compose.product_timeline(product, params=params, today=days(0),
                                      audience=compose.Audience.member(workspace, editable=True))

    assert "Tap to pay" in shared.html()
    assert "href=" not in shared.html()
    assert "data-feature-url" not in shared.html()
    assert f"/products/{product.key}/features/" in member.html()
    assert "data-feature-url" in member.html()


def test_a_shared_portfolio_links_neither_products_nor_releases(plan, workspace, product):
    line = ProductFactory(workspace=workspace, kind=Product.Kind.LINE, name="Commerce", key="COM")
    product.parent = line
    product.save(update_fields=["parent"])

    shared = compose.portfolio_timeline(line, params=QueryDict(""), today=days(0), audience=shared_audience())
    member = compose.portfolio_timeline(line, params=QueryDict(""), today=days(0),
                                        audience=compose.Audience.member(workspace))

    assert [child.key for child in shared.children] == [product.key]
    assert "href=" not in shared.html
    assert f"/products/{product.key}/roadmap/" in member.html


@pytest.mark.parametrize("estimates", [False, True])
def test_a_shared_release_timeline_shows_no_people_and_estimates_only_when_allowed(plan, product, estimates):
    context = compose.release_timeline_context(product, days(0), audience=shared_audience(estimates=estimates))
    table = str(context["future"][0]["features"])

    assert "Tap to pay" in table
    assert "avatar" not in table
    assert context["show_estimates"] is estimates
    assert ("Est." in table) is estimates


def test_a_member_release_timeline_shows_people_and_estimates(plan, product):
    table = str(compose.release_timeline_context(product, days(0))["future"][0]["features"])

    assert "avatar" in table
    assert "Est." in table


def test_a_shared_timeline_reads_as_many_queries_for_one_feature_as_for_many(plan, editor, product, workflow):
    def read():
        compose.product_timeline(product, params=QueryDict("group=status"), today=days(0),
                                 audience=shared_audience()).html()

    few = count_queries(read)
    for n in range(8):
        release_services.feature_create(actor=editor, product=product, title=f"Feature {n}",
                                        status=workflow["Planned"], release=plan["release"])

    assert count_queries(read) == few
