"""The product and portfolio timeline pages, their reschedule endpoints and exports."""

import csv
import io
import re
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django.utils import timezone

from releases import ranking, services
from releases.models import Feature, Release
from strategy.models import Initiative, Product
from tests.conftest import count_queries
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def start(today):
    """The first of this month, where the timeline's default window begins."""
    return today.replace(day=1)


def url(name, product, **query):
    path = reverse(f"roadmap:{name}", args=[product.workspace.slug, product.key])
    return path + ("?" + urlencode(query, doseq=True) if query else "")


@pytest.fixture
def plan(editor, product, workflow, start):
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
    services.dependency_add(actor=editor, feature=second, depends_on=first)
    return {"release": release, "initiative": initiative, "first": first, "second": second}


def svg_of(html: str) -> ET.Element:
    match = re.search(r'<svg class="rt-body".*?</svg>', html, re.S)
    assert match, "no timeline body"
    return ET.fromstring(f"<div>{match.group(0)}</div>")


# --- the page ---------------------------------------------------------------------------


def test_viewer_sees_feature_and_release_bars_grouped_by_release(client_as_viewer, product, plan):
    response = client_as_viewer.get(url("product_timeline", product))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Sign in with Apple" in html and "Offline mode" in html
    assert 'data-kind="release"' in html and html.count('data-kind="feature"') == 2
    assert "rt-milestone" in html and "Beta" in html
    assert "Spring launch" in html and "No release" in html
    assert reverse("releases:feature_detail", args=["acme", "MOB", plan["first"].number]) in html
    assert reverse("releases:release_detail", args=["acme", "MOB", plan["release"].pk]) in html
    assert "rt-handle" not in html and "rt-bar--movable" not in html  # viewers get no handles
    assert "Not started" in html and "In progress" in html  # the status legend
    svg_of(html)


def test_grouping_by_initiative_and_colour_by_initiative(client_as_viewer, product, plan):
    response = client_as_viewer.get(url("product_timeline", product, group="initiative", colour="initiative"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Onboarding" in html and "No initiative" in html
    assert "--c:#7a5af8" in html  # bar and legend take the initiative's colour


@pytest.mark.parametrize("group", ["goal", "status", "assignee"])
def test_other_groupings_render(client_as_viewer, product, plan, group):
    response = client_as_viewer.get(url("product_timeline", product, group=group))

    assert response.status_code == 200
    assert "Offline mode" in response.content.decode()


def test_filters_are_kept_in_links(client_as_viewer, product, plan):
    initiative = plan["initiative"].pk
    response = client_as_viewer.get(url("product_timeline", product, initiative=initiative, zoom="weeks"))

    html = response.content.decode()
    assert "Sign in with Apple" in html and "Offline mode" not in html
    links = re.findall(r'href="(\?[^"]*)"', html)
    kept = [link for link in links if f"initiative={initiative}" in link]
    assert any("zoom=months" in link for link in kept)  # the zoom control
    assert any("start=" in link for link in kept)  # the window mover
    assert any("colour=initiative" in link for link in kept) and any("deps=1" in link for link in kept)
    assert "?zoom=weeks" in [link.replace("&amp;", "&") for link in links]  # "Clear filters" keeps the rest


def test_dependencies_toggle_draws_arrows(client_as_viewer, product, plan):
    without = client_as_viewer.get(url("product_timeline", product)).content.decode()
    with_deps = client_as_viewer.get(url("product_timeline", product, deps="1")).content.decode()

    assert 'class="rt-arrow' not in without
    assert 'class="rt-arrow' in with_deps
    svg_of(with_deps)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        pytest.param({"zoom": "bogus"}, "Unknown zoom", id="zoom"),
        pytest.param({"start": "2026-13-45"}, "is not a date", id="date"),
        pytest.param({"start": "2000-01-01", "end": "2020-01-01"}, "too wide", id="window"),
    ],
)
def test_bad_parameters_give_the_page_with_a_notice(client_as_viewer, product, plan, query, message):
    response = client_as_viewer.get(url("product_timeline", product, **query))

    assert response.status_code == 200
    assert message in response.content.decode()


def test_other_workspace_is_not_found(client_as_viewer, other_product):
    assert client_as_viewer.get(url("product_timeline", other_product)).status_code == 404


def test_labels_are_escaped(client_as_viewer, editor, product, plan, workflow, start):
    services.feature_create(actor=editor, product=product, title="<script>alert(1)</script>",
                            start_date=start, end_date=start + timedelta(days=90), status=workflow["Idea"])

    html = client_as_viewer.get(url("product_timeline", product)).content.decode()

    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;" in html
    svg_of(html)


def test_empty_state_without_dated_work(client_as_viewer, product):
    response = client_as_viewer.get(url("product_timeline", product))

    assert response.status_code == 200
    assert "Nothing on the roadmap yet" in response.content.decode()


