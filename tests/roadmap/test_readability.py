"""Timelines people can read at a glance: the window fitted to the work, collapsed empty
groups, full titles as accessible names, legends on pages, shares and exports, the PDF export,
years in conflict dates, "what changed since" (computed from history), presentable shares,
the release timeline's features and dependencies, and the portfolio's features and exports."""

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from html import escape
from urllib.parse import urlencode

import pypdf
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from releases import metrics
from releases import services as release_services
from releases.models import Feature, Release
from releases.selectors import forget_plans
from roadmap import compose, services
from roadmap.changes import ADDED, DONE, EARLIER, LATER, REMOVED, PlanRow, compare_plans, parse_since
from roadmap.models import ShareLink
from strategy.models import Product, Role
from tests.conftest import count_queries
from tests.factories import MembershipFactory, ProductFactory

pytestmark = pytest.mark.django_db


def url(name, product, *args, **query):
    path = reverse(f"roadmap:{name}", args=[product.workspace.slug, product.key, *args])
    return path + ("?" + urlencode(query, doseq=True) if query else "")


def days(n):
    return timezone.localdate() + timedelta(days=n)


@pytest.fixture
def plan(editor, workspace, product, workflow):
    """MOB with a past release, a current one and a later one; PAY with a feature MOB waits on."""
    engineer = MembershipFactory(workspace=workspace, role=Role.EDITOR, user__full_name="Grace Hopper").user
    past = release_services.release_create(actor=editor, product=product, name="Spring", start_date=days(-120),
                                           release_date=days(-60), status="released")
    current = release_services.release_create(actor=editor, product=product, name="Summer", start_date=days(-30),
                                              release_date=days(30), status="in_progress")
    later = release_services.release_create(actor=editor, product=product, name="Winter", start_date=days(60),
                                            release_date=days(120))
    shipped = release_services.feature_create(actor=editor, product=product, title="Shipped in spring",
                                              status=workflow["Shipped"], release=past, assignee=engineer,
                                              estimate=Decimal("3"))
    doing = release_services.feature_create(actor=editor, product=product, title="Tap to pay",
                                            status=workflow["In development"], release=current, assignee=engineer)
    waiting = release_services.feature_create(actor=editor, product=product, title="Loyalty tiers",
                                              status=workflow["Planned"], release=later)
    other = ProductFactory(workspace=workspace, name="Payments", key="PAY")
    upstream = release_services.feature_create(actor=editor, product=other, title="Payments API",
                                               status=workflow["Planned"], start_date=days(-10), end_date=days(10))
    release_services.dependency_add(actor=editor, feature=shipped, depends_on=upstream)
    return {"past": past, "current": current, "later": later, "shipped": shipped, "doing": doing,
            "waiting": waiting, "other": other, "upstream": upstream, "engineer": engineer}


# --- 1. open where the work is --------------------------------------------------------------


def test_without_dates_the_timeline_fits_the_planned_work_and_says_so(client_as_viewer, product, editor,
                                                                      workflow):
    far = timezone.localdate().replace(day=1) + timedelta(days=800)
    release_services.feature_create(actor=editor, product=product, title="Far away work", status=workflow["Planned"],
                                    start_date=far, end_date=far + timedelta(days=40))

    html = client_as_viewer.get(url("product_timeline", product)).content.decode()

    assert "Fitted to the planned work" in html
    assert "Far away work" in html and "1 of 1 feature in this window" in html


def test_dates_in_the_address_are_kept_and_today_gives_the_months_around_today(client_as_viewer, product, plan):
    html = client_as_viewer.get(url("product_timeline", product, start="2020-01-01", end="2020-06-30")).content
    assert b"Fitted to the planned work" not in html and b"1 Jan 2020" in html


def test_releases_with_nothing_in_the_window_collapse_into_one_line(client_as_viewer, product, plan):
    html = client_as_viewer.get(url("product_timeline", product, start=days(-20).isoformat(),
                                    end=days(20).isoformat())).content.decode()
    assert "2 releases with nothing in this window" in html
    assert 'title="Spring, Winter"' in html


