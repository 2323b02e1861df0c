"""Extension registries: how a lower app's page shows what a higher app knows without
importing it (DESIGN.md, layout).

A higher app registers a *batch provider* in its `AppConfig.ready()`:

    from strategy.extensions import product_summaries

    product_summaries.register("releases", releases_for_products, order=20)

A provider takes a list of items (products here; features in `releases.extensions`) and
returns `{item id: Summary}` for the items it has something to say about, reading them all
in one query (or a fixed few), never one query per item. The lower page asks the registry
(`product_summaries.collect(products)`) and renders each `Summary` with
`components/summary_card.html`, or with the provider's own partial (`Summary.template`),
so the lower template never names the higher app.

A provider is a read: it never writes, and it shows only what anyone who may see the item
may see (the page has already checked access to the items it passes in).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from django.core.exceptions import ImproperlyConfigured

from .models import Initiative, KeyResult, Product

Item = TypeVar("Item")


@dataclass(frozen=True)
class Figure:
    """One number a summary shows: `value` already formatted ("3 of 8", "12 May"), with an
    optional small bar filled to `percent` (0–100) and a link to where it comes from."""

    label: str
    value: str
    percent: float | None = None
    url: str = ""


@dataclass(frozen=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True)
class Row:
    """One row of a summary's list (a release, a conflict, a change, an idea): its label and
    where it leads, a quiet note beside it ("ends 12 May", "by Ann, 2 h ago"), an optional
    small bar filled to `percent`, and a `tone` ("warning" for what needs attention)."""

    label: str
    url: str = ""
    note: str = ""
    percent: float | None = None
    tone: str = ""


@dataclass(frozen=True)
class Summary:
    """What a provider says about one item, as a card: a title, a line of text, figures and
    links, and a list of `items` under `items_label` (`wide` cards span the hub's two columns).
    `status` is the quiet line at the bottom ("No releases yet"). A provider that needs
    another layout names its own partial in `template`, rendered with `summary` in its context."""

    title: str
    icon: str = "info"
    text: str = ""
    figures: tuple[Figure, ...] = ()
    links: tuple[Link, ...] = ()
    status: str = ""
    items: tuple[Row, ...] = ()
    items_label: str = ""
    wide: bool = False
    template: str = "components/summary_card.html"


Provider = Callable[[Sequence[Item]], Mapping[int, Summary]]


@dataclass(frozen=True)
class _Entry(Generic[Item]):
    name: str
    provider: Provider
    order: int


class SummaryRegistry(Generic[Item]):
    """Batch providers of summaries for one kind of item, asked in `order`, then by name."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._entries: dict[str, _Entry] = {}

    def register(self, name: str, provider: Provider, *, order: int = 100) -> None:
        """Add `provider` under `name`. Registering the same function again is harmless
        (`ready()` may run twice in tests); another function under a taken name is a mistake."""
        entry = self._entries.get(name)
        if entry is not None and entry.provider is not provider:
            raise ImproperlyConfigured(f"A {self.kind} summary provider is already registered as {name!r}.")
        self._entries[name] = _Entry(name, provider, order)

    def unregister(self, name: str) -> None:
        """Remove the provider registered as `name`, if any."""
        self._entries.pop(name, None)

    @property
    def names(self) -> list[str]:
        return [entry.name for entry in self._ordered()]

    def collect(self, items: Sequence[Item]) -> dict[int, list[Summary]]:
        """{item id: its summaries in provider order} for every item (an empty list when no
        provider has anything to say); each provider is called once for all the items."""
        items = list(items)
        found: dict[int, list[Summary]] = {item.pk: [] for item in items}
        if not items:
            return found
        for entry in self._ordered():
            for pk, summary in entry.provider(items).items():
                if pk in found:
                    found[pk].append(summary)
        return found

    def _ordered(self) -> list[_Entry]:
        return sorted(self._entries.values(), key=lambda entry: (entry.order, entry.name))


def covered_products(products: Sequence[Product]) -> dict[int, list[int]]:
    """{product id: the ids of the products a summary of it covers}: itself, or for a product
    line every product below it that is not archived (lines in between left out), for all
    the products in one query (none without a line). Providers use it so a product line sums up its products.
    The answer is kept on the product instances: every provider of a page asks for the same ones."""
    if not any(product.is_line for product in products):
        return {product.pk: [product.pk] for product in products}
    kept = [getattr(product, "_covered_product_ids", None) for product in products]
    if all(ids is not None for ids in kept):
        return {product.pk: list(ids) for product, ids in zip(products, kept, strict=True)}
    workspace_ids = {product.workspace_id for product in products}
    children: dict[int | None, list[tuple[int, bool]]] = defaultdict(list)
    for pk, parent_id, kind in Product.objects.filter(workspace_id__in=workspace_ids, archived_at__isnull=True) \
            .values_list("id", "parent_id", "kind"):
        children[parent_id].append((pk, kind == Product.Kind.LINE))
    covered: dict[int, list[int]] = {}
    for product in products:
        if not product.is_line:
            covered[product.pk] = [product.pk]
            continue
        found, parents, seen = [], [product.pk], {product.pk}
        while parents:
            level = [(pk, is_line) for parent in parents for pk, is_line in children[parent] if pk not in seen]
            seen.update(pk for pk, _is_line in level)
            found += [pk for pk, is_line in level if not is_line]
            parents = [pk for pk, is_line in level if is_line]
        covered[product.pk] = found
    for product in products:
        product._covered_product_ids = tuple(covered[product.pk])
    return covered


product_summaries: SummaryRegistry[Product] = SummaryRegistry("product")
"""What higher apps know of a product: the product page shows one card per summary."""


key_result_summaries: SummaryRegistry[KeyResult] = SummaryRegistry("key result")
"""What higher apps know of a key result (for example the metric that feeds it): the goal page
and the key result's chart page show each summary under the key result's name. A line under a
name is not a card, so providers here name their own partial in `Summary.template`."""


initiative_summaries: SummaryRegistry[Initiative] = SummaryRegistry("initiative")
"""What higher apps know of an initiative (its features across releases, their progress and
dates): the initiative page shows one card per summary, above the goals it serves."""


class SectionRegistry:
    """Sections a higher app adds to a page of a lower one that is about the signed-in person
    rather than about items: each provider takes the request and returns the section's HTML."""

    def __init__(self, page: str) -> None:
        self.page = page
        self._entries: dict[str, tuple[Callable, int]] = {}

    def register(self, name: str, provider: Callable, *, order: int = 100) -> None:
        """Add `provider` under `name` (again with the same function: harmless)."""
        entry = self._entries.get(name)
        if entry is not None and entry[0] is not provider:
            raise ImproperlyConfigured(f"A {self.page} section is already registered as {name!r}.")
        self._entries[name] = (provider, order)

    def render(self, request) -> list[str]:
        """Each provider's HTML, in `order`, then by name."""
        ordered = sorted(self._entries.items(), key=lambda item: (item[1][1], item[0]))
        return [provider(request) for _name, (provider, _order) in ordered]


account_sections = SectionRegistry("account")
"""Sections of the account page from higher apps (the notification email choices, from releases)."""
