"""Prioritising with demand: the `-score_with_demand` order of the backlog and the features API,
RICE score × (1 + demand ÷ the highest demand among the product's features)."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from releases import services
from releases.filters import FeatureFilterSet
from releases.models import Feature
from tests.api_urls import api_url
from tests.factories import FeatureFactory, ProductFactory

from ..conftest import count_queries

pytestmark = pytest.mark.django_db

ORDER = "-score_with_demand"


@pytest.fixture
def features(product, workflow):
    """Four features in rank order (A first), with RICE scores set directly (hand-computed below)."""
    made = {name: FeatureFactory(product=product, title=f"Feature {name}") for name in "ABCD"}
    for name, score in {"A": 100, "B": 80, "C": 150, "D": None}.items():
        Feature.objects.filter(pk=made[name].pk).update(rice_score=score)
    return made


def scored(queryset, params=None) -> list[tuple[str, Decimal | None]]:
    rows = FeatureFilterSet({"ordering": ORDER, **(params or {})}, queryset=queryset).qs
    return [(title.removeprefix("Feature "), score) for title, score in rows.values_list("title", "score_with_demand")]


def test_rice_is_raised_by_the_share_of_the_products_top_demand(product, features):
    a, b, c, d = features.values()
    # B has the product's top demand (100): 80 × (1 + 100/100) = 160. A has half of it:
    # 100 × (1 + 50/100) = 150. C has none: 150 × 1 = 150, tied with A, so the rank decides
    # (A first). D has demand but no RICE score: no score, last.
    services.feature_demand_set(values={a.pk: 50, b.pk: 100, d.pk: 100})

    assert scored(Feature.objects.filter(product=product)) == [
        ("B", Decimal(160)), ("A", Decimal(150)), ("C", Decimal(150)), ("D", None)]


def test_the_order_differs_from_both_rice_and_demand(product, features):
    a, b, c, d = features.values()
    services.feature_demand_set(values={a.pk: 50, b.pk: 100, d.pk: 100})

    def titles(ordering):
        rows = FeatureFilterSet({"ordering": ordering}, queryset=Feature.objects.filter(product=product)).qs
        return "".join(title.removeprefix("Feature ") for title in rows.values_list("title", flat=True))

    assert titles("-rice_score") == "CABD"
    assert titles("-demand") == "BDAC"
    assert titles(ORDER) == "BACD"


def test_without_any_demand_the_scores_are_the_rice_scores_and_nothing_divides_by_zero(product, features):
    assert scored(Feature.objects.filter(product=product)) == [
        ("C", Decimal(150)), ("A", Decimal(100)), ("B", Decimal(80)), ("D", None)]


def test_the_top_demand_is_the_features_own_products_whatever_the_filters(product, features, workspace):
    a, b, c, d = features.values()
    other = FeatureFactory(product=ProductFactory(workspace=workspace), title="Feature X")
    Feature.objects.filter(pk=other.pk).update(rice_score=10)
    # Another product's larger demand does not shrink this product's shares, and filtering B
    # (the top) out does not make A the top: A keeps 100 × (1 + 50/100).
    services.feature_demand_set(values={a.pk: 50, b.pk: 100, other.pk: 10_000})

    assert scored(Feature.objects.all(), {"q": "Feature A"}) == [("A", Decimal(150))]
    assert scored(Feature.objects.filter(pk=other.pk)) == [("X", Decimal(20))]


def test_a_score_of_zero_and_fractional_shares_are_exact(product, features):
    a, b, c, d = features.values()
    Feature.objects.filter(pk=c.pk).update(rice_score=0)
    # Top demand 3: A 100 × (1 + 1/3), B 80 × (1 + 3/3), C 0 × (1 + 2/3) = 0.
    services.feature_demand_set(values={a.pk: 1, b.pk: 3, c.pk: 2})

    rows = dict(scored(Feature.objects.filter(product=product)))

    assert rows["A"].quantize(Decimal("0.0001")) == Decimal("133.3333")
    assert rows["B"] == 160
    assert rows["C"] == 0
    assert list(rows) == ["B", "A", "C", "D"]


def test_counting_and_rows_still_work_with_the_order(product, features):
    from releases.selectors import feature_rows

    services.feature_demand_set(values={features["B"].pk: 100})
    filterset = FeatureFilterSet({"ordering": ORDER}, queryset=Feature.objects.filter(product=product))

    assert filterset.qs.count() == 4
    rows = feature_rows(filterset.qs)
    assert [(r["key"], r["score_with_demand"]) for r in rows[:2]] == [(features["B"].key, 160),
                                                                      (features["C"].key, 150)]
    plain = feature_rows(FeatureFilterSet({"ordering": "-demand"}, queryset=Feature.objects.all()).qs)
    assert "score_with_demand" not in plain[0]


def backlog(client, product, **params):
    return client.get(reverse("releases:backlog", args=[product.workspace.slug, product.key]), params)


def test_the_backlog_sorts_by_score_with_demand_and_shows_the_combined_figure(client_as_editor, product, features):
    a, b, c, d = features.values()
    services.feature_demand_set(values={a.pk: 50, b.pk: 100, d.pk: 100})

    html = backlog(client_as_editor, product, ordering=ORDER).content.decode()

    assert re.findall(r'data-key="([A-Z0-9]+-\d+)"', html) == [f.key for f in (b, a, c, d)]
    assert "RICE + demand ↓" in html
    assert 'title="RICE score 80 × 2.00 for demand">160</span>' in html
    assert 'title="RICE score 150 × 1.00 for demand">150</span>' in html
    assert '<option value="-score_with_demand" selected>Sort: Score with demand</option>' in html
    plain = backlog(client_as_editor, product, ordering="-rice_score").content.decode()
    assert "for demand" not in plain and "RICE + demand" not in plain


def test_the_backlog_sorted_by_score_with_demand_keeps_its_query_count(client_as_editor, product, workflow):
    for i in range(10):
        FeatureFactory(product=product, reach=100 + i, impact=Decimal(1), confidence=80, effort=Decimal(2))
    services.feature_demand_set(values={f.pk: f.number * 10 for f in Feature.objects.filter(product=product)})
    backlog(client_as_editor, product)  # the first visit also remembers the workspace in the session
    backlog(client_as_editor, product, ordering=ORDER)  # a sorted backlog reads the plan's conflicts: now cached

    by_rice = count_queries(lambda: backlog(client_as_editor, product, ordering="-rice_score"))
    few = count_queries(lambda: backlog(client_as_editor, product, ordering=ORDER))
    for i in range(40):
        FeatureFactory(product=product, reach=i, impact=Decimal(2), confidence=50, effort=Decimal(1))
    backlog(client_as_editor, product, ordering=ORDER)  # the plan changed: its conflicts are recomputed once
    many = count_queries(lambda: backlog(client_as_editor, product, ordering=ORDER))

    assert few == by_rice == many
    assert few == 9  # the backlog's pinned count (test_planning_pages): the order adds no query


def test_the_features_api_sorts_by_score_with_demand_across_pages(client_as_viewer, product, features):
    a, b, c, d = features.values()
    services.feature_demand_set(values={a.pk: 50, b.pk: 100, d.pk: 100})
    url = api_url("releases-api:feature-list")

    first = client_as_viewer.get(url, {"product": product.pk, "ordering": ORDER, "page_size": 3}).json()
    second = client_as_viewer.get(url, {"product": product.pk, "ordering": ORDER, "page_size": 3, "page": 2}).json()

    assert first["count"] == 4
    assert [row["id"] for row in first["results"] + second["results"]] == [b.pk, a.pk, c.pk, d.pk]


def test_the_openapi_schema_offers_the_order():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    parameters = schema["paths"]["/api/v1/w/{ws}/features/"]["get"]["parameters"]
    ordering = next(p for p in parameters if p["name"] == "ordering")

    assert ORDER in ordering["schema"]["enum"]
