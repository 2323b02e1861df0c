"""Now / Next / Later and the release timeline: the horizon rules on a plan built around
today, grouping by initiative, product lines, what executives may not see, CSV export,
workspaces (404) and query counts that do not grow with features."""

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from releases import ranking, services
from releases.models import Feature, Release
from roadmap import horizons
from roadmap.compose import now_next_later_context, release_timeline_context
from roadmap.horizons import LATER, NEXT, NOW, current_and_next, quarter_end
from strategy.models import Product, Role
from strategy.services import initiative_create
from tests.conftest import count_queries
from tests.factories import MembershipFactory, ProductFactory

pytestmark = pytest.mark.django_db

D = Decimal


def days(n: int) -> date:
    return timezone.localdate() + timedelta(days=n)


def url(name, product, ws="acme"):
    return reverse(f"roadmap:{name}", args=[ws, product.key])


@pytest.fixture
def plan(editor, workspace, product, workflow):
    """A past, a current, a next and a later release of MOB, and features of every kind."""
    engineer = MembershipFactory(workspace=workspace, role=Role.EDITOR, user__full_name="Grace Hopper",
                                 user__email="grace.secret@acme.test").user
    r = {
        "past": services.release_create(actor=editor, product=product, name="Spring", version_label="1.0",
                                        start_date=days(-120), release_date=days(-60), status="released"),
        "current": services.release_create(actor=editor, product=product, name="Summer", version_label="1.1",
                                           start_date=days(-30), release_date=days(20), status="in_progress"),
        "next": services.release_create(actor=editor, product=product, name="Autumn", version_label="1.2",
                                        start_date=days(21), release_date=days(80)),
        "later": services.release_create(actor=editor, product=product, name="Winter", version_label="2.0",
                                         start_date=days(81), release_date=days(150)),
    }
    services.milestone_create(actor=editor, release=r["current"], name="Code freeze", date=days(10))
    payments = initiative_create(actor=editor, product=product, name="Payments", colour="#f97316")
    growth = initiative_create(actor=editor, product=product, name="Growth", colour="#22c55e")

    def feature(title, status, **fields):
        return services.feature_create(actor=editor, product=product, title=title, status=workflow[status],
                                       **fields)

    feature("Tap to pay", "In development", release=r["current"], initiative=payments, assignee=engineer,
            estimate=D("987"))
    feature("Receipts", "Shipped", release=r["current"], initiative=payments)
    feature("Dropped idea", "Won't do", release=r["current"])
    feature("Late carry-over", "In development", release=r["past"], initiative=growth)
    feature("Old win", "Shipped", release=r["past"])
    feature("Loyalty tiers", "Planned", release=r["next"], initiative=growth)
    feature("Shipped early", "Shipped", release=r["next"])
    feature("Wallet passes", "Planned", release=r["later"], initiative=payments)
    feature("Someday", "Backlog")
    feature("Under way alone", "In design", start_date=days(-3), end_date=days(5))
    feature("Starting soon", "Planned", start_date=days(10), end_date=days(40))
    return r


def titles(context, horizon) -> list[str]:
    return [row["title"] for row, _release in context["placed"][horizon]]


# --- the rules ------------------------------------------------------------------


def test_quarter_end_counts_calendar_quarters():
    assert quarter_end(date(2026, 5, 12)) == date(2026, 6, 30)
    assert quarter_end(date(2026, 5, 12), 1) == date(2026, 9, 30)
    assert quarter_end(date(2026, 11, 2), 1) == date(2027, 3, 31)


def test_current_release_is_the_one_under_way_today_and_next_follows_it():
    rows = [
        {"id": 1, "start_date": date(2026, 1, 1), "release_date": date(2026, 2, 1), "status": "released"},
        {"id": 2, "start_date": date(2026, 2, 2), "release_date": date(2026, 4, 1), "status": "in_progress"},
        {"id": 3, "start_date": date(2026, 4, 2), "release_date": date(2026, 6, 1), "status": "planned"},
        {"id": 4, "start_date": date(2026, 6, 2), "release_date": date(2026, 8, 1), "status": "planned"},
    ]
    current, upcoming = current_and_next(rows, date(2026, 3, 1))
    assert (current["id"], upcoming["id"]) == (2, 3)
    # Between releases with nothing in progress: no current, the next is the first one due.
    rows[1]["status"] = "released"
    current, upcoming = current_and_next(rows, date(2026, 4, 1) + timedelta(days=0))
    assert current["id"] == 2 and upcoming["id"] == 3
    assert current_and_next(rows[2:], date(2026, 3, 1)) == (None, rows[2])