# --- 2. labels and accessible names -----------------------------------------------------------


def test_every_bar_carries_its_full_title_as_accessible_name(client, client_as_viewer, product, plan, editor):
    html = client_as_viewer.get(url("product_timeline", product, zoom="years")).content.decode()
    assert 'aria-label="Feature MOB-2 · Tap to pay, ' in html  # on the link, for members
    _link, token = services.share_link_create(actor=editor, product=product, view=ShareLink.View.TIMELINE,
                                              params={"zoom": "years"})
    shared = client.get(reverse("roadmap:shared_view", args=[token])).content.decode()
    assert 'role="img" aria-label="Feature MOB-2 · Tap to pay, ' in shared  # on the bar itself, without links
    assert re.search(r"rt-bar__label--beside\"[^>]*>(◐ )?Tap to pay</text>", shared)  # whole, beside its short bar


# --- 3. legends -------------------------------------------------------------------------------


def test_the_shared_timeline_and_the_svg_export_carry_the_legend(client, client_as_viewer, product, plan, editor):
    _link, token = services.share_link_create(actor=editor, product=product, view=ShareLink.View.TIMELINE)
    shared = client.get(reverse("roadmap:shared_view", args=[token])).content.decode()
    assert 'class="rt-legend"' in shared and "Not started" in shared
    svg = client_as_viewer.get(url("timeline_export_svg", product)).content.decode()
    assert 'class="rt-legend-svg"' in svg and ">In progress</text>" in svg and ">Today</text>" in svg


# --- 4. PDF -----------------------------------------------------------------------------------


def test_the_pdf_of_a_year_view_is_one_landscape_page_with_the_legend(client_as_viewer, product, plan):
    response = client_as_viewer.get(url("timeline_export_pdf", product, zoom="years"))

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert box.width > box.height  # landscape
    text = reader.pages[0].extract_text()
    assert "Legend" in text and "Not started" in text and "Page 1 of 1" in text and "Tap to pay" in text


def test_a_long_roadmap_runs_over_numbered_pages(client_as_viewer, product, editor, workflow):
    start = timezone.localdate().replace(day=1)
    for n in range(80):  # all at once: one lane each
        release_services.feature_create(actor=editor, product=product, title=f"Long plan item {n}",
                                        status=workflow["Planned"], start_date=start,
                                        end_date=start + timedelta(days=60))
    reader = pypdf.PdfReader(io.BytesIO(client_as_viewer.get(url("timeline_export_pdf", product,
                                                                 group="status")).content))
    count = len(reader.pages)
    assert count > 1 and f"Page {count} of {count}" in reader.pages[-1].extract_text()


def test_viewers_of_another_workspace_get_no_pdf(client, other_workspace, product, plan):
    outsider = MembershipFactory(workspace=other_workspace, role=Role.ADMIN).user
    client.force_login(outsider)
    assert client.get(url("timeline_export_pdf", product)).status_code == 404


# --- 5. years in dates --------------------------------------------------------------------


def test_conflict_dates_carry_their_years_when_the_years_differ():
    def row(id, key, end):
        return metrics.FeatureRow(id=id, key=key, own_end=end, end=end, release_id=None, category="not_started",
                                  estimate=None)
    found = metrics.conflicts([row(1, "CLI-6", date(2022, 8, 23)), row(2, "NODE-7", date(2024, 4, 17))], [],
                              [(1, 2)])
    assert found[0].message == ("CLI-6 ends 23 Aug 2022, before NODE-7, which it depends on, ends 17 Apr 2024.")


# --- 9. what changed since ------------------------------------------------------------------


