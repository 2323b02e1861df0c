"""Going to market as members meet it in pages: the release page's phases, checklist and
readiness; applying a template; ticking to-dos; messaging; release notes; the launch
settings; My work, and their query counts at two sizes."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from releases import services
from releases.models import LaunchTodo, ReleaseMessaging, ReleaseNote, ReleasePhase

from ..conftest import count_queries
from ..factories import (
    FeatureFactory,
    MembershipFactory,
    PersonaFactory,
    ProductFactory,
    ReleaseFactory,
    UserFactory,
    WorkflowStatusFactory,
)

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"releases:{name}", args=args)


@pytest.fixture
def phase_types(workspace):
    return {t.name: t for t in services.phase_types_defaults_create(workspace=workspace)}


@pytest.fixture
def release(product):
    return ReleaseFactory(product=product, name="Spring")


@pytest.fixture
def template(editor, workspace):
    return services.template_create(actor=editor, workspace=workspace, name="Standard launch", items=[
        {"title": "Brief sales", "team": "Sales", "offset_days": -14},
        {"title": "Publish docs", "team": "Docs", "offset_days": 0},
    ])


def page(client, release, workspace, product):
    return client.get(url("release_detail", workspace.slug, product.key, release.pk))


def test_the_release_page_shows_phases_checklist_and_readiness(client_as_viewer, editor, viewer, workspace, product,
                                                                release, phase_types, today):
    services.release_phase_create(actor=editor, release=release, phase_type=phase_types["Beta"],
                                  start_date=release.release_date - timedelta(days=10),
                                  end_date=release.release_date + timedelta(days=3))
    services.todo_create(actor=editor, release=release, title="Brief sales", team="Sales", assignee=viewer,
                         due_date=today - timedelta(days=1))
    services.todo_create(actor=editor, release=release, title="Docs", team="Docs", offset_days=-5)
    html = page(client_as_viewer, release, workspace, product).content.decode()
    assert "gtm-band__phase--late" in html and "Beta" in html
    assert "ends after the release date" in html
    assert "The Beta phase of Spring ends" in html  # the conflict card
    assert "1 overdue" in html and "Overdue ·" in html
    assert "5 days before launch" in html
    assert "Launch readiness" in html and "Behind" in html
    # A viewer ticks only their own to-do, and has no add form.
    assert html.count('class="gtm-check"') + html.count('class="gtm-check gtm-check--done"') == 1
    assert "Add a to-do" not in html


def test_an_editor_adds_a_relative_to_do_from_the_release_page(client_as_editor, workspace, product, release):
    response = client_as_editor.post(url("todo_create", workspace.slug, product.key, release.pk), {
        "title": "Brief sales", "team": "Sales", "offset": "5", "when": "before"})
    assert response.status_code == 302
    todo = LaunchTodo.objects.get()
    assert (todo.offset_days, todo.due_date) == (-5, release.release_date - timedelta(days=5))


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"title": "", "when": "before"}, "title", "This field is required"),
    ({"title": "X", "due_date": "2400-01-01", "when": "before"}, "due_date", "Enter a date between"),
    ({"title": "X", "due_date": "2030-01-01", "offset": "3", "when": "before"}, "due_date", "not both"),
    ({"title": "X", "team": "Legal", "when": "before"}, "team", "Select a valid choice"),
])
def test_bad_to_do_input_comes_back_with_field_errors(client_as_editor, workspace, product, release, data, field,
                                                      message):
    response = client_as_editor.post(url("todo_create", workspace.slug, product.key, release.pk), data)
    assert response.status_code == 400
    assert field in response.context["todo_form"].errors
    assert message in response.content.decode()
    assert not LaunchTodo.objects.exists()


def test_a_viewer_cannot_add_to_dos_or_phases(client_as_viewer, workspace, product, release, phase_types):
    assert client_as_viewer.post(url("todo_create", workspace.slug, product.key, release.pk),
                                 {"title": "X", "when": "before"}).status_code == 403
    assert client_as_viewer.post(url("release_phase_create", workspace.slug, product.key, release.pk), {
        "phase_type": phase_types["Beta"].pk, "start_date": "2030-01-01", "end_date": "2030-01-02"}).status_code == 403
    assert not ReleasePhase.objects.exists()


def test_an_editor_adds_a_phase_and_a_bad_one_gets_field_errors(client_as_editor, workspace, product, release,
                                                                  phase_types):
    target = url("release_phase_create", workspace.slug, product.key, release.pk)
    bad = client_as_editor.post(target, {"phase_type": phase_types["Beta"].pk, "start_date": "2030-02-01",
                                         "end_date": "2030-01-01"})
    assert bad.status_code == 400 and "end_date" in bad.context["phase_form"].errors
    good = client_as_editor.post(target, {"phase_type": phase_types["Beta"].pk, "start_date": "2030-01-01",
                                          "end_date": "2030-01-20"})
    assert good.status_code == 302
    assert ReleasePhase.objects.get().phase_type == phase_types["Beta"]


def test_applying_a_template_twice_says_nothing_was_added(client_as_editor, workspace, product, release, template):
    target = url("template_apply", workspace.slug, product.key, release.pk)
    first = client_as_editor.post(target, {"template": template.pk}, follow=True)
    assert "2 to-do(s) added." in first.content.decode()
    second = client_as_editor.post(target, {"template": template.pk}, follow=True)
    assert "already on the release; nothing was added" in second.content.decode()
    assert LaunchTodo.objects.count() == 2


def test_a_template_of_another_workspace_is_not_applied(client_as_editor, workspace, product, release,
                                                        other_workspace):
    foreign = services.template_create(actor=other_workspace.memberships.get().user, workspace=other_workspace,
                                       name="Theirs", items=[{"title": "x", "offset_days": 0}])
    response = client_as_editor.post(url("template_apply", workspace.slug, product.key, release.pk),
                                     {"template": foreign.pk}, follow=True)
    assert "Choose a launch template of this workspace" in response.content.decode()
    assert not LaunchTodo.objects.exists()


def test_viewers_tick_their_own_to_dos_through_the_page(client_as_viewer, admin, editor, viewer, workspace, product,
                                                        release):
    mine = services.todo_create(actor=editor, release=release, title="Demo", assignee=viewer)
    theirs = services.todo_create(actor=editor, release=release, title="Press", assignee=editor)
    tick = url("todo_toggle", workspace.slug, product.key, release.pk, mine.pk)
    assert client_as_viewer.post(tick, {"done": "1"}).status_code == 302
    mine.refresh_from_db()
    assert mine.is_done
    assert client_as_viewer.post(url("todo_toggle", workspace.slug, product.key, release.pk, theirs.pk),
                                 {"done": "1"}).status_code == 403
    services.launch_settings_update(actor=admin, workspace=workspace, viewers_tick_own=False)
    assert client_as_viewer.post(tick, {"done": "0"}).status_code == 403


def test_a_to_do_of_another_workspace_is_not_found(client_as_editor, workspace, product, release, other_product):
    foreign_release = ReleaseFactory(product=other_product)
    boss = other_product.workspace.memberships.get().user
    foreign = services.todo_create(actor=boss, release=foreign_release, title="Secret")
    response = client_as_editor.post(url("todo_toggle", workspace.slug, product.key, release.pk, foreign.pk),
                                     {"done": "1"})
    assert response.status_code == 404


def test_messaging_is_edited_and_shown_on_the_release_page(client_as_editor, workspace, product, release):
    persona = PersonaFactory(product=product, workspace=workspace, name="Busy parent")
    target = url("messaging_edit", workspace.slug, product.key, release.pk)
    assert client_as_editor.get(target).status_code == 200
    response = client_as_editor.post(target, {"key_messages": "- **Checkout in one tap**", "personas": [persona.pk]})
    assert response.status_code == 302
    assert list(ReleaseMessaging.objects.get().personas.all()) == [persona]
    html = page(client_as_editor, release, workspace, product).content.decode()
    assert "<strong>Checkout in one tap</strong>" in html and "Busy parent" in html


def test_release_notes_are_drafted_saved_and_published_once(client_as_editor, editor, workspace, product, release):
    shipped = WorkflowStatusFactory(workspace=workspace, name="Shipped")
    FeatureFactory(product=product, release=release, status=shipped, title="Offline mode", in_release_notes=True,
                   customer_description="Work without a connection.")
    notes = url("release_notes", workspace.slug, product.key, release.pk)
    drafted = client_as_editor.post(notes, {"draft": "1"})
    assert drafted.status_code == 200
    assert "### Offline mode" in drafted.context["form"].initial["body"]
    assert not ReleaseNote.objects.exists()  # drafting saves nothing
    saved = client_as_editor.post(notes, {"body": "### Offline mode\n\n<script>alert(1)</script>Works offline."})
    assert saved.status_code == 302
    html = client_as_editor.get(notes).content.decode()
    assert "<script>alert(1)" not in html and "Works offline." in html
    publish = url("release_notes_publish", workspace.slug, product.key, release.pk)
    first = client_as_editor.post(publish, follow=True)
    assert "published to the public changelog" in first.content.decode()
    published_at = ReleaseNote.objects.get().published_at
    second = client_as_editor.post(publish, follow=True)
    assert "already published" in second.content.decode()
    assert ReleaseNote.objects.get().published_at == published_at


def test_viewers_read_notes_but_cannot_write_or_publish(client_as_viewer, editor, workspace, product, release):
    services.release_note_save(actor=editor, release=release, body="Hello")
    notes = url("release_notes", workspace.slug, product.key, release.pk)
    assert client_as_viewer.get(notes).status_code == 200
    assert client_as_viewer.post(notes, {"body": "Changed"}).status_code == 403
    assert client_as_viewer.post(url("release_notes_publish", workspace.slug, product.key, release.pk)).status_code \
        == 403
    assert ReleaseNote.objects.get().published_at is None


def test_launch_settings_admins_edit_phases_and_teams(client_as_admin, workspace, phase_types):
    page_ = client_as_admin.get(url("launch_settings", workspace.slug))
    assert page_.status_code == 200 and "Beta" in page_.content.decode()
    assert client_as_admin.post(url("phase_type_create", workspace.slug),
                                {"name": "Pilot", "colour": "#0f766e"}).status_code == 302
    bad = client_as_admin.post(url("phase_type_create", workspace.slug), {"name": "pilot", "colour": "#0f766e"})
    assert bad.status_code == 400 and "already a phase called" in bad.content.decode()
    assert client_as_admin.post(url("launch_settings_save", workspace.slug),
                                {"teams": "Marketing, Legal", "viewers_tick_own": ""}).status_code == 302
    settings_ = services.launch_settings_of(workspace.pk)
    assert (settings_.teams, settings_.viewers_tick_own) == (["Marketing", "Legal"], False)


def test_editors_cannot_change_phase_types_or_settings(client_as_editor, workspace, phase_types):
    assert client_as_editor.post(url("phase_type_create", workspace.slug),
                                 {"name": "Pilot", "colour": "#0f766e"}).status_code == 403
    assert client_as_editor.post(url("launch_settings_save", workspace.slug), {"teams": "X"}).status_code == 403


def test_an_editor_builds_a_template(client_as_editor, workspace):
    created = client_as_editor.post(url("launch_template_create", workspace.slug), {"name": "Big launch"})
    assert created.status_code == 302
    detail = created["Location"]
    assert client_as_editor.post(detail, {"title": "Blog post", "team": "Marketing", "offset": "2",
                                          "when": "after"}).status_code == 302
    bad = client_as_editor.post(detail, {"title": "", "team": "Marketing", "when": "after"})
    assert bad.status_code == 400
    html = client_as_editor.get(detail).content.decode()
    assert "Blog post" in html and "2 days after launch" in html


# --- My work ---------------------------------------------------------------------------------


def _my_work_data(workspace, editor, viewer, today, n):
    product = ProductFactory(workspace=workspace)
    for i in range(n):
        release = ReleaseFactory(product=product)
        services.todo_create(actor=editor, release=release, title=f"To-do {i}", assignee=viewer,
                             due_date=today + timedelta(days=i - 1))
        FeatureFactory(product=product, release=release, assignee=viewer, title=f"Feature {i}")


def test_my_work_lists_overdue_first_then_soonest(client_as_viewer, editor, viewer, workspace, product, today):
    release = ReleaseFactory(product=product, release_date=today + timedelta(days=40))
    services.todo_create(actor=editor, release=release, title="Later", assignee=viewer,
                         due_date=today + timedelta(days=9))
    services.todo_create(actor=editor, release=release, title="Late", assignee=viewer,
                         due_date=today - timedelta(days=2))
    FeatureFactory(product=product, release=release, assignee=viewer, title="Build it")
    services.todo_create(actor=editor, release=release, title="Someone else's", assignee=editor)
    response = client_as_viewer.get(url("my_work", workspace.slug))
    titles = [item.title for item in response.context["items"]]
    assert titles == ["Late", "Later", "Build it"]
    assert response.context["overdue"] == 1


def test_my_work_is_linked_from_the_top_bar(client_as_viewer, workspace, product):
    html = client_as_viewer.get(url("release_list", workspace.slug, product.key)).content.decode()
    assert f'href="{url("my_work", workspace.slug)}"' in html


def test_my_work_queries_do_not_grow_with_items(client_as_viewer, editor, viewer, workspace, today):
    target = url("my_work", workspace.slug)
    _my_work_data(workspace, editor, viewer, today, 2)
    client_as_viewer.get(target)
    few = count_queries(lambda: client_as_viewer.get(target))
    _my_work_data(workspace, editor, viewer, today, 12)
    assert count_queries(lambda: client_as_viewer.get(target)) == few


def test_the_release_page_queries_do_not_grow_with_launch_data(client_as_editor, editor, viewer, workspace, product,
                                                               phase_types, today):
    release = ReleaseFactory(product=product)
    persona = PersonaFactory(product=product, workspace=workspace)
    services.messaging_update(actor=editor, release=release, key_messages="x", personas=[persona])
    services.release_note_save(actor=editor, release=release, body="Notes")
    target = url("release_detail", workspace.slug, product.key, release.pk)

    def add(n):
        for i in range(n):
            member = MembershipFactory(workspace=workspace, user=UserFactory()).user
            services.todo_create(actor=editor, release=release, title=f"T{i}", assignee=member, team="Sales",
                                 due_date=today - timedelta(days=i))
            services.release_phase_create(actor=editor, release=release, phase_type=phase_types["Build"],
                                          start_date=date(2030, 1, 1), end_date=date(2030, 1, 2 + i))
            services.messaging_update(actor=editor, release=release, personas=[
                persona, PersonaFactory(product=product, workspace=workspace)])

    add(2)
    client_as_editor.get(target)
    few = count_queries(lambda: client_as_editor.get(target))
    add(10)
    client_as_editor.get(target)  # the phases changed the plan: its conflicts are recomputed once, then cached
    assert count_queries(lambda: client_as_editor.get(target)) == few


def test_the_backlog_flags_releases_with_overdue_launch_to_dos(client_as_viewer, editor, workspace, product, release,
                                                               today):
    services.todo_create(actor=editor, release=release, title="Late", due_date=today - timedelta(days=1))
    services.todo_create(actor=editor, release=release, title="Fine", due_date=today + timedelta(days=1))
    html = client_as_viewer.get(url("backlog", workspace.slug, product.key)).content.decode()
    assert "Overdue launch to-dos" in html and "Spring</a>: 1 launch to-do overdue" in html


def test_launch_readiness_reaches_the_product_registry(client_as_viewer, editor, workspace, product, release, today):
    from strategy.extensions import product_summaries

    done = services.todo_create(actor=editor, release=release, title="Done", due_date=today)
    services.todo_set_done(actor=editor, todo=done, done=True)
    services.todo_create(actor=editor, release=release, title="Late", due_date=today - timedelta(days=1))
    product.workspace = workspace
    [summary] = [s for s in product_summaries.collect([product])[product.pk] if s.title == "Launch readiness"]
    assert summary.figures[0].label == "Spring: Behind"
    assert summary.figures[0].value == "1 of 2 to-dos done"
    assert [f.label for f in summary.figures] == ["Spring: Behind", "Time gone", "Overdue to-dos"]
    html = client_as_viewer.get(reverse("strategy:product_detail", args=[workspace.slug, product.key])).content
    assert b"Launch readiness" in html


def test_a_feature_carries_its_customer_description_and_release_notes_flag(client_as_editor, workspace, product):
    feature = FeatureFactory(product=product, title="Offline mode")
    edit = url("feature_edit", workspace.slug, product.key, feature.number)
    form = client_as_editor.get(edit).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k != "goals"}
    data.update(customer_description="Work on the train.", in_release_notes="on", tags="")
    response = client_as_editor.post(edit, data)
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    feature.refresh_from_db()
    assert (feature.customer_description, feature.in_release_notes) == ("Work on the train.", True)
