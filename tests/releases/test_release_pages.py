"""Release, milestone and workflow pages through Django's test client: what viewers read,
what editors and admins change (checked in the database), bad input kept in the form with
nothing saved, a stale edit refused, roles (403) and workspaces (404), and query counts that
do not grow with releases or features."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils.html import escape
from simple_history.utils import bulk_create_with_history

from releases import ranking, services
from releases.models import Feature, Milestone, Release, WorkflowStatus
from strategy.models import Role
from tests.conftest import count_queries
from tests.factories import FeatureFactory, MembershipFactory, ProductFactory, ReleaseFactory

pytestmark = pytest.mark.django_db

D = Decimal


# --- helpers ----------------------------------------------------------------


def bulk_features(product, release, statuses: list[WorkflowStatus], count: int, start: int = 1) -> None:
    """`count` features in `release`, in one insert (with their history rows), cycling through `statuses`."""
    ranks = ranking.spread(count)
    bulk_create_with_history([
        Feature(workspace_id=product.workspace_id, product=product, number=start + i, title=f"Feature {start + i}",
                status=statuses[i % len(statuses)], release=release, estimate=D(i % 5 + 1), rank=ranks[i])
        for i in range(count)
    ], Feature)


def release_data(**overrides) -> dict:
    data = {
        "name": "Winter loyalty", "version_label": "4.2", "theme": "Tiers and **rewards**.",
        "start_date": "2027-01-05", "release_date": "2027-03-26", "status": "planned", "capacity": "70",
    }
    data.update(overrides)
    return data


def url(name, *args):
    return reverse(f"releases:{name}", args=args)


@pytest.fixture
def release(editor, product, workflow):
    return ReleaseFactory(product=product, created_by=editor, version_label="4.1", theme="The **fastest** way to pay.",
                          capacity=D("8"), name="Autumn wallet")


@pytest.fixture
def colleague(workspace):
    return MembershipFactory(workspace=workspace, role=Role.EDITOR, user__full_name="Ada Colleague",
                             user__email="ada@acme.test").user


# --- release list -------------------------------------------------------------


def test_release_list_shows_progress_capacity_milestones_and_conflicts(client_as_viewer, editor, workspace,
                                                                      product, workflow, release, today):
    FeatureFactory(product=product, created_by=editor, title="Tap to pay", release=release, estimate=D(5),
                   status=workflow["Shipped"])
    home = FeatureFactory(product=product, created_by=editor, title="Wallet home", release=release, estimate=D(4),
                          status=workflow["In review"])
    late = FeatureFactory(product=product, created_by=editor, title="Entitlement", release=release,
                          end_date=release.release_date + timedelta(days=20))
    services.dependency_add(actor=editor, feature=home, depends_on=late)  # home ends before what it needs
    services.milestone_create(actor=editor, release=release, name="Beta", date=today + timedelta(days=5))
    later = ReleaseFactory(product=product, created_by=editor, name="Spring platform", start_date=date(2027, 4, 6),
                           release_date=date(2027, 6, 30))

    response = client_as_viewer.get(url("release_list", workspace.slug, product.key))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Autumn wallet" in page and "4.1" in page and "Spring platform" in page
    assert page.index("Autumn wallet") < page.index("Spring platform")  # ordered by date
    assert "6 Apr – 30 Jun 2027" in page
    assert "In 34 days" in page
    assert "1/3" in page  # features done
    assert "5/9" in page  # points done
    assert "rel-capacity--over" in page and "9 / 8 pts" in page  # over capacity, in the warning colour
    assert "Beta" in page and "rel-diamond" in page
    assert 'aria-label="1 of 3 features done"' in page
    # over capacity, a feature ending after the release, and one ending before its dependency
    assert '3<span class="sr-only"> conflicts</span>' in page and "plans 9" in page
    assert url("release_detail", workspace.slug, product.key, later.pk) in page
    assert url("release_create", workspace.slug, product.key) not in page  # viewers get no "New release"


def test_release_list_says_when_releases_are_overdue_released_or_cancelled(client_as_viewer, editor, workspace,
                                                                            product, today):
    ReleaseFactory(product=product, created_by=editor, name="Late one", start_date=today - timedelta(days=60),
                   release_date=today - timedelta(days=3))
    ReleaseFactory(product=product, created_by=editor, name="Shipped one", status="released",
                   start_date=today - timedelta(days=90), release_date=today - timedelta(days=20))
    ReleaseFactory(product=product, created_by=editor, name="Dropped one", status="cancelled")

    page = client_as_viewer.get(url("release_list", workspace.slug, product.key)).content.decode()

    assert 'rel-when--overdue">3 days overdue' in page
    assert 'rel-when--released">Released' in page
    assert 'rel-when--cancelled">Cancelled' in page and "row--muted" in page


def test_release_list_empty_state_explains_releases_and_offers_the_first(client_as_editor, workspace, product):
    response = client_as_editor.get(url("release_list", workspace.slug, product.key))

    page = response.content.decode()
    assert "No releases yet" in page and "dated delivery" in page
    assert url("release_create", workspace.slug, product.key) in page


def test_release_list_queries_do_not_grow_with_releases(client_as_viewer, editor, workspace, product, workflow, today):
    statuses = [workflow["Planned"], workflow["In development"], workflow["Shipped"], workflow["Won't do"]]

    def add_releases(count, first):
        for i in range(count):
            r = ReleaseFactory(product=product, created_by=editor, name=f"Release {first + i}", capacity=D(3))
            services.milestone_create(actor=editor, release=r, name="Beta", date=today)
            bulk_features(product, r, statuses, 4, start=(first + i) * 10)

    target = url("release_list", workspace.slug, product.key)
    add_releases(2, 1)
    client_as_viewer.get(target)  # the first visit also remembers the workspace in the session
    few = count_queries(lambda: client_as_viewer.get(target))
    add_releases(13, 3)
    client_as_viewer.get(target)  # the plan changed: its conflicts are recomputed once, then cached
    many = count_queries(lambda: client_as_viewer.get(target))

    assert many == few
    assert client_as_viewer.get(target).content.decode().count("rel-table__row") == 15


# --- release page -------------------------------------------------------------


def test_release_page_shows_header_stats_burn_up_milestones_features_and_conflicts(
        client_as_viewer, editor, workspace, product, workflow, release, today):
    done = FeatureFactory(product=product, created_by=editor, title="Tap to pay", release=release, estimate=D(5),
                          status=workflow["Shipped"], assignee=editor)
    FeatureFactory(product=product, created_by=editor, title="<script>alert(1)</script>", release=release,
                   estimate=D(3), status=workflow["In development"])
    late = FeatureFactory(product=product, created_by=editor, title="Receipts", release=release, estimate=D(2),
                          end_date=release.release_date + timedelta(days=9))
    FeatureFactory(product=product, created_by=editor, title="Family sharing", release=release, estimate=D(8),
                   status=workflow["Won't do"])
    services.milestone_create(actor=editor, release=release, name="Code freeze", date=today + timedelta(days=10),
                              description="No new features.")

    response = client_as_viewer.get(url("release_detail", workspace.slug, product.key, release.pk))

    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>Autumn wallet</h1>" in page and "4.1" in page and "Planned" in page
    assert "<strong>fastest</strong>" in page  # theme as Markdown
    assert "33%" in page  # 1 of 3 features done (won't do left out)
    assert "5 of 10 pts" in page  # points done
    assert "10 / 8 pts" in page and "rel-stat--warning" in page  # over capacity
    assert "34 days left" in page
    assert 'class="burnup"' in page and 'role="img"' in page
    assert "Code freeze" in page and "No new features." in page
    for heading in ("Not started", "In progress", "Done", "Won&#x27;t do"):
        assert heading in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    assert f"{product.key}-{done.number}" in page and escape(editor.display_name) in page
    assert "rel-flag" in page and f"{late.key} ends" in page  # conflict flag and the conflicts panel
    assert "rel-conflicts--some" in page
    assert url("release_edit", workspace.slug, product.key, release.pk) not in page  # viewer: read only
    assert f'href="{url("feature_detail", workspace.slug, product.key, done.number)}"' in page


def test_release_page_without_features_or_milestones_says_what_goes_there(client_as_editor, workspace, product,
                                                                          release):
    page = client_as_editor.get(url("release_detail", workspace.slug, product.key, release.pk)).content.decode()

    assert "No features scheduled yet" in page
    assert "No milestones yet" in page
    assert "No conflicts" in page
    assert url("milestone_create", workspace.slug, product.key, release.pk) in page  # the inline form


def test_release_page_queries_do_not_grow_with_features(client_as_viewer, editor, workspace, product, workflow,
                                                        release, today):
    statuses = [workflow["Planned"], workflow["In development"], workflow["Shipped"], workflow["Won't do"]]
    services.milestone_create(actor=editor, release=release, name="Beta", date=today)
    target = url("release_detail", workspace.slug, product.key, release.pk)
    bulk_features(product, release, statuses, 10)
    client_as_viewer.get(target)  # the first visit also remembers the workspace in the session
    few = count_queries(lambda: client_as_viewer.get(target))
    bulk_features(product, release, statuses, 1990, start=11)
    client_as_viewer.get(target)  # the plan changed: its conflicts are recomputed once, then cached
    many = count_queries(lambda: client_as_viewer.get(target))

    assert many == few
    page = client_as_viewer.get(target).content.decode()
    assert page.count("badge--status-") >= 2000


# The hot pages' exact counts: a change that adds a query to them changes this number on purpose.
def test_the_release_page_costs_exactly_its_pinned_queries(client_as_viewer, editor, workspace, product, workflow,
                                                           release, today, django_assert_num_queries):
    statuses = [workflow["Planned"], workflow["In development"], workflow["Shipped"], workflow["Won't do"]]
    services.milestone_create(actor=editor, release=release, name="Beta", date=today)
    target = url("release_detail", workspace.slug, product.key, release.pk)
    bulk_features(product, release, statuses, 10)
    client_as_viewer.get(target)  # the first visit also remembers the workspace in the session
    # 9 and 1 for going to market (the launch settings; this release has no phases or to-dos, which
    # are read only when the release's query says it has some). 10, not 17: the milestones,
    # messaging and notes ride on the release's query, the burn-up's history query reads the
    # status categories by a join, the history names the product in hand without reading it, and
    # the sidebar reads the product's saved views only when the product's query says it has some.
    with django_assert_num_queries(10):
        assert client_as_viewer.get(target).status_code == 200


# --- release create, edit, delete ---------------------------------------------


def test_editor_creates_a_release(client_as_editor, editor, workspace, product):
    response = client_as_editor.post(url("release_create", workspace.slug, product.key), release_data())

    release = Release.objects.get(product=product)
    assert response.status_code == 302
    assert response["Location"] == url("release_detail", workspace.slug, product.key, release.pk)
    assert (release.name, release.version_label, release.capacity) == ("Winter loyalty", "4.2", D(70))
    assert (release.start_date, release.release_date) == (date(2027, 1, 5), date(2027, 3, 26))
    assert release.created_by == editor


@pytest.mark.parametrize("overrides, field, message", [
    ({"release_date": "2027-01-01"}, "release_date", "on or after the start date"),
    ({"capacity": "-5"}, "capacity", "greater than or equal to 0"),
    ({"name": ""}, "name", "This field is required"),
    ({"start_date": "someday"}, "start_date", "Enter a valid date"),
])
def test_bad_release_input_gets_field_errors_and_saves_nothing(client_as_editor, workspace, product, overrides,
                                                               field, message):
    response = client_as_editor.post(url("release_create", workspace.slug, product.key), release_data(**overrides))

    assert response.status_code == 400
    assert message in response.content.decode()
    assert field in response.context["form"].errors
    assert 'value="Winter loyalty"' in response.content.decode() or field == "name"  # input kept
    assert not Release.objects.exists()


def test_editor_edits_a_release(client_as_editor, workspace, product, release):
    form = client_as_editor.get(url("release_edit", workspace.slug, product.key, release.pk))
    assert form.status_code == 200 and 'value="8"' in form.content.decode()  # capacity 8, not 8.0

    response = client_as_editor.post(url("release_edit", workspace.slug, product.key, release.pk), release_data(
        name="Autumn wallet", status="in_progress", capacity="12", version=str(release.version)))

    assert response.status_code == 302
    release.refresh_from_db()
    assert (release.status, release.capacity, release.version) == ("in_progress", D(12), 2)


def test_bad_edit_is_refused_with_field_errors_and_nothing_saved(client_as_editor, workspace, product, release):
    response = client_as_editor.post(url("release_edit", workspace.slug, product.key, release.pk), release_data(
        name="Renamed", start_date="2027-02-01", release_date="2027-01-01", version=str(release.version)))

    assert response.status_code == 400
    assert "release_date" in response.context["form"].errors
    release.refresh_from_db()
    assert release.name == "Autumn wallet" and release.version == 1


def test_stale_release_edit_is_refused_keeping_input_and_naming_who_changed_what(
        client_as_editor, colleague, workspace, product, release):
    opened_at = release.version
    services.release_update(actor=colleague, release=release, version=opened_at, capacity=D(20))
    target = url("release_edit", workspace.slug, product.key, release.pk)

    response = client_as_editor.post(target, release_data(name="My better name", capacity="9",
                                                          version=str(opened_at)))

    assert response.status_code == 409
    page = response.content.decode()
    assert "Ada Colleague changed capacity" in page
    assert 'value="My better name"' in page  # the user's input is kept
    assert "20 pts" in page and "9 pts" in page  # theirs beside yours
    assert 'name="version" value="2"' in page  # re-armed with the current version
    release.refresh_from_db()
    assert (release.name, release.capacity) == ("Autumn wallet", D(20))

    again = client_as_editor.post(target, release_data(name="My better name", capacity="9", version="2"))

    assert again.status_code == 302
    release.refresh_from_db()
    assert (release.name, release.capacity, release.version) == ("My better name", D(9), 3)


def test_editor_deletes_a_release_after_confirming_and_its_features_stay(client_as_editor, editor, workspace,
                                                                         product, release, today):
    feature = FeatureFactory(product=product, created_by=editor, release=release, title="Saved carts")
    services.milestone_create(actor=editor, release=release, name="Beta", date=today)
    target = url("release_delete", workspace.slug, product.key, release.pk)

    confirm = client_as_editor.get(target)
    assert confirm.status_code == 200
    assert "1 feature stays in the backlog" in " ".join(confirm.content.decode().split())

    response = client_as_editor.post(target)

    assert response.status_code == 302 and response["Location"] == url("release_list", workspace.slug, product.key)
    assert not Release.objects.filter(pk=release.pk).exists()
    assert not Milestone.objects.exists()
    feature.refresh_from_db()
    assert feature.release is None


# --- milestones ---------------------------------------------------------------


def test_editor_adds_edits_and_deletes_a_milestone(client_as_editor, workspace, product, release):
    add = client_as_editor.post(url("milestone_create", workspace.slug, product.key, release.pk),
                                {"name": "Beta", "date": "2026-11-13", "description": "Open beta."})
    milestone = Milestone.objects.get(release=release)
    assert add.status_code == 302 and add["Location"].endswith("#milestones")
    assert (milestone.name, milestone.date, milestone.description) == ("Beta", date(2026, 11, 13), "Open beta.")

    edit_url = url("milestone_edit", workspace.slug, product.key, release.pk, milestone.pk)
    assert 'value="Beta"' in client_as_editor.get(edit_url).content.decode()
    client_as_editor.post(edit_url, {"name": "Public beta", "date": "2026-11-20", "description": ""})
    milestone.refresh_from_db()
    assert (milestone.name, milestone.date) == ("Public beta", date(2026, 11, 20))

    delete_url = url("milestone_delete", workspace.slug, product.key, release.pk, milestone.pk)
    assert "Public beta" in client_as_editor.get(delete_url).content.decode()
    assert Milestone.objects.filter(pk=milestone.pk).exists()  # asking is not deleting
    client_as_editor.post(delete_url)
    assert not Milestone.objects.filter(pk=milestone.pk).exists()


def test_milestone_form_page_and_bad_milestone_input(client_as_editor, workspace, product, release):
    target = url("milestone_create", workspace.slug, product.key, release.pk)
    assert client_as_editor.get(target).status_code == 200

    response = client_as_editor.post(target, {"name": "Beta", "date": "", "description": ""})

    assert response.status_code == 400
    assert "date" in response.context["form"].errors and 'value="Beta"' in response.content.decode()
    assert not Milestone.objects.exists()


def test_milestone_of_another_release_is_not_found(client_as_editor, editor, workspace, product, release, today):
    other = ReleaseFactory(product=product, created_by=editor, name="Other")
    milestone = services.milestone_create(actor=editor, release=other, name="Beta", date=today)

    response = client_as_editor.get(url("milestone_edit", workspace.slug, product.key, release.pk, milestone.pk))

    assert response.status_code == 404


# --- roles and workspaces -----------------------------------------------------


def _release_write_urls(workspace, product, release, milestone):
    key = (workspace.slug, product.key)
    return [
        (url("release_create", *key), release_data()),
        (url("release_edit", *key, release.pk), release_data(version="1")),
        (url("release_delete", *key, release.pk), {}),
        (url("milestone_create", *key, release.pk), {"name": "Beta", "date": "2026-12-01"}),
        (url("milestone_edit", *key, release.pk, milestone.pk), {"name": "Renamed", "date": "2026-12-01"}),
        (url("milestone_delete", *key, release.pk, milestone.pk), {}),
    ]


def test_viewer_cannot_change_releases_or_milestones(client_as_viewer, editor, workspace, product, release, today):
    milestone = services.milestone_create(actor=editor, release=release, name="Beta", date=today)

    for target, data in _release_write_urls(workspace, product, release, milestone):
        assert client_as_viewer.get(target).status_code == 403, target
        assert client_as_viewer.post(target, data).status_code == 403, target

    assert list(Release.objects.values_list("name", "version")) == [("Autumn wallet", 1)]
    assert list(Milestone.objects.values_list("name", flat=True)) == ["Beta"]


def test_release_pages_of_another_workspace_are_not_found(client_as_editor, other_workspace, other_product,
                                                          workspace, product, release, today):
    boss = other_workspace.memberships.get().user
    theirs = ReleaseFactory(product=other_product, created_by=boss, name="Secret")
    milestone = services.milestone_create(actor=boss, release=theirs, name="Launch", date=today)
    key = (other_workspace.slug, other_product.key)

    for target in [url("release_list", *key), url("release_detail", *key, theirs.pk),
                   url("release_edit", *key, theirs.pk), url("release_delete", *key, theirs.pk),
                   url("milestone_edit", *key, theirs.pk, milestone.pk), url("workflow", other_workspace.slug)]:
        assert client_as_editor.get(target).status_code == 404, target
    # their release under our own workspace and product is not found either
    assert client_as_editor.get(url("release_detail", workspace.slug, product.key, theirs.pk)).status_code == 404
    assert client_as_editor.post(url("release_delete", workspace.slug, product.key, theirs.pk)).status_code == 404
    assert Release.objects.filter(pk=theirs.pk).exists()


def test_release_of_another_product_is_not_found_under_this_one(client_as_viewer, workspace, release):
    ProductFactory(workspace=workspace, name="Storefront", key="SHOP")

    response = client_as_viewer.get(url("release_detail", workspace.slug, "SHOP", release.pk))

    assert response.status_code == 404


# --- workflow -----------------------------------------------------------------


def test_workflow_page_shows_statuses_in_order_with_feature_counts_read_only_for_viewers(
        client_as_viewer, editor, workspace, product, workflow):
    FeatureFactory(product=product, created_by=editor, status=workflow["In review"], title="Saved carts")
    FeatureFactory(product=product, created_by=editor, title="Second", status=workflow["In review"])

    response = client_as_viewer.get(url("workflow", workspace.slug))

    assert response.status_code == 200
    page = response.content.decode()
    names = ["Idea", "Backlog", "Planned", "In design", "In development", "In review", "Shipped", "Won&#x27;t do"]
    positions = [page.index(f">{name}<") for name in names]
    assert positions == sorted(positions)
    counts = {s.name: s.feature_count for s in response.context["active"]}
    assert counts["In review"] == 2 and counts["Idea"] == 0
    assert "Only workspace admins change the workflow" in page
    assert 'name="name"' not in page and url("workflow_status_create", workspace.slug) not in page


def test_admin_sees_the_workflow_as_forms(client_as_admin, workspace, workflow):
    page = client_as_admin.get(url("workflow", workspace.slug)).content.decode()

    assert url("workflow_status_create", workspace.slug) in page
    assert url("workflow_status_move", workspace.slug, workflow["Backlog"].pk) in page
    assert url("workflow_status_retire", workspace.slug, workflow["Backlog"].pk) in page
    assert f'form="status-{workflow["Backlog"].pk}-form"' in page


def test_admin_adds_a_status_at_the_end(client_as_admin, workspace, workflow):
    response = client_as_admin.post(url("workflow_status_create", workspace.slug),
                                    {"name": "In QA", "category": "in_progress"})

    assert response.status_code == 302
    added = WorkflowStatus.objects.get(workspace=workspace, name="In QA")
    assert added.category == "in_progress"
    assert added.position > max(s.position for s in workflow.values())


def test_adding_a_duplicate_or_nameless_status_is_refused(client_as_admin, workspace, workflow):
    duplicate = client_as_admin.post(url("workflow_status_create", workspace.slug),
                                     {"name": "shipped", "category": "done"})
    nameless = client_as_admin.post(url("workflow_status_create", workspace.slug), {"name": "", "category": "done"})

    assert duplicate.status_code == 400 and "already has a status called" in duplicate.content.decode()
    assert nameless.status_code == 400
    assert WorkflowStatus.objects.filter(workspace=workspace).count() == 8


def test_admin_renames_a_status_and_changes_its_category(client_as_admin, workspace, workflow):
    status = workflow["In review"]
    assert client_as_admin.get(url("workflow_status_edit", workspace.slug, status.pk)).status_code == 200

    response = client_as_admin.post(url("workflow_status_edit", workspace.slug, status.pk),
                                    {"name": "Code review", "category": "not_started"})

    assert response.status_code == 302
    status.refresh_from_db()
    assert (status.name, status.category) == ("Code review", "not_started")


def test_renaming_a_status_to_a_taken_name_keeps_the_input(client_as_admin, workspace, workflow):
    status = workflow["In review"]

    response = client_as_admin.post(url("workflow_status_edit", workspace.slug, status.pk),
                                    {"name": "Backlog", "category": "in_progress"})

    assert response.status_code == 400 and "already has a status called" in response.content.decode()
    status.refresh_from_db()
    assert status.name == "In review"


def _order(workspace) -> list[str]:
    return list(WorkflowStatus.objects.filter(workspace=workspace, retired_at__isnull=True)
                .order_by("position", "id").values_list("name", flat=True))


def test_admin_moves_statuses_up_and_down_and_to_a_position(client_as_admin, workspace, workflow):
    move = lambda name, **data: client_as_admin.post(  # noqa: E731
        url("workflow_status_move", workspace.slug, workflow[name].pk), data)

    assert move("In review", direction="up").status_code == 302
    assert _order(workspace)[3:6] == ["In design", "In review", "In development"]
    move("Idea", direction="down")
    assert _order(workspace)[:2] == ["Backlog", "Idea"]
    move("Backlog", direction="up")  # already first: nothing moves
    assert _order(workspace)[:2] == ["Backlog", "Idea"]
    move("Won't do", position="1")
    assert _order(workspace)[0] == "Won't do"


def test_moving_skips_over_retired_statuses(client_as_admin, admin, workspace, workflow):
    services.workflow_status_retire(actor=admin, status=workflow["In design"])

    client_as_admin.post(url("workflow_status_move", workspace.slug, workflow["In development"].pk),
                         {"direction": "up"})

    assert _order(workspace)[:4] == ["Idea", "Backlog", "In development", "Planned"]


def test_moving_with_htmx_answers_the_status_table(client_as_admin, workspace, workflow):
    response = client_as_admin.post(url("workflow_status_move", workspace.slug, workflow["Shipped"].pk),
                                    {"direction": "up"}, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    page = response.content.decode()
    assert page.lstrip().startswith('<section class="card"') and "<html" not in page
    assert _order(workspace)[5:7] == ["Shipped", "In review"]


def test_admin_retires_a_status_keeping_its_features(client_as_admin, editor, workspace, product, workflow):
    status = workflow["In design"]
    features = [FeatureFactory(product=product, created_by=editor, title=f"F{i}", status=status) for i in range(3)]
    target = url("workflow_status_retire", workspace.slug, status.pk)

    confirm = client_as_admin.get(target)
    assert confirm.status_code == 200 and "3 features" in confirm.content.decode()

    response = client_as_admin.post(target, {"move_to": ""})

    assert response.status_code == 302
    status.refresh_from_db()
    assert status.retired_at is not None
    assert Feature.objects.filter(pk__in=[f.pk for f in features], status=status).count() == 3
    page = client_as_admin.get(url("workflow", workspace.slug)).content.decode()
    retired = page[page.index('id="retired-title"'):]
    assert "In design" in retired and ">3<" in retired  # listed separately, with its remaining features


def test_admin_retires_a_status_moving_its_features_without_losing_any(client_as_admin, editor, workspace, product,
                                                                       workflow):
    status, target_status = workflow["In design"], workflow["In development"]
    for i in range(3):
        FeatureFactory(product=product, created_by=editor, title=f"F{i}", status=status)
    FeatureFactory(product=product, created_by=editor, title="Already there", status=target_status)
    before = Feature.objects.count()

    response = client_as_admin.post(url("workflow_status_retire", workspace.slug, status.pk),
                                    {"move_to": str(target_status.pk)})

    assert response.status_code == 302
    assert Feature.objects.count() == before
    assert not Feature.objects.filter(status=status).exists()
    assert Feature.objects.filter(status=target_status).count() == 4


def test_retiring_cannot_move_features_to_a_retired_status(client_as_admin, admin, editor, workspace, product,
                                                           workflow):
    services.workflow_status_retire(actor=admin, status=workflow["Idea"])
    feature = FeatureFactory(product=product, created_by=editor, status=workflow["Backlog"], title="Saved carts")

    response = client_as_admin.post(url("workflow_status_retire", workspace.slug, workflow["Backlog"].pk),
                                    {"move_to": str(workflow["Idea"].pk)})

    assert response.status_code == 400
    workflow["Backlog"].refresh_from_db()
    assert workflow["Backlog"].retired_at is None
    feature.refresh_from_db()
    assert feature.status == workflow["Backlog"]


@pytest.mark.parametrize("client_fixture", ["client_as_viewer", "client_as_editor"])
def test_non_admins_cannot_change_the_workflow(request, client_fixture, workspace, workflow):
    client = request.getfixturevalue(client_fixture)
    status = workflow["In review"]
    attempts = [
        (url("workflow_status_create", workspace.slug), {"name": "In QA", "category": "in_progress"}),
        (url("workflow_status_edit", workspace.slug, status.pk), {"name": "Renamed", "category": "done"}),
        (url("workflow_status_move", workspace.slug, status.pk), {"direction": "up"}),
        (url("workflow_status_retire", workspace.slug, status.pk), {"move_to": ""}),
    ]

    for target, data in attempts:
        assert client.post(target, data).status_code == 403, target
    assert client.get(url("workflow_status_retire", workspace.slug, status.pk)).status_code == 403

    status.refresh_from_db()
    assert (status.name, status.category, status.retired_at) == ("In review", "in_progress", None)
    assert _order(workspace)[5] == "In review"
    assert WorkflowStatus.objects.filter(workspace=workspace).count() == 8


def test_workflow_page_queries_do_not_grow_with_statuses(client_as_admin, admin, workspace, workflow):
    target = url("workflow", workspace.slug)
    client_as_admin.get(target)  # the first visit also remembers the workspace in the session
    few = count_queries(lambda: client_as_admin.get(target))
    for i in range(6):
        status = services.workflow_status_create(actor=admin, workspace=workspace, name=f"Extra {i}",
                                                 category="in_progress")
        if i % 2:
            services.workflow_status_retire(actor=admin, status=status)

    assert count_queries(lambda: client_as_admin.get(target)) == few