def test_compare_plans_marks_added_moved_done_and_removed():
    since = timezone.now()
    then = {1: PlanRow(1, "A-1", "Moved", date(2026, 1, 1), date(2026, 1, 31), False),
            2: PlanRow(2, "A-2", "Pulled in", date(2026, 1, 1), date(2026, 1, 31), False),
            3: PlanRow(3, "A-3", "Finished", None, date(2026, 1, 31), False),
            4: PlanRow(4, "A-4", "Same", None, None, False)}
    now = [PlanRow(1, "A-1", "Moved", date(2026, 1, 1), date(2026, 2, 12), False),
           PlanRow(2, "A-2", "Pulled in", date(2026, 1, 1), date(2026, 1, 21), False),
           PlanRow(3, "A-3", "Finished", None, date(2026, 2, 28), True),
           PlanRow(4, "A-4", "Same", None, None, False),
           PlanRow(5, "A-5", "New", None, None, False)]

    changes = compare_plans(then=then, now=now, removed=[PlanRow(6, "A-6", "Gone", None, None, False)], since=since)

    kinds = {c.feature_id: (c.kind, c.days) for c in changes.changes}
    assert kinds == {1: (LATER, 12), 2: (EARLIER, 10), 3: (DONE, 0), 5: (ADDED, 0), 6: (REMOVED, 0)}
    assert changes.by_feature[1].text == "Moved 12 days later (was 1 Jan 2026 – 31 Jan 2026)"
    today = timezone.localdate()
    assert changes.summary(today).startswith("1 feature slipped, 1 added, 1 shipped, 1 moved earlier, 1 removed since")


def test_parse_since_takes_dates_and_moments_in_the_past_only():
    now = timezone.now()
    assert parse_since("", now) == (None, "")
    assert parse_since("2020-02-03", now)[0].date() == date(2020, 2, 3)
    assert parse_since("2020-02-03T10:00:00Z", now)[0] == datetime(2020, 2, 3, 10, tzinfo=UTC)
    assert parse_since("yesterday", now)[0] is None and "not a date" in parse_since("yesterday", now)[1]
    assert parse_since((now + timedelta(days=2)).date().isoformat(), now)[0] is None


def test_the_timeline_marks_a_feature_moved_since_a_moment(client_as_viewer, editor, product, plan):
    since = timezone.now()
    doing = Feature.objects.get(pk=plan["doing"].pk)
    release_services.feature_update(actor=editor, feature=doing, version=doing.version, start_date=days(-5),
                                    end_date=days(40))
    release_services.feature_create(actor=editor, product=product, title="Brand new idea",
                                    status=plan["doing"].status)

    html = client_as_viewer.get(url("product_timeline", product, since=since.isoformat())).content.decode()

    assert "1 feature slipped, 1 added since" in html
    assert "rt-bar--chg-later" in html and "rt-ghost--later" in html
    assert "Moved 10 days later" in html and "Brand new idea" in html


def test_what_changed_on_now_next_later_and_on_a_share_shows_only_what_the_view_shows(client, client_as_viewer,
                                                                                        editor, product, plan):
    since = timezone.now()
    release_services.feature_create(actor=editor, product=plan["other"], title="OTHER-PRODUCT new work",
                                    status=plan["doing"].status)
    waiting = Feature.objects.get(pk=plan["waiting"].pk)
    release_services.feature_update(actor=editor, feature=waiting, version=waiting.version, release=plan["current"])

    page = client_as_viewer.get(url("now_next_later", product, since=since.isoformat())).content.decode()
    assert "hz-card--chg-" in page and "OTHER-PRODUCT" not in page

    _link, token = services.share_link_create(actor=editor, product=product, view=ShareLink.View.NOW_NEXT_LATER)
    shared = client.get(reverse("roadmap:shared_view", args=[token]), {"since": since.isoformat()}).content.decode()
    assert "since" in shared and "Loyalty tiers" in shared and "OTHER-PRODUCT" not in shared
    assert "Grace Hopper" not in shared


def test_a_bad_since_is_reported_and_ignored(client_as_viewer, product, plan):
    html = client_as_viewer.get(url("product_timeline", product, since="soon")).content.decode()
    assert "is not a date" in html and "rt-changes" not in html


