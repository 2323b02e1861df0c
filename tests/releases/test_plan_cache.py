"""The plan cache: the conflicts of a product's plan are read once while the plan is unchanged,
and every kind of change shows at once (through the services, or bypassing them)."""

from datetime import date
from decimal import Decimal

import pytest
from django.test import override_settings

from releases import selectors, services
from releases.metrics import ENDS_AFTER_RELEASE, OVER_CAPACITY
from releases.models import Release, StatusCategory

from ..conftest import count_queries
from ..factories import DependencyFactory, FeatureFactory, ProductFactory, ReleaseFactory

pytestmark = pytest.mark.django_db

D = Decimal
MAR_1, MAR_31 = date(2026, 3, 1), date(2026, 3, 31)


@pytest.fixture
def spring(product, editor):
    return ReleaseFactory(product=product, created_by=editor, capacity=D(10), name="Spring", start_date=MAR_1,
                          release_date=MAR_31)


def rules(product):
    return sorted((c.rule, c.feature_id, c.release_id) for c in selectors.conflicts_for(product=product))


def test_an_unchanged_plan_is_read_from_the_cache_in_one_query(product, editor, spring):
    late = FeatureFactory(product=product, created_by=editor, release=spring, end_date=date(2026, 4, 2))
    first = rules(product)

    assert count_queries(lambda: selectors.conflicts_for(product=product)) == 1
    assert rules(product) == first == [(ENDS_AFTER_RELEASE, late.pk, spring.pk)]
    assert count_queries(lambda: selectors.plan_for(product_ids=[product.pk])) == 1
    assert selectors.plan_for(product_ids=[product.pk]).release_of == {late.pk: spring.pk}


def test_a_plan_read_once_is_kept_in_the_workers_memory_for_a_minute(product, editor, spring, monkeypatch):
    from django.core.cache import cache

    from releases.selectors import planning

    FeatureFactory(product=product, created_by=editor, release=spring, end_date=date(2026, 4, 2))
    plan = selectors.plan_for(product_ids=[product.pk])
    cache_reads = []
    monkeypatch.setattr(cache, "get", lambda key, *args, **kwargs: cache_reads.append(key))

    assert selectors.plan_for(product_ids=[product.pk]) is plan  # no fetch, no unpickling
    assert cache_reads == []

    now = planning.time.monotonic()
    monkeypatch.setattr(planning.time, "monotonic", lambda: now + planning.PLAN_MEMORY_SECONDS + 1)
    selectors.plan_for(product_ids=[product.pk])  # a minute later: from the cache again
    assert len(cache_reads) == 1


def test_a_change_through_the_services_shows_at_once(product, editor, spring, django_capture_on_commit_callbacks):
    feature = FeatureFactory(product=product, created_by=editor, release=spring, end_date=MAR_31)
    assert rules(product) == []

    with django_capture_on_commit_callbacks(execute=True):
        services.feature_update(actor=editor, feature=feature, end_date=date(2026, 4, 2))
    assert rules(product) == [(ENDS_AFTER_RELEASE, feature.pk, spring.pk)]

    with django_capture_on_commit_callbacks(execute=True):
        services.release_update(actor=editor, release=spring, release_date=date(2026, 4, 30))
    assert rules(product) == []


def test_the_signal_alone_drops_the_cached_plan(product, editor, spring):
    feature = FeatureFactory(product=product, created_by=editor, release=spring, estimate=D(5))
    assert rules(product) == []
    # A write that changes neither a count nor a timestamp (an UPDATE without updated_at):
    # only the features_changed receiver can tell.
    type(feature).objects.filter(pk=feature.pk).update(estimate=D(50))
    assert rules(product) == []  # still the cached answer
    selectors.forget_plans_on_features_changed(None, feature_ids=frozenset({feature.pk}),
                                               product_ids=frozenset({product.pk}))
    assert rules(product) == [(OVER_CAPACITY, None, spring.pk)]