def test_htmx_request_gets_the_results_partial(client_as_viewer, product, plan):
    response = client_as_viewer.get(url("product_timeline", product), HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert html.lstrip().startswith('<div id="timeline-results"')
    assert "<html" not in html


def test_editor_sees_drag_handles_and_reschedule_urls(client_as_editor, product, plan):
    html = client_as_editor.get(url("product_timeline", product)).content.decode()

    assert "rt-handle" in html
    assert url("feature_reschedule", product) in html and url("release_reschedule", product) in html
    assert 'data-px-per-day="4"' in html


# --- rescheduling -----------------------------------------------------------------------


def test_viewer_cannot_reschedule(client_as_viewer, product, plan, start):
    feature = plan["second"]
    response = client_as_viewer.post(url("feature_reschedule", product), {
        "number": feature.number, "start": "2031-01-01", "end": "2031-02-01", "version": feature.version})

    feature.refresh_from_db()
    assert response.status_code == 403
    assert feature.start_date == start + timedelta(days=10)


def test_editor_moves_a_feature(client_as_editor, product, plan):
    feature = plan["second"]
    response = client_as_editor.post(url("feature_reschedule", product), {
        "number": feature.number, "start": "2031-01-05", "end": "2031-02-01", "version": feature.version})

    feature.refresh_from_db()
    assert response.status_code == 200 and response.json()["ok"] is True
    assert (feature.start_date, feature.end_date) == (date(2031, 1, 5), date(2031, 2, 1))
    assert response.json()["version"] == feature.version


def test_a_rule_breaking_reschedule_is_refused_with_the_reason(client_as_editor, product, plan, start):
    feature = plan["second"]
    response = client_as_editor.post(url("feature_reschedule", product), {
        "number": feature.number, "start": "2031-02-01", "end": "2031-01-01", "version": feature.version})

    feature.refresh_from_db()
    assert response.status_code == 400
    assert "end date must be on or after the start date" in response.json()["error"]
    assert feature.start_date == start + timedelta(days=10)


def test_a_stale_reschedule_is_refused(client_as_editor, editor, product, plan, start):
    feature = plan["second"]
    old_version = feature.version
    services.feature_update(actor=editor, feature=feature, title="Offline mode v2")
    response = client_as_editor.post(url("feature_reschedule", product), {
        "number": feature.number, "start": "2031-01-05", "end": "2031-02-01", "version": old_version})

    feature.refresh_from_db()
    assert response.status_code == 409
    assert "after you opened this" in response.json()["error"]
    assert feature.start_date == start + timedelta(days=10)


def test_bad_dates_are_refused(client_as_editor, product, plan):
    response = client_as_editor.post(url("feature_reschedule", product), {
        "number": plan["second"].number, "start": "soon", "end": "2031-01-01"})

    assert response.status_code == 400


def test_editor_moves_a_release_and_a_bad_one_is_refused(client_as_editor, product, plan):
    release = plan["release"]
    moved = client_as_editor.post(url("release_reschedule", product), {
        "pk": release.pk, "start": "2031-01-01", "end": "2031-03-01", "version": release.version})
    refused = client_as_editor.post(url("release_reschedule", product), {
        "pk": release.pk, "start": "2031-05-01", "end": "2031-03-01", "version": release.version + 1})

    release.refresh_from_db()
    assert moved.status_code == 200
    assert refused.status_code == 400 and "release date" in refused.json()["error"]
    assert (release.start_date, release.release_date) == (date(2031, 1, 1), date(2031, 3, 1))


def test_viewer_cannot_move_a_release(client_as_viewer, product, plan, start):
    release = plan["release"]
    response = client_as_viewer.post(url("release_reschedule", product), {
        "pk": release.pk, "start": "2031-01-01", "end": "2031-03-01"})

    release.refresh_from_db()
    assert response.status_code == 403 and release.start_date == start


# --- exports ----------------------------------------------------------------------------


def test_svg_export_is_a_standalone_document(client_as_viewer, product, plan):
    response = client_as_viewer.get(url("timeline_export_svg", product, deps="1"))

    body = response.content.decode()
    assert response.status_code == 200 and response["Content-Type"].startswith("image/svg+xml")
    assert body.startswith("<?xml")
    root = ET.fromstring(response.content)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert "Offline mode" in body


def test_csv_export_round_trips(client_as_viewer, product, plan, start):
    response = client_as_viewer.get(url("timeline_export_csv", product))

    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert response.status_code == 200
    assert {row["key"] for row in rows} == {plan["first"].key, plan["second"].key}
    offline = next(row for row in rows if row["title"] == "Offline mode")
    assert offline["start"] == (start + timedelta(days=10)).isoformat()
    assert offline["status"] == "Planned" and offline["group"] == "No release"



def test_csv_export_writes_formula_like_titles_as_text(client_as_viewer, product, plan):
    Feature.objects.filter(pk=plan["first"].pk).update(title='=HYPERLINK("http://evil.test","Click")')

    response = client_as_viewer.get(url("timeline_export_csv", product))

    titles = {row["title"] for row in csv.DictReader(io.StringIO(response.content.decode()))}
    assert '\'=HYPERLINK("http://evil.test","Click")' in titles

# --- the portfolio timeline -------------------------------------------------------------


def test_portfolio_timeline_of_a_product_line(client_as_viewer, editor, workspace, product, plan):
    line = ProductFactory(workspace=workspace, name="Northwind", key="NWC", kind=Product.Kind.LINE)
    product.parent = line
    product.save(update_fields=["parent"])
    ProductFactory(workspace=workspace, name="Payments", key="PAY", parent=line)

    response = client_as_viewer.get(url("portfolio_timeline", line))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Mobile App" in html and "Payments" in html and "Spring launch" in html
    assert reverse("releases:release_detail", args=["acme", "MOB", plan["release"].pk]) in html
    svg_of(html)


def test_portfolio_timeline_is_only_for_product_lines(client_as_viewer, product):
    assert client_as_viewer.get(url("portfolio_timeline", product)).status_code == 404


# --- query counts -----------------------------------------------------------------------


def bulk_features(product, workflow, count: int, release=None) -> None:
    statuses = [workflow[name] for name in ("Idea", "Backlog", "Planned", "In design", "In development", "Shipped")]
    start = timezone.localdate().replace(day=1)
    Feature.objects.bulk_create([
        Feature(workspace=product.workspace, product=product, number=1000 + i, title=f"Bulk {i}",
                status=statuses[i % len(statuses)], rank=rank, tags=["bulk"] if i % 3 else [],
                release=release if i % 2 else None,
                start_date=start + timedelta(days=i % 200), end_date=start + timedelta(days=i % 200 + 20))
        for i, rank in enumerate(ranking.spread(count))
    ], batch_size=1000)


def cold_and_warm(fetch) -> tuple[int, int]:
    """The queries of a page drawn afresh (the plan just changed) and then from the view cache."""
    return count_queries(fetch), count_queries(fetch)


@pytest.mark.parametrize("group", ["release", "goal"])
def test_query_count_does_not_grow_with_features(client_as_editor, product, plan, workflow, group):
    page = url("product_timeline", product, group=group, deps="1")
    client_as_editor.get(page)
    bulk_features(product, workflow, 10, plan["release"])
    few = cold_and_warm(lambda: client_as_editor.get(page))
    Feature.objects.filter(number__gte=1000).delete()
    bulk_features(product, workflow, 500, plan["release"])
    many = cold_and_warm(lambda: client_as_editor.get(page))
    response = client_as_editor.get(page)

    assert response.status_code == 200
    assert many == few
    assert few[1] < few[0]  # an unchanged plan is not composed again
    assert response.content.decode().count('data-kind="feature"') > 400


# The hot pages' exact counts: a change that adds a query to them changes this number on purpose.
def test_the_timeline_costs_exactly_its_pinned_queries(client_as_editor, product, plan, workflow,
                                                        django_assert_num_queries):
    page = url("product_timeline", product)
    bulk_features(product, workflow, 10, plan["release"])
    client_as_editor.get(page)  # the first visit also remembers the workspace in the session
    Feature.objects.filter(number=1000).delete()  # a changed plan: drawn afresh
    with django_assert_num_queries(10):  # the view cache's fingerprint included; no saved views to read
        assert client_as_editor.get(page).status_code == 200
    # An unchanged plan: the fingerprint instead of the rows, releases and statuses.
    with django_assert_num_queries(7):
        assert client_as_editor.get(page).status_code == 200


def test_portfolio_query_count_does_not_grow_with_releases(client_as_viewer, editor, workspace, product, start):
    line = ProductFactory(workspace=workspace, name="Northwind", key="NWC", kind=Product.Kind.LINE)
    product.parent = line
    product.save(update_fields=["parent"])
    page = url("portfolio_timeline", line)
    client_as_viewer.get(page)
    Release.objects.create(workspace=workspace, product=product, name="R0", start_date=start,
                           release_date=start + timedelta(days=20))
    few = count_queries(lambda: client_as_viewer.get(page))
    Release.objects.bulk_create([Release(workspace=workspace, product=product, name=f"R{i}",
                                         start_date=start + timedelta(days=i),
                                         release_date=start + timedelta(days=i + 20)) for i in range(1, 40)])
    many = count_queries(lambda: client_as_viewer.get(page))

    assert many == few