def test_features_land_in_the_right_horizons(plan, product, today):
    context = now_next_later_context(product, today)

    assert sorted(titles(context, NOW)) == ["Late carry-over", "Receipts", "Tap to pay", "Under way alone"]
    assert sorted(titles(context, NEXT)) == ["Loyalty tiers", "Starting soon"]
    assert sorted(titles(context, LATER)) == ["Someday", "Wallet passes"]
    everywhere = sum((titles(context, h) for h in (NOW, NEXT, LATER)), [])
    assert "Dropped idea" not in everywhere  # won't do
    assert "Old win" not in everywhere and "Shipped early" not in everywhere  # done outside the current release
    now, upcoming, _later = context["columns"]
    assert [r["label"] for r in now.releases] == ["Summer 1.1"]
    assert [r["label"] for r in upcoming.releases] == ["Autumn 1.2"]
    assert (now.count, upcoming.count) == (4, 2)


def test_columns_group_by_initiative_with_no_initiative_last(plan, product, today):
    html = str(now_next_later_context(product, today)["columns"][0].html)

    assert html.index("Late carry-over") > html.index(">Growth<")  # Growth before Payments, alphabetical
    assert html.index(">Growth<") < html.index(">Payments<") < html.index("No initiative")
    assert html.index("Tap to pay") < html.index("No initiative") < html.index("Under way alone")
    assert "#f97316" in html
    assert html.count("hz-card__check") == 1  # the done feature of the current release


def test_page_shows_columns_to_a_viewer_without_internal_fields(client_as_viewer, plan, product):
    response = client_as_viewer.get(url("now_next_later", product))

    assert response.status_code == 200
    html = response.content.decode()
    for text in ("Now", "Next", "Later", "Tap to pay", "Summer 1.1", "MOB-1", "Payments", "is left out"):
        assert text in html
    assert "grace.secret@acme.test" not in html
    assert "Grace Hopper" not in html
    assert "987" not in html
    assert "/edit" not in html
    assert 'href="' + url("release_timeline", product) + '"' in html


def test_empty_roadmap_says_what_the_view_is_for(client_as_viewer, product):
    response = client_as_viewer.get(url("now_next_later", product))

    assert response.status_code == 200
    assert "Nothing on the roadmap yet" in response.content.decode()


def test_a_product_line_covers_its_products_and_names_them_on_cards(client_as_viewer, editor, workspace, plan,
                                                                    product, workflow, today):
    line = ProductFactory(workspace=workspace, name="Commerce", key="COM", kind=Product.Kind.LINE)
    Product.objects.filter(pk=product.pk).update(parent=line)
    pay = ProductFactory(workspace=workspace, name="Pay", key="PAY", parent=line)
    ProductFactory(workspace=workspace, name="Elsewhere", key="ELS")
    release = services.release_create(actor=editor, product=pay, name="Payouts", start_date=days(-5),
                                      release_date=days(30))
    services.feature_create(actor=editor, product=pay, title="Instant payouts", status=workflow["In design"],
                            release=release)

    context = now_next_later_context(line, today)

    assert "Instant payouts" in titles(context, NOW) and "Tap to pay" in titles(context, NOW)
    assert sorted(r["label"] for r in context["columns"][0].releases) == ["Payouts", "Summer 1.1"]
    assert [p.key for p in context["line_products"]] == ["MOB", "PAY"]
    html = client_as_viewer.get(url("now_next_later", line)).content.decode()
    assert "PAY-1" in html and 'title="Pay">PAY</span>' in html


