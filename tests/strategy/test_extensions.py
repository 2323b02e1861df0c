"""The summary registries: providers are asked once for all the items, in order, and a name
cannot be taken twice by different functions."""

from types import SimpleNamespace

import pytest
from django.core.exceptions import ImproperlyConfigured

from strategy.extensions import Summary, SummaryRegistry

ITEMS = [SimpleNamespace(pk=1), SimpleNamespace(pk=2), SimpleNamespace(pk=3)]


def test_each_provider_is_called_once_with_every_item():
    calls = []

    def provider(items):
        calls.append([item.pk for item in items])
        return {item.pk: Summary(title=f"#{item.pk}") for item in items}

    registry = SummaryRegistry("test")
    registry.register("numbers", provider)

    found = registry.collect(ITEMS)

    assert calls == [[1, 2, 3]]
    assert {pk: [s.title for s in summaries] for pk, summaries in found.items()} == {1: ["#1"], 2: ["#2"], 3: ["#3"]}


def test_summaries_come_in_provider_order_and_items_without_one_get_an_empty_list():
    registry = SummaryRegistry("test")
    registry.register("late", lambda items: {1: Summary(title="late")}, order=50)
    registry.register("early", lambda items: {1: Summary(title="early"), 99: Summary(title="not asked")}, order=10)

    found = registry.collect(ITEMS)

    assert [s.title for s in found[1]] == ["early", "late"]
    assert found[2] == [] and 99 not in found
    assert registry.names == ["early", "late"]


def test_no_items_asks_no_provider():
    registry = SummaryRegistry("test")
    registry.register("boom", lambda items: 1 / 0)
    assert registry.collect([]) == {}


def test_registering_the_same_function_twice_is_harmless_but_a_second_one_is_refused():
    def provider(items):
        return {}

    registry = SummaryRegistry("test")
    registry.register("demand", provider)
    registry.register("demand", provider)

    with pytest.raises(ImproperlyConfigured, match="demand"):
        registry.register("demand", lambda items: {})


def test_an_unregistered_provider_is_no_longer_asked():
    registry = SummaryRegistry("test")
    registry.register("gone", lambda items: {1: Summary(title="gone")})
    registry.unregister("gone")
    assert registry.collect(ITEMS)[1] == []
