"""The factories make rows the way the services would: numbers, ranks, statuses and first
check-ins that the pages and selectors rely on."""

from decimal import Decimal

import pytest

from roadmap import services as roadmap_services
from tests.factories import (
    CheckInFactory,
    CompetitorRatingFactory,
    DependencyFactory,
    FeatureFactory,
    KeyResultFactory,
    MilestoneFactory,
    ShareLinkFactory,
    WorkflowStatusFactory,
)

pytestmark = pytest.mark.django_db


def test_features_get_the_next_number_and_rank_of_their_own_product(product, other_product):
    first, second = FeatureFactory(product=product), FeatureFactory(product=product)
    elsewhere = FeatureFactory(product=other_product)

    assert (first.key, second.key, elsewhere.key) == ("MOB-1", "MOB-2", "SEC-1")
    assert first.rank < second.rank
    assert first.workspace == product.workspace


def test_a_deleted_features_number_is_not_given_again(product):
    FeatureFactory(product=product).delete()
    assert FeatureFactory(product=product).number == 2


def test_a_feature_starts_in_the_first_status_of_its_workspaces_default_workflow(product):
    feature = FeatureFactory(product=product)
    assert (feature.status.name, feature.status.workspace) == ("Idea", product.workspace)


def test_a_status_factory_gives_the_default_status_back_and_adds_new_ones_at_the_end(workspace):
    backlog = WorkflowStatusFactory(workspace=workspace, name="Backlog")
    review = WorkflowStatusFactory(workspace=workspace, name="Design review")

    assert backlog.workspace == workspace and backlog.category == "not_started"
    assert review.position > backlog.position
    assert workspace.workflow_statuses.filter(name="Backlog").count() == 1


def test_a_feature_with_all_rice_parts_gets_its_score(product, editor):
    feature = FeatureFactory(product=product, created_by=editor, reach=1000, impact=Decimal(2), confidence=80,
                             effort=Decimal(4))
    assert feature.rice_score == Decimal(400)
    assert feature.history.get().history_user == editor


def test_a_key_result_starts_with_its_first_check_in_and_follows_its_target(workspace):
    falling = KeyResultFactory(goal__workspace=workspace, start_value=Decimal(10), target_value=Decimal(2))
    assert falling.direction == "down"
    assert [(c.value, c.note) for c in falling.check_ins.all()] == [(Decimal(10), "Starting value")]
    assert CheckInFactory().key_result.check_ins.count() == 1


def test_related_rows_stay_in_one_product_and_workspace():
    dependency = DependencyFactory()
    rating = CompetitorRatingFactory()
    milestone = MilestoneFactory()

    assert dependency.feature.product == dependency.depends_on.product
    assert rating.workspace == rating.criterion.product.workspace
    assert milestone.date == milestone.release.release_date


def test_a_share_link_opens_with_its_token_only_through_the_digest(product):
    token = roadmap_services.new_token()
    link = ShareLinkFactory(product=product, token=token)

    assert link.token_digest != token
    assert roadmap_services.resolve(token) == link