def test_csv_export_round_trips(client_as_viewer, plan, product):
    response = client_as_viewer.get(url("now_next_later", product), {"format": "csv"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert list(rows[0]) == ["horizon", "key", "title", "status", "initiative", "release", "product"]
    by_title = {row["title"]: row for row in rows}
    assert by_title["Tap to pay"] == {"horizon": "Now", "key": "MOB-1", "title": "Tap to pay",
                                      "status": "In development", "initiative": "Payments",
                                      "release": "Summer 1.1", "product": "Mobile App"}
    assert by_title["Someday"]["horizon"] == "Later" and by_title["Someday"]["release"] == ""
    assert by_title["Loyalty tiers"]["horizon"] == "Next"
    assert len(rows) == 8



def test_csv_export_writes_formula_like_titles_as_text(client_as_viewer, plan, product):
    Feature.objects.filter(title="Tap to pay").update(title="+cmd|' /C calc'!A0")

    response = client_as_viewer.get(url("now_next_later", product), {"format": "csv"})

    titles = {row["title"] for row in csv.DictReader(io.StringIO(response.content.decode()))}
    assert "'+cmd|' /C calc'!A0" in titles

def test_other_workspace_is_not_found(client_as_viewer, other_product):
    for name in ("now_next_later", "release_timeline"):
        assert client_as_viewer.get(url(name, other_product, ws="globex")).status_code == 404
        assert client_as_viewer.get(url(name, other_product)).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, product):
    response = client.get(url("now_next_later", product))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- release timeline ---------------------------------------------------------------


def test_release_timeline_expands_the_current_and_next_release_only(client_as_viewer, plan, product, today):
    context = release_timeline_context(product, today)

    assert [i["label"] for i in context["past"]] == ["Spring 1.0"]
    assert [i["label"] for i in context["future"]] == ["Summer 1.1", "Autumn 1.2", "Winter 2.0"]
    assert [i["expanded"] for i in context["future"]] == [True, True, False]
    assert context["future"][0]["is_current"] and context["future"][1]["is_next"]

    html = client_as_viewer.get(url("release_timeline", product)).content.decode()
    assert html.count('<details class="tl-card card" open>') == 2
    assert html.index("Spring") < html.index("Today ·") < html.index("Summer")
    assert "Tap to pay" in html and "Loyalty tiers" in html
    assert "Wallet passes" not in html  # collapsed later release does not list features
    assert "GH" in html and "grace.secret@acme.test" not in html  # initials, never the email
    assert "Code freeze" in html and "1/2" in html  # milestone; done/total without won't do


def test_release_timeline_without_releases_shows_empty_state(client_as_viewer, product):
    assert "No releases yet" in client_as_viewer.get(url("release_timeline", product)).content.decode()


# --- query counts -------------------------------------------------------------------


def _bulk(product, releases, workflow, count, start):
    statuses = [workflow[s] for s in ("Backlog", "In development", "Shipped", "Won't do")]
    ranks = ranking.spread(count)
    bulk_create_with_history([
        Feature(workspace_id=product.workspace_id, product=product, number=start + i, title=f"Feature {start + i}",
                status=statuses[i % len(statuses)], release=releases[i % len(releases)], estimate=D(i % 5 + 1),
                rank=f"z{ranks[i]}")
        for i in range(count)
    ], Feature)


@pytest.mark.parametrize("name", ["now_next_later", "release_timeline"])
def test_query_count_does_not_grow_with_features(client_as_viewer, plan, product, workflow, name):
    releases = list(Release.objects.filter(product=product)) + [None]
    _bulk(product, releases, workflow, 10, start=100)
    client_as_viewer.get(url(name, product))  # the first visit also remembers the workspace in the session
    _bulk(product, releases, workflow, 1, start=99)  # the plan changed: composed afresh, then from the cache
    few = [count_queries(lambda: client_as_viewer.get(url(name, product))) for _ in range(2)]
    _bulk(product, releases, workflow, 290, start=200)
    response = None

    def fetch():
        nonlocal response
        response = client_as_viewer.get(url(name, product))

    assert [count_queries(fetch) for _ in range(2)] == few
    assert response.status_code == 200
    assert "Feature 201" in response.content.decode() or name == "release_timeline"


def test_context_functions_read_a_fixed_number_of_queries(django_assert_max_num_queries, plan, product, today):
    with django_assert_max_num_queries(3):
        now_next_later_context(product, today)
    # The release timeline reads one more: the dependencies of the features it lists; and two
    # for going to market: the releases' phases and their messaging.
    with django_assert_max_num_queries(6):
        release_timeline_context(product, today)
    assert horizons.RULES_TEXT