def test_what_changed_adds_a_flat_set_of_queries(client_as_viewer, editor, product, plan, workflow):
    since = (timezone.now() - timedelta(days=1)).isoformat()
    client_as_viewer.get(url("product_timeline", product))
    # Each composed afresh (the view cache keeps a drawing per "since" too).
    forget_plans([product.pk])
    plain = count_queries(lambda: client_as_viewer.get(url("product_timeline", product)))
    few = count_queries(lambda: client_as_viewer.get(url("product_timeline", product, since=since)))
    for n in range(30):
        release_services.feature_create(actor=editor, product=product, title=f"More {n}", status=workflow["Planned"],
                                        start_date=days(n), end_date=days(n + 5))
    many = count_queries(lambda: client_as_viewer.get(url("product_timeline", product, since=since)))
    assert many == few == plain + 3  # the plan then (releases, features) and what was deleted since


def test_a_feature_dated_by_its_release_moves_when_the_release_moves(client_as_viewer, editor, product, plan):
    since = timezone.now()
    summer = Release.objects.get(pk=plan["current"].pk)
    release_services.release_update(actor=editor, release=summer, version=summer.version,
                                    release_date=days(44))

    html = client_as_viewer.get(url("product_timeline", product, since=since.isoformat())).content.decode()

    assert "1 feature slipped since" in html and "Moved 14 days later" in html  # "Tap to pay" has no dates of its own


# --- 10. phones: a shared timeline carries the same plan as a list --------------------------------


def test_a_shared_timeline_carries_a_list_for_phones_with_full_titles_marks_and_changes(client, editor, product,
                                                                                       plan):
    since = timezone.now()
    doing = Feature.objects.get(pk=plan["doing"].pk)
    release_services.feature_update(actor=editor, feature=doing, version=doing.version, start_date=days(-5),
                                    end_date=days(40), title="A much longer title than any bar at quarter zoom holds")
    _link, token = services.share_link_create(actor=editor, product=product, view=ShareLink.View.TIMELINE,
                                              params={"zoom": "quarters"})

    html = client.get(reverse("roadmap:shared_view", args=[token]), {"since": since.isoformat()}).content.decode()

    agenda = html[html.index('aria-label="Timeline as a list"'):]
    assert ">A much longer title than any bar at quarter zoom holds</span>" in agenda
    assert "MOB-2</span> · In progress · " in agenda and "rt-agenda__item--chg-later" in agenda
    assert "Moved 10 days later" in agenda and 'class="rt-agenda__head"><span>Summer</span>' in agenda
    assert "Grace Hopper" not in agenda and 'href="' not in agenda


def test_a_shared_portfolio_carries_a_list_of_its_products_lanes(client, editor, line, plan):
    _link, token = services.share_link_create(actor=editor, product=line, view=ShareLink.View.PORTFOLIO)
    html = client.get(reverse("roadmap:shared_view", args=[token])).content.decode()
    agenda = html[html.index('aria-label="Timeline as a list"'):]
    assert "rt-agenda__group" in agenda and 'href="' not in agenda


# --- 9. what changed since, on the release timeline ------------------------------------------


def _release_timeline_changes(editor, product, plan, workflow):
    """Since the returned moment: Winter slips 20 days (with Loyalty tiers, dated by it), Tap to
    pay is done, a new feature joins Summer, and the shipped feature is deleted."""
    since = timezone.now()
    winter = Release.objects.get(pk=plan["later"].pk)
    release_services.release_update(actor=editor, release=winter, version=winter.version, release_date=days(140))
    doing = Feature.objects.get(pk=plan["doing"].pk)
    release_services.feature_update(actor=editor, feature=doing, version=doing.version, status=workflow["Shipped"])
    release_services.feature_create(actor=editor, product=product, title="Gift cards", status=workflow["Planned"],
                                    release=plan["current"], assignee=plan["engineer"])
    release_services.feature_delete(actor=editor, feature=Feature.objects.get(pk=plan["shipped"].pk))
    return since