def test_writes_that_bypass_the_services_show_too(product, editor, spring, workflow):
    first = FeatureFactory(product=product, created_by=editor, release=spring, end_date=date(2026, 3, 10))
    assert rules(product) == []

    second = FeatureFactory(product=product, created_by=editor, end_date=date(2026, 3, 20))
    DependencyFactory(feature=first, depends_on=second)  # first ends before what it depends on
    assert [rule[1] for rule in rules(product)] == [first.pk]

    second.end_date = date(2026, 3, 5)
    second.save()
    assert rules(product) == []

    spring.status = Release.Status.RELEASED
    spring.save()
    assert {rule[1] for rule in rules(product)} == {first.pk}  # not done in a released release
    done = next(s for s in workflow.values() if s.category == StatusCategory.DONE)
    first.status = done
    first.save()
    assert rules(product) == []


def test_products_cached_together_and_alone_answer_alike(product, editor, spring, workspace):
    web = ProductFactory(workspace=workspace, key="WEB")
    big = ReleaseFactory(product=web, created_by=editor, capacity=D(1), name="Big", start_date=MAR_1,
                         release_date=MAR_31)
    FeatureFactory(product=web, created_by=editor, release=big, estimate=D(5))
    both = selectors.plan_for(product_ids=[product.pk, web.pk])
    assert [c.rule for c in both.conflicts.all] == [OVER_CAPACITY]
    assert rules(product) == []
    assert [c.rule for c in selectors.plan_for(product_ids=[web.pk, product.pk]).conflicts.all] == [OVER_CAPACITY]


@override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                       "LOCATION": "redis://127.0.0.1:1/0"}})
def test_without_a_cache_the_conflicts_are_computed_every_time(product, editor, spring):
    late = FeatureFactory(product=product, created_by=editor, release=spring, end_date=date(2026, 4, 2))
    assert rules(product) == [(ENDS_AFTER_RELEASE, late.pk, spring.pk)]
    assert count_queries(lambda: selectors.conflicts_for(product=product)) == 4
    selectors.forget_plans([product.pk])  # nothing to forget, and no error


def test_the_plans_tags_follow_a_tag_added_through_the_services_or_around_them(
        product, editor, spring, django_capture_on_commit_callbacks):
    feature = FeatureFactory(product=product, created_by=editor, tags=["mobile"])
    assert selectors.plan_for(product_ids=[product.pk]).tags == ["mobile"]

    with django_capture_on_commit_callbacks(execute=True):
        services.feature_bulk_update(actor=editor, features=[feature], add_tag="billing")
    assert selectors.plan_for(product_ids=[product.pk]).tags == ["billing", "mobile"]

    FeatureFactory(product=product, created_by=editor, tags=["Zebra", "api"])  # bypasses the services
    assert selectors.plan_for(product_ids=[product.pk]).tags == ["Zebra", "api", "billing", "mobile"]
    assert selectors.tags_in_use(product=product) == selectors.plan_for(product_ids=[product.pk]).tags


def test_the_plans_blockers_are_the_unfinished_prerequisites_here_and_elsewhere_by_number(
        product, editor, workspace, workflow, django_capture_on_commit_callbacks):
    web = ProductFactory(workspace=workspace, key="WEB")
    done = next(s for s in workflow.values() if s.category == StatusCategory.DONE)
    blocked = FeatureFactory(product=product, created_by=editor)
    second, first = FeatureFactory(product=product, created_by=editor), FeatureFactory(product=web, created_by=editor)
    finished = FeatureFactory(product=product, created_by=editor, status=done)
    closed = FeatureFactory(product=product, created_by=editor, status=done)
    for depends_on in (second, first, finished):
        DependencyFactory(feature=blocked, depends_on=depends_on)
    DependencyFactory(feature=closed, depends_on=second)  # a finished feature is blocked by nothing

    assert selectors.plan_for(product_ids=[product.pk]).blockers == {blocked.pk: [first.key, second.key]}

    with django_capture_on_commit_callbacks(execute=True):
        services.feature_update(actor=editor, feature=second, status=done)
    assert selectors.plan_for(product_ids=[product.pk]).blockers == {blocked.pk: [first.key]}
    type(first).objects.filter(pk=first.pk).update(status=done, updated_at=first.updated_at.replace(year=2030))
    assert selectors.plan_for(product_ids=[product.pk]).blockers == {}  # changed elsewhere, around the services
