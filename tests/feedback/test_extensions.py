"""What feedback shows on the pages below it: the demand panel of the feature page, the
feedback card of the product page, and the backlog's Demand column (read from
`Feature.demand`, which only feedback writes, through releases)."""

import re
from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse

from feedback import extensions, services
from tests.conftest import count_queries
from tests.factories import FeatureFactory, FeedbackNoteFactory, IdeaFactory, VoteFactory

pytestmark = pytest.mark.django_db


def text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def test_revenue_reads_short(workflow):
    assert [extensions.money(v) for v in (0, 950, Decimal("50000.00"), 1_250_000, 3_000_000_000)] == [
        "0", "950", "50k", "1.25M", "3B"]


def test_the_feature_page_shows_linked_ideas_votes_and_weighted_demand(
        client_as_viewer, editor, product, idea, other_idea, alice, bob, workflow):
    feature = services.idea_promote(actor=editor, idea=idea).feature
    services.idea_promote(actor=editor, idea=other_idea, feature=feature)
    VoteFactory(idea=idea, contact=alice)
    VoteFactory(idea=other_idea, contact=bob)
    VoteFactory(idea=other_idea)
    services.features_demand_refresh(feature_ids=[feature.pk])

    response = client_as_viewer.get(reverse("releases:feature_detail", args=["acme", "MOB", feature.number]))

    assert "Demand Linked ideas 2 Votes 3 Weighted demand 150k" in text(response.content.decode())


def test_a_feature_nobody_asked_for_says_so(client_as_viewer, product, workflow):
    feature = FeatureFactory(product=product)
    response = client_as_viewer.get(reverse("releases:feature_detail", args=["acme", "MOB", feature.number]))
    assert "No ideas linked yet" in text(response.content.decode())


def test_the_providers_read_all_items_in_fixed_queries(product, workspace, workflow):
    features = [FeatureFactory(product=product) for _ in range(2)]
    for feature in features:
        IdeaFactory(product=product, feature=feature)
    few = count_queries(lambda: extensions.feature_demand_summaries(features))
    more = [FeatureFactory(product=product) for _ in range(10)]
    for feature in more:
        VoteFactory(idea=IdeaFactory(product=product, feature=feature))
    assert count_queries(lambda: extensions.feature_demand_summaries(features + more)) == few == 1

    from tests.factories import ProductFactory

    products = [product, ProductFactory(workspace=workspace)]
    # Open ideas, notes to triage and the top ideas by demand: three queries for any number of products.
    assert count_queries(lambda: extensions.product_feedback_summaries(products)) == 3


def test_the_product_page_counts_open_ideas_and_notes_to_triage(client_as_viewer, editor, product, idea, workflow):
    IdeaFactory(product=product, status="shipped")
    FeedbackNoteFactory.create_batch(2, product=product)
    services.note_process(actor=editor, note=FeedbackNoteFactory(product=product))

    response = client_as_viewer.get(reverse("strategy:product_detail", args=["acme", "MOB"]))

    assert "tickets. Open ideas 1 Notes to triage 2" in text(response.content.decode())


def test_the_backlog_shows_demand_and_sorts_by_it(client_as_viewer, editor, product, alice, bob, workflow):
    low, high, none = (FeatureFactory(product=product, title=title) for title in ("Low", "High", "Nobody"))
    VoteFactory(idea=IdeaFactory(product=product, feature=low), contact=bob)
    VoteFactory(idea=IdeaFactory(product=product, feature=high), contact=alice)
    services.features_demand_refresh(feature_ids=[low.pk, high.pk, none.pk])
    url = reverse("releases:backlog", args=["acme", "MOB"])

    by_rank = client_as_viewer.get(url).content.decode()
    by_demand = client_as_viewer.get(url, {"ordering": "-demand"}).content.decode()

    assert ">Demand" in by_rank and "100k" in by_rank and "50k" in by_rank
    assert re.findall(r'title="(Low|High|Nobody)"', by_rank) == ["Low", "High", "Nobody"]
    assert re.findall(r'title="(Low|High|Nobody)"', by_demand) == ["High", "Low", "Nobody"]