def test_the_release_timeline_marks_what_changed_in_releases_and_their_features(product, plan, editor, workflow,
                                                                                  today):
    since = _release_timeline_changes(editor, product, plan, workflow)

    context = compose.release_timeline_context(product, today, since=since, expand_all=True)

    assert context["changes_summary"].startswith("1 feature slipped, 1 added, 1 shipped, 1 removed since")
    items = {item["release"].name: item for item in context["past"] + context["future"]}
    assert items["Winter"]["change_text"].startswith("Release moved 20 days later (was ")
    assert items["Winter"]["changes_text"] == "1 slipped"
    assert items["Summer"]["changes_text"] == "1 added · 1 shipped" and items["Summer"]["change"] is None
    summer = str(items["Summer"]["features"])
    assert 'tl-row--chg-added' in summer and "Gift cards" in summer and 'tl-row--chg-done' in summer


def test_the_release_timeline_page_compares_and_its_lazy_tables_keep_the_comparison(client_as_viewer, product,
                                                                                     plan, editor, workflow):
    since = _release_timeline_changes(editor, product, plan, workflow).isoformat()

    html = client_as_viewer.get(url("release_timeline", product, since=since)).content.decode()

    assert "1 feature slipped, 1 added, 1 shipped, 1 removed since" in html and "Hide what changed" in html
    assert "Release moved 20 days later" in html
    query = "?" + urlencode({"since": since})
    assert f'hx-get="{escape(url("release_features", product, plan["past"].pk) + query)}"' in html  # kept when opened
    table = client_as_viewer.get(url("release_features", product, plan["later"].pk) + query).content.decode()
    assert "tl-row--chg-later" in table and "Moved 20 days later" in table
    assert "rt-changes" not in client_as_viewer.get(url("release_timeline", product)).content.decode()


def test_a_shared_release_timeline_shows_what_changed_without_people_or_other_products(client, editor, product,
                                                                                       plan, workflow):
    since = _release_timeline_changes(editor, product, plan, workflow)
    release_services.feature_create(actor=editor, product=plan["other"], title="OTHER-PRODUCT new work",
                                    status=workflow["Planned"])
    _link, token = services.share_link_create(actor=editor, product=product, view=ShareLink.View.RELEASE_TIMELINE)

    shared = client.get(reverse("roadmap:shared_view", args=[token]), {"since": since.isoformat()}).content.decode()

    assert "1 feature slipped, 1 added, 1 shipped, 1 removed since" in shared
    assert "Gift cards" in shared and "tl-row--chg-added" in shared and "Release moved 20 days later" in shared
    assert "OTHER-PRODUCT" not in shared and "Grace Hopper" not in shared and 'href="/w/' not in shared


def test_what_changed_on_the_release_timeline_adds_a_flat_set_of_queries(client_as_viewer, editor, product, plan,
                                                                         workflow):
    since = (timezone.now() - timedelta(days=1)).isoformat()
    client_as_viewer.get(url("release_timeline", product))
    plain = count_queries(lambda: client_as_viewer.get(url("release_timeline", product)))
    few = count_queries(lambda: client_as_viewer.get(url("release_timeline", product, since=since)))
    for n in range(20):
        release_services.feature_create(actor=editor, product=product, title=f"More {n}", status=workflow["Planned"],
                                        release=plan["current"] if n % 2 else plan["later"])
    many = count_queries(lambda: client_as_viewer.get(url("release_timeline", product, since=since)))
    assert many == few == plain + 4  # the features of the releases now, then the history: what changed, as it was


# --- 7. the release timeline for engineers ---------------------------------------------------


def test_a_past_release_loads_its_features_with_dependencies_across_products(client_as_viewer, product, plan):
    page = client_as_viewer.get(url("release_timeline", product)).content.decode()
    fragment = url("release_features", product, plan["past"].pk)
    assert f'hx-get="{fragment}"' in page  # lazy: loaded when opened
    assert reverse("releases:release_detail", args=["acme", "MOB", plan["past"].pk]) in page

    table = client_as_viewer.get(fragment).content.decode()

    assert "Shipped in spring" in table and "Grace Hopper" in table and "Blocked by" in table
    assert reverse("releases:feature_detail", args=["acme", "PAY", plan["upstream"].number]) in table


