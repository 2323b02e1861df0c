"""Feature demand: a number a higher app owns (feedback's weighted demand), stored on the
feature and written only through `services.feature_demand_set`; the backlog sorts by it."""

import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from releases import services
from releases.models import Feature
from releases.signals import features_changed
from tests.api_urls import api_url

from ..conftest import count_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def features(editor, product, workflow):
    return [services.feature_create(actor=editor, product=product, title=title)
            for title in ("Saved carts", "Wish lists", "Gift cards")]


def demands(product) -> dict[int, Decimal]:
    return dict(Feature.objects.filter(product=product).values_list("pk", "demand"))


def test_a_new_feature_has_no_demand(features):
    assert features[0].demand == 0


def test_demand_is_written_for_many_features_at_once(product, features):
    carts, lists, cards = features

    written = services.feature_demand_set(values={carts.pk: Decimal("12.5"), cards.pk: 3})

    assert written == 2
    assert demands(product) == {carts.pk: Decimal("12.5"), lists.pk: 0, cards.pk: 3}


def test_writing_demand_is_not_an_edit_of_the_feature(product, features):
    carts = features[0]
    received = []
    features_changed.connect(lambda sender, **kwargs: received.append(kwargs), dispatch_uid="test_demand", weak=False)
    try:
        services.feature_demand_set(values={carts.pk: 7})
    finally:
        features_changed.disconnect(dispatch_uid="test_demand")

    carts.refresh_from_db()
    assert carts.version == 1
    assert carts.history.count() == 1
    assert received == []


def test_demand_of_a_deleted_feature_is_skipped(editor, product, features):
    carts, lists, _cards = features
    gone = lists.pk
    services.feature_delete(actor=editor, feature=lists)

    assert services.feature_demand_set(values={carts.pk: 5, gone: 9}) == 1
    assert demands(product)[carts.pk] == 5


@pytest.mark.parametrize("value", [Decimal(-1), "many", Decimal("1e20")])
def test_bad_demand_is_refused_and_nothing_is_written(product, features, value):
    carts, lists, _cards = features

    with pytest.raises(ValidationError) as exc_info:
        services.feature_demand_set(values={carts.pk: 4, lists.pk: value})

    assert "values" in exc_info.value.message_dict
    assert set(demands(product).values()) == {0}


def test_writing_demand_costs_the_same_for_one_feature_or_many(editor, product, features):
    one = count_queries(lambda: services.feature_demand_set(values={features[0].pk: 1}))
    more = [services.feature_create(actor=editor, product=product, title=f"More {i}") for i in range(20)]
    many = count_queries(lambda: services.feature_demand_set(values={f.pk: 2 for f in [*features, *more]}))
    assert many == one


def test_backlog_sorts_by_highest_demand_with_ties_in_rank_order(client_as_viewer, product, features):
    carts, lists, cards = features
    services.feature_demand_set(values={cards.pk: 30, lists.pk: 30, carts.pk: 1})

    html = client_as_viewer.get(reverse("releases:backlog", args=[product.workspace.slug, product.key]),
                                {"ordering": "-demand"}).content.decode()

    assert re.findall(r'data-key="([A-Z]+-\d+)"', html) == [lists.key, cards.key, carts.key]


def test_the_features_api_sorts_by_demand(client_as_viewer, product, features):
    carts, lists, cards = features
    services.feature_demand_set(values={cards.pk: 8, carts.pk: 2})

    response = client_as_viewer.get(api_url("releases-api:feature-list"), {"product": product.pk,
                                                                            "ordering": "-demand"})

    assert [row["id"] for row in response.json()["results"]] == [cards.pk, carts.pk, lists.pk]
