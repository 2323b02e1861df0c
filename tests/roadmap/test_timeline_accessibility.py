"""Timelines for people who do not see the drawing: a named group of bars, each a link (or,
on a share link, a focusable image) that says its title, status and dates; status and
conflict marks on the labels; and a table of the same rows under the drawing."""

import re
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from releases import services
from releases.models import Release
from roadmap import services as roadmap_services
from roadmap.timeline import format_date
from strategy.models import Product
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def start(today):
    return today.replace(day=1)


def url(name, product, **query):
    path = reverse(f"roadmap:{name}", args=[product.workspace.slug, product.key])
    return path + ("?" + urlencode(query, doseq=True) if query else "")


@pytest.fixture
def plan(editor, product, workflow, start):
    release = services.release_create(actor=editor, product=product, name="Spring launch",
                                      start_date=start, release_date=start + timedelta(days=60))
    doing = services.feature_create(actor=editor, product=product, title="Sign in with Apple", release=release,
                                    status=workflow["In development"])
    done = services.feature_create(actor=editor, product=product, title="Offline <mode>",
                                   start_date=start + timedelta(days=10), end_date=start + timedelta(days=40),
                                   status=workflow["Shipped"])
    return {"release": release, "doing": doing, "done": done}


def table_of(html: str) -> str:
    match = re.search(r'<details class="rt-table".*?</details>', html, re.S)
    assert match, "no timeline table"
    return match.group(0)


def rows_of(table: str) -> list[str]:
    return re.findall(r"<tr><th scope=\"row\">.*?</tr>", table, re.S)


def test_the_timeline_lists_its_bars_in_a_table_with_title_status_dates_and_release(client_as_viewer, product,
                                                                                   plan, start):
    html = client_as_viewer.get(url("product_timeline", product)).content.decode()

    table = table_of(html)
    rows = rows_of(table)
    assert len(rows) == 3  # the release and its two features, as drawn
    doing = next(row for row in rows if "Sign in with Apple" in row)
    assert f"{product.key}-{plan['doing'].number} · Sign in with Apple" in doing
    assert "In development" in doing and "Spring launch" in doing
    assert format_date(start) in doing and format_date(start + timedelta(days=60)) in doing
    assert reverse("releases:feature_detail", args=[product.workspace.slug, product.key, plan["doing"].number]) in doing
    assert "Offline &lt;mode&gt;" in table and "<mode>" not in table
    assert 'data-print-open' in table and '<caption class="sr-only">' in table


def test_the_table_follows_the_filters(client_as_viewer, product, plan, workflow):
    html = client_as_viewer.get(url("product_timeline", product, status=workflow["Shipped"].pk)).content.decode()

    rows = rows_of(table_of(html))
    assert not any("Sign in with Apple" in row for row in rows)
    assert any("Offline" in row for row in rows)


def test_grouped_by_status_the_table_has_a_status_group_column(client_as_viewer, product, plan):
    html = client_as_viewer.get(url("product_timeline", product, group="status")).content.decode()

    assert '<th scope="col">Status</th>' in table_of(html)
    assert table_of(html).count('<th scope="col">') == 7


def test_each_bar_is_a_link_named_by_its_title_status_and_dates(client_as_viewer, product, plan, start):
    html = client_as_viewer.get(url("product_timeline", product)).content.decode()

    names = re.findall(r'<a class="rt-link" href="[^"]+" aria-label="([^"]+)">', html)
    assert len(names) == 3
    expected = (f"Feature {product.key}-{plan['doing'].number} · Sign in with Apple, in progress, "
                f"{format_date(start)} – {format_date(start + timedelta(days=60))} (from the release)")
    assert expected in names
    assert any(name.startswith("Release Spring launch, planned, ") for name in names)
    assert 'role="group" aria-label="Timeline from' in html and 'class="rt-body"' in html
    assert 'role="region" aria-label="Timeline, scroll sideways' in html


def test_bar_labels_carry_a_mark_of_their_status(client_as_viewer, product, plan):
    html = client_as_viewer.get(url("product_timeline", product)).content.decode()

    labels = re.findall(r'<text class="rt-bar__label"[^>]*>([^<]+)</text>', html)
    assert any(label.startswith("◐ Sign in") for label in labels)  # in progress
    assert any(label.startswith("✓ Offline") for label in labels)  # done
    assert any(label.startswith("Spring") for label in labels)  # planned: no mark


def test_a_conflict_is_said_in_the_name_the_mark_and_the_table(client_as_viewer, editor, product, plan, start):
    services.feature_update(actor=editor, feature=plan["doing"], version=plan["doing"].version,
                            end_date=start + timedelta(days=75))  # ends after its release

    html = client_as_viewer.get(url("product_timeline", product)).content.decode()

    assert re.search(r'aria-label="Feature [^"]*Sign in with Apple[^"]*, has a conflict"', html)
    assert re.search(r'<text class="rt-bar__label"[^>]*>⚠ ◐ Sign in', html)
    doing = next(row for row in rows_of(table_of(html)) if "Sign in with Apple" in row)
    assert "Conflict" in doing


def test_the_portfolio_timeline_lists_its_releases_in_the_window(client_as_viewer, editor, workspace, product,
                                                                start):
    line = ProductFactory(workspace=workspace, name="Commerce", key="COM", kind=Product.Kind.LINE)
    product.parent = line
    product.save(update_fields=["parent"])
    shown = services.release_create(actor=editor, product=product, name="Summer", start_date=start,
                                    release_date=start + timedelta(days=30))
    services.release_create(actor=editor, product=product, name="Long ago", start_date=start - timedelta(days=900),
                            release_date=start - timedelta(days=800), status=Release.Status.RELEASED)

    html = client_as_viewer.get(url("portfolio_timeline", line)).content.decode()

    rows = rows_of(table_of(html))
    assert len(rows) == 1 and "Summer" in rows[0] and product.name in rows[0]
    assert "Conflict</li>" not in html  # the legend explains the conflict mark only when there is one
    assert reverse("releases:release_detail", args=[workspace.slug, product.key, shown.pk]) in rows[0]


def test_a_shared_timeline_has_the_table_without_links_and_focusable_bars(client, editor, product, plan):
    _link, token = roadmap_services.share_link_create(actor=editor, product=product, view="timeline")

    html = client.get(reverse("roadmap:shared_view", args=[token])).content.decode()

    table = table_of(html)
    assert len(rows_of(table)) == 3 and "<a " not in table
    bars = re.findall(r'<g tabindex="0" role="img" aria-label="([^"]+)" class="rt-bar', html)
    assert len(bars) == 3 and any("Sign in with Apple, in progress" in bar for bar in bars)


def test_an_empty_timeline_has_no_table(client_as_viewer, workspace):
    empty = ProductFactory(workspace=workspace, name="Empty", key="EMP")

    html = client_as_viewer.get(url("product_timeline", empty)).content.decode()

    assert "rt-table" not in html