def test_a_release_of_another_product_is_not_found_on_this_roadmap(client_as_viewer, product, plan, editor):
    elsewhere = release_services.release_create(actor=editor, product=plan["other"], name="Other",
                                                start_date=days(1), release_date=days(9))
    assert client_as_viewer.get(url("release_features", product, elsewhere.pk)).status_code == 404


def test_without_javascript_a_release_opens_from_the_address(client_as_viewer, product, plan):
    html = client_as_viewer.get(url("release_timeline", product, open=plan["past"].pk)).content.decode()
    assert "Shipped in spring" in html


def test_mine_keeps_the_readers_own_releases_and_features(client, product, plan):
    client.force_login(plan["engineer"])
    html = client.get(url("release_timeline", product, mine="1")).content.decode()
    assert "Spring" in html and "Summer" in html and "Winter" not in html
    assert "Only my features" in html


def test_a_shared_release_timeline_lists_features_without_people_links_or_other_products(client, editor,
                                                                                          product, plan):
    _link, token = services.share_link_create(actor=editor, product=product,
                                              view=ShareLink.View.RELEASE_TIMELINE)
    html = client.get(reverse("roadmap:shared_view", args=[token])).content.decode()
    assert "Shipped in spring" in html and "Grace Hopper" not in html and 'href="/w/' not in html
    assert "Payments API" not in html and "PAY-" not in html  # the dependency is in a product not shared
    assert "Est." not in html


# --- 8. presentable shares ---------------------------------------------------------------


def test_a_share_carries_its_title_intro_workspace_name_and_as_of(client, editor, product, plan):
    _link, token = services.share_link_create(actor=editor, product=product, view=ShareLink.View.TIMELINE,
                                              title="Board update", intro="Where Mobile stands this quarter.")
    html = client.get(reverse("roadmap:shared_view", args=[token])).content.decode()
    assert "<h1" in html and "Board update" in html and "Where Mobile stands this quarter." in html
    assert product.workspace.name in html and "as of" in html and 'class="rt-legend"' in html


def test_share_titles_and_intros_are_bounded(editor, product):
    with pytest.raises(ValidationError) as error:
        services.share_link_create(actor=editor, product=product, view=ShareLink.View.TIMELINE, title="x" * 121)
    assert "title" in error.value.message_dict
    assert not ShareLink.objects.exists()


def test_the_share_list_names_links_and_offers_to_copy_the_new_one(client_as_editor, product, plan):
    response = client_as_editor.post(url("share_link_list", product), {
        "view": "timeline", "title": "Exec view", "intro": "Hello"})
    html = response.content.decode()
    assert "Exec view" in html and "data-copy" in html


# --- 6. the portfolio ---------------------------------------------------------------------


@pytest.fixture
def line(workspace, product, plan):
    line = ProductFactory(workspace=workspace, name="Northwind", key="NWC", kind=Product.Kind.LINE)
    Product.objects.filter(pk__in=[product.pk, plan["other"].pk]).update(parent=line)
    return line


def test_a_lines_timeline_tab_shows_its_products_work(client_as_viewer, line, plan):
    html = client_as_viewer.get(url("product_timeline", line)).content.decode()
    assert "Tap to pay" in html and "Payments API" in html and "Nothing on the roadmap yet" not in html


def test_the_portfolio_shows_features_when_asked_and_exports_them(client_as_viewer, line, plan):
    plain = client_as_viewer.get(url("portfolio_timeline", line)).content.decode()
    assert "Tap to pay" not in plain and "Summer" in plain
    shown = client_as_viewer.get(url("portfolio_timeline", line, features="1")).content.decode()
    assert "Tap to pay" in shown and 'class="rt-legend"' in shown

    rows = list(csv.reader(io.StringIO(client_as_viewer.get(url("portfolio_export_csv", line, features="1",
                                                                 start=days(-40).isoformat(),
                                                                 end=days(40).isoformat())).content.decode())))
    assert rows[0][:3] == ["product", "kind", "key"]
    assert ["MOB", "feature", "MOB-2", "Tap to pay"] in [r[:4] for r in rows]
    svg = client_as_viewer.get(url("portfolio_export_svg", line, features="1")).content.decode()
    assert "Tap to pay" in svg and ">Released</text>" in svg
    assert client_as_viewer.get(url("portfolio_export_pdf", line))["Content-Type"] == "application/pdf"


