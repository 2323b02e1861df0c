"""The feature pages: the feature page with its checklist, dependencies and comments, the
create/edit form (bad input, stale edits), delete, permissions and query counts."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from releases import services
from releases.models import Comment, Dependency, Feature, Requirement
from strategy import services as strategy_services
from strategy.models import Role
from tests.conftest import count_queries
from tests.factories import FeatureFactory, MembershipFactory, ProductFactory, UserFactory

pytestmark = pytest.mark.django_db

WS = "acme"


def url(name, *args):
    return reverse(f"releases:{name}", args=[WS, "MOB", *args])


@pytest.fixture
def release(product, admin, workflow):
    return services.release_create(actor=admin, product=product, name="Spring", version_label="4.2",
                                   start_date=date(2030, 3, 1), release_date=date(2030, 4, 30))


@pytest.fixture
def initiative(product, admin):
    return strategy_services.initiative_create(actor=admin, product=product, name="Saved carts everywhere",
                                               colour="#a855f7")


@pytest.fixture
def goal(workspace, admin):
    return strategy_services.goal_create(actor=admin, workspace=workspace, name="Shoppers come back weekly",
                                         start_date=date(2030, 1, 1), end_date=date(2030, 12, 31))


@pytest.fixture
def feature(admin, product, workflow, release, initiative, goal):
    return FeatureFactory(product=product, created_by=admin, status=workflow["In development"], release=release,
                          initiative=initiative, goals=[goal], estimate=Decimal(8), assignee=admin,
                          tags=["ios", "sync"], reach=1000, impact=Decimal(2), confidence=80, effort=Decimal(4),
                          description="Carts follow the shopper **everywhere**.", title="Sync saved carts")


def form_data(workflow, **overrides):
    data = {"title": "Offline mode", "description": "", "status": workflow["Backlog"].pk, "release": "",
            "initiative": "", "estimate": "", "start_date": "", "end_date": "", "assignee": "", "tags": "",
            "reach": "", "impact": "", "confidence": "", "effort": ""}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def edit_data(feature, **overrides):
    data = {
        "title": feature.title, "description": feature.description, "status": feature.status_id,
        "release": feature.release_id or "", "initiative": feature.initiative_id or "",
        "goals": [g.pk for g in feature.goals.all()], "estimate": feature.estimate or "",
        "start_date": feature.start_date or "", "end_date": feature.end_date or "",
        "assignee": feature.assignee_id or "", "tags": ", ".join(feature.tags), "reach": feature.reach or "",
        "impact": "" if feature.impact is None else format(feature.impact.normalize(), "f"),
        "confidence": "" if feature.confidence is None else feature.confidence,
        "effort": feature.effort or "", "version": feature.version,
    }
    data.update(overrides)
    return data


# --- the feature page -------------------------------------------------------------


def test_feature_page_shows_every_section_to_a_viewer(client_as_viewer, feature, admin, workflow, product):
    other = FeatureFactory(product=product, title="Passwordless sign-in", created_by=admin, status=workflow["Shipped"])
    services.dependency_add(actor=admin, feature=feature, depends_on=other)
    services.requirement_create(actor=admin, feature=feature, text="Merge rules for quantities")
    services.comment_create(actor=admin, feature=feature, body="First thoughts")

    response = client_as_viewer.get(url("feature_detail", feature.number))

    assert response.status_code == 200
    html = response.content.decode()
    assert "MOB-1" in html and "Sync saved carts" in html
    assert "badge--status-doing" in html and "In development" in html
    assert "Spring 4.2" in html
    assert "<strong>everywhere</strong>" in html  # Markdown rendered
    assert "Saved carts everywhere" in html and "--chip: #a855f7" in html
    assert reverse("strategy:goal_detail", args=[WS, feature.goals.get().pk]) in html
    assert "RICE score" in html and "400" in html  # 1000 × 2 × 80 % ÷ 4
    assert "Reach × Impact × Confidence ÷ Effort" in html
    assert "from release" in html  # dates inherited from the release
    assert "#ios" not in html and ">ios<" in html
    assert "0 of 1 done" in html and "Merge rules for quantities" in html
    assert "Depends on" in html and "MOB-2" in html and "Blocks" in html
    assert "First thoughts" in html
    assert 'id="history-title"' in html
    # A viewer reads, comments, and changes nothing.
    assert url("feature_edit", feature.number) not in html
    assert url("requirement_create", feature.number) not in html
    assert url("dependency_add", feature.number) not in html
    assert url("comment_create", feature.number) in html
    assert "Mention people with @ and their email name, e.g. @priya" in html


def test_feature_page_shows_its_conflicts_in_the_warning_colour(client_as_viewer, admin, product, workflow, release):
    late = FeatureFactory(product=product, title="Late", created_by=admin, status=workflow["Planned"], release=release,
                          end_date=release.release_date + timedelta(days=5))

    html = client_as_viewer.get(url("feature_detail", late.number)).content.decode()

    assert "alert--warning" in html
    assert "MOB-1 ends" in html and "after Spring" in html


def test_feature_page_of_another_workspace_is_not_found(client_as_viewer, other_product, other_workspace):
    boss = other_workspace.memberships.get().user
    services.workflow_defaults_create(workspace=other_workspace)
    secret = FeatureFactory(product=other_product, title="Secret", created_by=boss)

    response = client_as_viewer.get(reverse("releases:feature_detail", args=["globex", "SEC", secret.number]))

    assert response.status_code == 404
    assert client_as_viewer.get(reverse("releases:feature_detail", args=[WS, "SEC", secret.number])).status_code == 404


# --- create, edit, delete -----------------------------------------------------------


def test_editor_creates_features_with_the_next_keys(client_as_editor, product, workflow, release, goal):
    response = client_as_editor.get(url("feature_create"))
    assert response.status_code == 200
    assert 'name="status"' in response.content.decode()

    response = client_as_editor.post(url("feature_create"), form_data(
        workflow, title="Offline mode", release=release.pk, goals=[goal.pk], tags="iOS, offline , ios",
        estimate="5", reach="2000", impact="1", confidence="50", effort="2"))

    first = Feature.objects.get(product=product, number=1)
    assert response.status_code == 302 and response.url == url("feature_detail", 1)
    assert first.key == "MOB-1" and first.release == release and list(first.goals.all()) == [goal]
    assert first.tags == ["ios", "offline"]
    assert first.rice_score == Decimal("500.0")

    client_as_editor.post(url("feature_create"), form_data(workflow, title="Dark mode"))
    assert Feature.objects.get(product=product, number=2).key == "MOB-2"


def test_editor_edits_a_feature_and_sees_the_new_score(client_as_editor, feature, workflow):
    response = client_as_editor.get(url("feature_edit", feature.number))
    assert response.status_code == 200
    assert f'name="version" value="{feature.version}"' in response.content.decode()

    response = client_as_editor.post(url("feature_edit", feature.number), edit_data(
        feature, title="Sync carts", status=workflow["In review"].pk, reach="2000"), follow=True)

    feature.refresh_from_db()
    assert feature.title == "Sync carts" and feature.status == workflow["In review"]
    assert feature.rice_score == Decimal("800.0")
    assert "RICE score 800" in response.content.decode()


@pytest.mark.parametrize("field, value", [
    ("estimate", "-1"),
    ("confidence", "150"),
    ("end_date", "2030-01-01"),
])
def test_bad_input_comes_back_with_field_errors_and_saves_nothing(client_as_editor, feature, field, value):
    data = edit_data(feature, title="Changed", start_date="2030-02-01", **{field: value})

    response = client_as_editor.post(url("feature_edit", feature.number), data)

    assert response.status_code == 400
    assert response.context["form"].errors[field]
    feature.refresh_from_db()
    assert feature.title == "Sync saved carts"


def test_a_release_of_another_product_is_refused(client_as_editor, feature, admin, workspace, workflow):

    web = ProductFactory(workspace=workspace, key="WEB", name="Web")
    web_release = services.release_create(actor=admin, product=web, name="Web 1", start_date=date(2030, 1, 1),
                                          release_date=date(2030, 2, 1))

    response = client_as_editor.post(url("feature_edit", feature.number), edit_data(feature, release=web_release.pk))

    assert response.status_code == 400
    assert response.context["form"].errors["release"]
    feature.refresh_from_db()
    assert feature.release.product_id == feature.product_id


def test_bad_input_on_create_saves_nothing(client_as_editor, product, workflow):
    response = client_as_editor.post(url("feature_create"), form_data(workflow, title="", estimate="-3"))

    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"title", "estimate"}
    assert not Feature.objects.filter(product=product).exists()


def test_stale_edit_is_refused_naming_who_changed_what_and_keeps_the_input(client, feature, workspace, workflow):
    first = MembershipFactory(workspace=workspace, role=Role.EDITOR,
                              user=UserFactory(email="priya@acme.test", full_name="Priya Raman")).user
    second = MembershipFactory(workspace=workspace, role=Role.EDITOR,
                               user=UserFactory(email="mateo@acme.test", full_name="Mateo Alvarez")).user
    opened = edit_data(feature)  # both open the form at the same version

    client.force_login(first)
    assert client.post(url("feature_edit", feature.number), {**opened, "title": "Priya's title"}).status_code == 302

    client.force_login(second)
    response = client.post(url("feature_edit", feature.number), {**opened, "estimate": "21", "title": "Mateo's title"})

    html = response.content.decode()
    assert response.status_code == 409
    assert "Priya Raman" in html and "title" in html
    assert "Mateo&#x27;s title" in html  # the input is kept
    assert [c["name"] for c in response.context["theirs"]] == ["title", "estimate"]
    feature.refresh_from_db()
    assert feature.title == "Priya's title" and feature.estimate == Decimal(8)
    assert f'name="version" value="{feature.version}"' in html  # re-armed

    rearmed = {**opened, "estimate": "21", "title": "Mateo's title", "version": feature.version}
    assert client.post(url("feature_edit", feature.number), rearmed).status_code == 302
    feature.refresh_from_db()
    assert feature.title == "Mateo's title" and feature.estimate == Decimal(21)


def test_editor_deletes_a_feature_after_confirming(client_as_editor, feature):
    response = client_as_editor.get(url("feature_delete", feature.number))
    assert response.status_code == 200 and "Delete MOB-1" in response.content.decode()
    assert Feature.objects.filter(pk=feature.pk).exists()

    response = client_as_editor.post(url("feature_delete", feature.number))

    assert response.status_code == 302
    assert not Feature.objects.filter(pk=feature.pk).exists()


# --- requirements -------------------------------------------------------------------


def test_requirement_toggle_with_htmx_swaps_the_item_and_refreshes_progress(client_as_editor, feature, admin):
    requirement = services.requirement_create(actor=admin, feature=feature, text="Merge rules")

    response = client_as_editor.post(url("requirement_toggle", feature.number, requirement.pk), {"done": "1"},
                                     HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith(f'<li class="feature-req feature-req--done" id="requirement-{requirement.pk}"')
    assert "<html" not in html
    assert "requirements-changed" in response["HX-Trigger"]
    requirement.refresh_from_db()
    assert requirement.done

    progress = client_as_editor.get(url("feature_detail", feature.number) + "?part=requirements-progress",
                                    HTTP_HX_REQUEST="true")
    assert "1 of 1 done" in progress.content.decode() and "<html" not in progress.content.decode()


def test_requirement_toggle_without_javascript_redirects_back(client_as_editor, feature, admin):
    requirement = services.requirement_create(actor=admin, feature=feature, text="Merge rules")
    services.requirement_update(actor=admin, requirement=requirement, done=True)

    response = client_as_editor.post(url("requirement_toggle", feature.number, requirement.pk), {"done": "0"})

    assert response.status_code == 302
    assert response.url == url("feature_detail", feature.number) + f"#requirement-{requirement.pk}"
    requirement.refresh_from_db()
    assert not requirement.done


def test_requirements_are_added_and_deleted(client_as_editor, feature):
    response = client_as_editor.post(url("requirement_create", feature.number), {"text": "Offline queue"},
                                     HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "Offline queue" in response.content.decode()
    requirement = Requirement.objects.get(feature=feature)

    empty = client_as_editor.post(url("requirement_create", feature.number), {"text": "  "})
    assert empty.status_code == 400 and "Write the requirement." in empty.content.decode()

    response = client_as_editor.post(url("requirement_delete", feature.number, requirement.pk))
    assert response.status_code == 302
    assert not Requirement.objects.filter(feature=feature).exists()


# --- dependencies -------------------------------------------------------------------


def test_dependency_is_added_by_key(client_as_editor, feature, admin, product, workflow):
    other = FeatureFactory(product=product, title="Passwordless sign-in", created_by=admin)

    response = client_as_editor.post(url("dependency_add", feature.number), {"depends_on": "mob-2"})

    assert response.status_code == 302
    assert Dependency.objects.filter(feature=feature, depends_on=other).exists()
    suggestions = client_as_editor.get(url("feature_detail", feature.number) + "?part=feature-keys",
                                       HTTP_HX_REQUEST="true").content.decode()
    assert '<option value="MOB-2">' not in suggestions  # already a prerequisite, no longer offered
    blocked = client_as_editor.get(url("feature_detail", other.number)).content.decode()
    assert "Blocks" in blocked and "Sync saved carts" in blocked


def test_prerequisite_suggestions_load_when_asked_and_only_for_editors(client, client_as_editor, feature, admin,
                                                                       product, viewer):
    other = FeatureFactory(product=product, title="Passwordless <sign-in>", created_by=admin)
    page = client_as_editor.get(url("feature_detail", feature.number)).content.decode()
    suggestions = url("feature_detail", feature.number) + "?part=feature-keys"
    assert f'hx-get="{suggestions}"' in page and "Passwordless" not in page  # not with every page

    options = client_as_editor.get(suggestions, HTTP_HX_REQUEST="true").content.decode()
    assert f'<option value="MOB-{other.number}">Passwordless &lt;sign-in&gt;</option>' in options
    assert f'value="MOB-{feature.number}"' not in options  # not itself

    client.force_login(viewer)
    assert client.get(suggestions, HTTP_HX_REQUEST="true").status_code == 403


def test_dependency_cycle_is_refused_with_the_cycle_named(client_as_editor, feature, admin, product):
    other = FeatureFactory(product=product, title="Passwordless sign-in", created_by=admin)
    services.dependency_add(actor=admin, feature=other, depends_on=feature)

    response = client_as_editor.post(url("dependency_add", feature.number), {"depends_on": "MOB-2"})

    assert response.status_code == 400
    assert response.context["dependency_form"].errors["depends_on"] == [
        "That would make a cycle: MOB-1 → MOB-2 → MOB-1."]
    assert "That would make a cycle: MOB-1 → MOB-2 → MOB-1." in response.content.decode()
    assert not Dependency.objects.filter(feature=feature).exists()

    htmx = client_as_editor.post(url("dependency_add", feature.number), {"depends_on": "MOB-2"},
                                 HTTP_HX_REQUEST="true")
    assert htmx.status_code == 200 and "That would make a cycle" in htmx.content.decode()
    assert "<html" not in htmx.content.decode()


def test_dependency_on_a_feature_of_another_workspace_is_refused(client_as_editor, feature, other_workspace,
                                                                  other_product):
    boss = other_workspace.memberships.get().user
    services.workflow_defaults_create(workspace=other_workspace)
    FeatureFactory(product=other_product, title="Secret", created_by=boss)

    response = client_as_editor.post(url("dependency_add", feature.number), {"depends_on": "SEC-1"})

    assert response.status_code == 400
    assert "There is no feature SEC-1 in this workspace." in response.content.decode()
    assert not Dependency.objects.exists()


def test_dependency_is_removed(client_as_editor, feature, admin, product):
    other = FeatureFactory(product=product, title="Passwordless sign-in", created_by=admin)
    dependency = services.dependency_add(actor=admin, feature=feature, depends_on=other)

    response = client_as_editor.post(url("dependency_remove", feature.number, dependency.pk), HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert "dependencies-changed" in response["HX-Trigger"]
    assert not Dependency.objects.exists()


# --- comments -----------------------------------------------------------------------


def test_viewer_comments_and_a_mention_emails_the_member_with_a_link(client_as_viewer, feature, workspace,
                                                                     django_capture_on_commit_callbacks):
    priya = MembershipFactory(workspace=workspace, role=Role.EDITOR,
                              user=UserFactory(email="priya@acme.test", full_name="Priya Raman")).user

    with django_capture_on_commit_callbacks(execute=True):
        response = client_as_viewer.post(url("comment_create", feature.number),
                                         {"body": "Does this cover guests? @priya"})

    comment = Comment.objects.get(feature=feature)
    assert response.status_code == 302 and response.url.endswith(f"#comment-{comment.pk}")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [priya.email]
    assert "http://testserver" + url("feature_detail", feature.number) in mail.outbox[0].body
    page = client_as_viewer.get(url("feature_detail", feature.number)).content.decode()
    assert '<span class="mention" title="Priya Raman">@priya</span>' in page


def test_mentioning_a_non_member_sends_nothing(client_as_viewer, feature, other_workspace,
                                              django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_as_viewer.post(url("comment_create", feature.number),
                                         {"body": "Ask @boss about it"}, HTTP_HX_REQUEST="true")

    assert response.status_code == 200 and "Ask" in response.content.decode()
    assert Comment.objects.filter(feature=feature).count() == 1
    # No mention and no email (the feature's owner hears of the comment in their inbox only).
    assert mail.outbox == [] and not Comment.objects.get(feature=feature).mentions.exists()
    assert 'class="mention"' not in response.content.decode()


def test_empty_comment_is_refused(client_as_viewer, feature):
    response = client_as_viewer.post(url("comment_create", feature.number), {"body": " "})

    assert response.status_code == 400 and "Write a comment." in response.content.decode()
    assert not Comment.objects.exists()


# --- permissions ------------------------------------------------------------------------


def test_viewer_cannot_change_anything(client_as_viewer, feature, admin, product, workflow):
    requirement = services.requirement_create(actor=admin, feature=feature, text="Merge rules")
    other = FeatureFactory(product=product, title="Passwordless sign-in", created_by=admin)
    dependency = services.dependency_add(actor=admin, feature=feature, depends_on=other)
    n = feature.number
    posts = [
        (url("feature_create"), form_data(workflow, title="Nope")),
        (url("feature_edit", n), edit_data(feature, title="Nope")),
        (url("feature_delete", n), {}),
        (url("requirement_create", n), {"text": "Nope"}),
        (url("requirement_toggle", n, requirement.pk), {"done": "1"}),
        (url("requirement_delete", n, requirement.pk), {}),
        (url("dependency_add", n), {"depends_on": "MOB-2"}),
        (url("dependency_remove", n, dependency.pk), {}),
    ]
    for target, data in posts:
        assert client_as_viewer.post(target, data).status_code == 403, target
    for target in (url("feature_create"), url("feature_edit", n), url("feature_delete", n)):
        assert client_as_viewer.get(target).status_code == 403, target

    feature.refresh_from_db()
    requirement.refresh_from_db()
    assert feature.title == "Sync saved carts" and not requirement.done
    assert Feature.objects.count() == 2 and Requirement.objects.count() == 1 and Dependency.objects.count() == 1


def test_other_workspace_member_gets_not_found(client, feature, other_workspace):
    client.force_login(other_workspace.memberships.get().user)
    n = feature.number
    for target in (url("feature_detail", n), url("feature_edit", n), url("feature_delete", n)):
        assert client.get(target).status_code == 404, target
    for target in (url("comment_create", n), url("dependency_add", n), url("requirement_create", n)):
        assert client.post(target, {"body": "x", "depends_on": "MOB-1", "text": "x"}).status_code == 404, target
    assert not Comment.objects.exists()


# --- query counts -------------------------------------------------------------------------


def _grow(feature, admin, product, workflow, n):
    """Give `feature` n requirements, prerequisites, dependents, comments and history versions."""
    for i in range(n):
        services.requirement_create(actor=admin, feature=feature, text=f"Requirement {i}")
        prerequisite = FeatureFactory(product=product, title=f"Prerequisite {i}", created_by=admin,
                                      status=workflow["Planned"])
        services.dependency_add(actor=admin, feature=feature, depends_on=prerequisite)
        dependent = FeatureFactory(product=product, title=f"Dependent {i}", created_by=admin,
                                   status=workflow["Backlog"])
        services.dependency_add(actor=admin, feature=dependent, depends_on=feature)
        services.comment_create(actor=admin, feature=feature, body=f"Comment {i} for @viewer")
        services.feature_update(actor=admin, feature=feature, estimate=Decimal(10 + i))


def test_feature_page_queries_do_not_grow_with_its_contents(client_as_viewer, feature, admin, product, workflow):
    page = url("feature_detail", feature.number)
    client_as_viewer.get(page)  # the first visit also remembers the workspace in the session
    _grow(feature, admin, product, workflow, 2)
    few = count_queries(lambda: client_as_viewer.get(page))

    _grow(feature, admin, product, workflow, 18)
    many = count_queries(lambda: client_as_viewer.get(page))

    assert many == few
    html = client_as_viewer.get(page).content.decode()
    assert "0 of 20 done" in html and "Comment 17" in html and html.count('class="feature-comment"') == 20


def test_feature_page_queries_for_an_editor_do_not_grow_either(client_as_editor, feature, admin, product, workflow):
    page = url("feature_detail", feature.number)
    client_as_editor.get(page)
    _grow(feature, admin, product, workflow, 2)
    few = count_queries(lambda: client_as_editor.get(page))

    _grow(feature, admin, product, workflow, 18)

    assert count_queries(lambda: client_as_editor.get(page)) == few