def test_the_portfolio_with_features_reads_a_flat_number_of_queries(client_as_viewer, line, plan, editor, workflow):
    page = url("portfolio_timeline", line, features="1")
    client_as_viewer.get(page)
    few = count_queries(lambda: client_as_viewer.get(page))
    for n in range(20):
        release_services.feature_create(actor=editor, product=plan["other"], title=f"More {n}",
                                        status=workflow["Planned"], start_date=days(n), end_date=days(n + 5))
    client_as_viewer.get(page)  # the plan changed: its conflicts are recomputed once, then cached
    assert count_queries(lambda: client_as_viewer.get(page)) == few


def test_composed_share_of_a_portfolio_has_no_links(line, plan, today):
    portfolio = compose.portfolio_timeline(line, params={"features": "1"}, today=today,
                                           audience=compose.Audience())
    assert 'href="' not in portfolio.html and "Tap to pay" in portfolio.html


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40


def test_an_admin_sets_the_workspace_logo_and_shares_show_it(client_as_admin, client, workspace, editor, product,
                                                             plan):
    page = reverse("strategy:workspace_settings", args=[workspace.slug])
    response = client_as_admin.post(page, {"name": workspace.name, "logo": io.BytesIO(PNG)})
    assert response.status_code == 302
    workspace.refresh_from_db()
    assert workspace.logo.startswith("data:image/png;base64,")
    _link, token = services.share_link_create(actor=editor, product=product, view=ShareLink.View.TIMELINE)
    shared = client.get(reverse("roadmap:shared_view", args=[token])).content.decode()
    assert f'<img class="shared-header__logo" src="{workspace.logo}"' in shared


def test_a_logo_that_is_not_a_small_image_is_refused_and_nothing_is_saved(admin, workspace):
    from strategy import services as strategy_services

    for data, message in ((b"<svg onload=alert(1)>", "PNG, JPEG or WebP"), (PNG + b"\x00" * 100_001, "100 KB")):
        with pytest.raises(ValidationError, match=message):
            strategy_services.workspace_update(actor=admin, workspace=workspace, name="Renamed", logo=data)
    workspace.refresh_from_db()
    assert workspace.logo == "" and workspace.name != "Renamed"
    strategy_services.workspace_update(actor=admin, workspace=workspace, name="Renamed", logo=PNG)
    strategy_services.workspace_update(actor=admin, workspace=workspace, name="Renamed", remove_logo=True)
    workspace.refresh_from_db()
    assert workspace.logo == ""


def test_the_compare_form_keeps_the_views_options_and_every_status(client_as_viewer, product, plan, workflow):
    html = client_as_viewer.get(url("product_timeline", product, zoom="quarters",
                                    status=[workflow["Planned"].pk, workflow["Shipped"].pk])).content.decode()
    form = html[html.index('class="rt-since"'):html.index("</form>", html.index('class="rt-since"'))]
    assert '<input type="hidden" name="zoom" value="quarters">' in form
    assert form.count('name="status"') == 2 and 'name="since"' in form


def test_a_view_too_big_for_a_pdf_is_refused_with_a_way_forward(client_as_viewer, product, plan, monkeypatch):
    from roadmap.views import timeline as timeline_views

    monkeypatch.setattr(timeline_views, "PDF_MAX_BARS", 2)
    response = client_as_viewer.get(url("timeline_export_pdf", product, zoom="years"))
    assert response.status_code == 400
    assert "a PDF holds at most 2" in response.content.decode() and "Filter the timeline" in response.content.decode()
