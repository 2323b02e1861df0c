"""Importing a file in the browser (releases.services.imports and its pages): each format read
and its messy rows refused with their reasons, a preview that writes nothing, the confirmation
that writes, a second import of the same file that changes nothing, the background path with
its progress, undo (and its refusal), roles, bad files, query counts, and the bulk path's
answer to a concurrent import that took the same new external ids."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models.signals import post_delete
from django.urls import reverse

from feedback.models import FeedbackNote
from releases import services
from releases.models import Comment, Dependency, Feature, Import, Mention, Release, Requirement
from releases.services import imports
from tests.conftest import count_queries
from tests.factories import (
    CommentFactory,
    DependencyFactory,
    FeatureFactory,
    FeedbackNoteFactory,
    InitiativeFactory,
    ReleaseFactory,
    RequirementFactory,
)

pytestmark = pytest.mark.django_db

JIRA = (
    "Issue Type,Issue key,Summary,Description,Status,Fix Version/s,Fix Version/s,Assignee,Due Date,Created,"
    "Labels,Labels,Custom field (Story Points)\n"
    'Story,J-1,Login with SSO,"Two\nlines",Backlog,2.0,,editor@acme.test,12/Mar/25 10:00 AM,01/Jan/25 9:00 AM,'
    "auth,sso,5\n"
    "Story,J-2,Dark mode,,Planned,0.0,,,,,,,3\n"
    "Bug,J-3,Crash fix,,Weird,,,,,,,,\n"
    "Story,J-1,Login again,,Backlog,,,,,,,,\n"
    "Story,J-4,Two versions,,Backlog,2.0,2.1,,,,,,\n"
    "Story,J-5,Month only,,Backlog,,,,2025-03,,,,\n"
    "Story,J-6,Someone unknown,,Backlog,,,Nobody Known,,,,,\n"
)

AHA = (
    "Feature reference #,Feature name,Feature description,Feature status,Release name,Release date,"
    "Feature start date,Feature due date,Feature assigned to,Tags,Initiative name,Feature score\n"
    'A-1,Onboarding tour,Show around,In design,Spring launch,2025-04-30,2025-03-01,2025-04-15,editor@acme.test,'
    '"Growth, onboarding",Self-serve,42\n'
    f"A-2,{'x' * 201},,,,,,,,,,\n"
    "A-3,Ancient,,,,,1850-01-01,,,,,\n"
    "A-4,Placeholder,,,TBD,,,,,,,\n"
    "A-5,Vague start,,,,,Mar 2025,,,,,\n"
    "A-6,Unknown initiative,,,,,,,,,Moonshot,\n"
)

GENERIC = (
    "key,title,description,status,release,release_date,start_date,end_date,estimate,assignee_email,tags,initiative\n"
    "G-1,Export to CSV,Spreadsheets,Planned,Autumn,2025-10-01,,,2,editor@acme.test,\"export, csv\",\n"
    "G-2,Import from CSV,,Planned,Autumn,,,,1.5,,,\n"
    "G-3,Bad estimate,,,,,,,many,,,\n"
    "G-4,Backwards,,,,,2025-05-10,2025-05-01,,,,\n"
)


def upload(client, product, name: str, text: str | bytes):
    content = text.encode() if isinstance(text, str) else text
    return client.post(reverse("releases:import_list", args=[product.workspace.slug, product.key]),
                       {"file": SimpleUploadedFile(name, content, content_type="text/csv")})


def preview(editor, product, text: str, name: str = "features.csv") -> Import:
    return services.import_preview(actor=editor, product=product, name=name, content=text.encode())


def reasons(record: Import) -> dict[int, list[tuple[str, str]]]:
    return {item["row"]: [(e["column"], e["message"]) for e in item["errors"]]
            for item in record.plan["rows"]["refused"]}


def detail_url(record: Import, action: str = "import_detail") -> str:
    return reverse(f"releases:{action}", args=[record.product.workspace.slug, record.product.key, record.pk])


# --- reading each format ---------------------------------------------------------


def test_jira_columns_are_mapped_and_messy_rows_refused_with_reasons(editor, product, workflow):
    record = preview(editor, product, JIRA)

    assert record.format == Import.Format.JIRA
    assert record.plan["counts"] == {"create": 2, "update": 0, "unchanged": 0, "refused": 5, "releases": 1}
    refused = reasons(record)
    assert refused[3][0][0] == "Fix Version/s" and "placeholder" in refused[3][0][1]
    assert refused[4][0][0] == "Status" and "Weird" in refused[4][0][1] and "Backlog, Planned" in refused[4][0][1]
    assert refused[5] == [("Issue key", "The key J-1 is already on row 2; only the first row with a key is read.")]
    assert refused[6][0][0] == "Fix Version/s" and "2.0, 2.1" in refused[6][0][1]
    created = {item["key"]: item for item in record.plan["rows"]["create"]}
    first = created["J-1"]["values"]
    assert first == {"external_id": "J-1", "title": "Login with SSO", "description": "Two\nlines",
                     "status": "Backlog", "release": "2.0", "end_date": "2025-03-12", "assignee": "editor@acme.test",
                     "tags": ["auth", "sso"], "estimate": "5.0"}
    assert [w["column"] for w in created["J-6"]["warnings"]] == ["Assignee"]
    # The new release takes its date from its features' due dates: no day is invented.
    assert record.plan["releases"] == [{"name": "2.0", "start_date": "2025-03-12", "release_date": "2025-03-12",
                                        "rows": [2]}]
    assert "Created" in record.plan["ignored_columns"] and "Issue Type" in record.plan["ignored_columns"]


def test_month_only_dates_are_refused_not_guessed(editor, product, workflow):
    record = preview(editor, product, JIRA)
    assert reasons(record)[7] == [("Due Date", "“2025-03” names a month, not a day: write the day (2024-03-31).")]


def test_aha_columns_are_mapped_and_messy_rows_refused(editor, product, workflow):
    InitiativeFactory(workspace=product.workspace, product=product, name="Self-serve")
    record = preview(editor, product, AHA)

    assert record.format == Import.Format.AHA
    refused = reasons(record)
    assert refused[3] == [("Feature name", "The title has 201 characters; at most 200.")]
    assert refused[4] == [("Feature start date", "Enter a date between 1900-01-01 and 2199-12-31.")]
    assert refused[5][0][0] == "Release name" and "“TBD” looks like a placeholder" in refused[5][0][1]
    assert refused[6][0] == ("Feature start date", "“Mar 2025” names a month, not a day: write the day (2024-03-31).")
    created = {item["key"]: item for item in record.plan["rows"]["create"]}
    assert created["A-1"]["values"]["tags"] == ["growth", "onboarding"]
    assert created["A-1"]["values"]["initiative"] == "Self-serve"
    assert created["A-6"]["warnings"][0]["column"] == "Initiative name"
    # The release's own date from the file; its start from the earliest feature start.
    assert record.plan["releases"] == [{"name": "Spring launch", "start_date": "2025-03-01",
                                        "release_date": "2025-04-30", "rows": [2]}]


def test_generic_csv_and_json_read_the_same_fields(editor, product, workflow):
    record = preview(editor, product, GENERIC)
    assert record.format == Import.Format.GENERIC
    refused = reasons(record)
    assert refused[4] == [("estimate", "“many” is not a number.")]
    assert refused[5] == [("end_date", "The end (2025-05-01) is before the start (2025-05-10).")]
    assert record.plan["counts"]["create"] == 2 and record.plan["releases"][0]["name"] == "Autumn"

    items = [{"external_id": "G-1", "title": "Export to CSV", "status": "Planned", "release": "Autumn",
              "release_date": "2025-10-01", "estimate": 2, "tags": ["Export", "csv"], "assignee": "editor@acme.test"},
             {"external_id": "G-9", "title": "", "end_date": "2025-02"}]
    record = preview(editor, product, json.dumps(items), name="features.json")
    assert record.format == Import.Format.JSON
    assert record.plan["rows"]["create"][0]["values"]["tags"] == ["csv", "export"]
    assert reasons(record)[2] == [("title", "The title is empty."),
                                  ("end_date", "“2025-02” names a month, not a day: write the day (2024-03-31).")]


@pytest.mark.parametrize(("content", "message"), [
    (b"", "file is empty."),
    (b"title,status\n", "The file has no rows below its header."),
    (b"Titel,Zustand\nEins,Offen\n", "Its columns are not Waymark's"),
    ("title\nCafé\n".encode("latin-1"), "The file is not UTF-8 text"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "The file is not UTF-8 text"),
    (b"[1, 2]", "The JSON must be a list of objects"),
    (b"[{\"title\": ", "The file is not valid JSON"),
])
def test_a_bad_file_comes_back_on_the_form(client_as_editor, product, workflow, content, message):
    response = upload(client_as_editor, product, "features.csv", content)

    assert response.status_code == 400
    assert message in response.context["form"].errors["file"][0]
    assert Import.objects.count() == 0


def test_a_file_too_big_is_refused_before_it_is_read(client_as_editor, product, workflow, settings):
    settings.IMPORT_MAX_BYTES = 100
    response = upload(client_as_editor, product, "features.csv", GENERIC)
    assert response.status_code == 400
    assert "at most 0.0001 MB" in response.context["form"].errors["file"][0]


# --- preview, write, again, undo ----------------------------------------------------


def test_the_preview_writes_no_feature_or_release(client_as_editor, product, workflow):
    before = (Feature.objects.count(), Release.objects.count(), Feature.history.count())
    response = upload(client_as_editor, product, "jira.csv", JIRA)

    record = Import.objects.get()
    assert response.status_code == 302 and response["Location"] == detail_url(record)
    assert (Feature.objects.count(), Release.objects.count(), Feature.history.count()) == before
    page = client_as_editor.get(detail_url(record)).content.decode()
    assert "Refused (5)" in page and "looks like a placeholder" in page and "Import 2 features" in page


def test_confirm_writes_and_the_same_file_again_changes_nothing(client_as_editor, editor, product, workflow):
    upload(client_as_editor, product, "jira.csv", JIRA)
    record = Import.objects.get()
    response = client_as_editor.post(detail_url(record, "import_confirm"))

    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == Import.Status.DONE
    assert record.result["counts"] == {"created": 2, "updated": 0, "unchanged": 0, "releases": 1, "refused": 5}
    sso = Feature.objects.get(external_id="J-1")
    assert (sso.title, sso.status.name, sso.release.name, sso.assignee, sso.estimate, sso.tags, sso.end_date) == (
        "Login with SSO", "Backlog", "2.0", editor, Decimal("5.0"), ["auth", "sso"], date(2025, 3, 12))
    assert Release.objects.get(name="2.0").release_date == date(2025, 3, 12)
    assert not Release.objects.filter(name="0.0").exists()
    assert record.rows == []  # the file's rows are dropped once written

    again = preview(editor, product, JIRA)
    assert again.plan["counts"] == {"create": 0, "update": 0, "unchanged": 2, "refused": 5, "releases": 0}
    versions = dict(Feature.objects.values_list("pk", "version"))
    services.import_confirm(actor=editor, record=again)
    assert dict(Feature.objects.values_list("pk", "version")) == versions


def test_an_update_shows_what_changes_and_undo_puts_it_back(editor, product, workflow):
    old_release = ReleaseFactory(product=product, name="1.0")
    feature = FeatureFactory(product=product, title="Old title", external_id="G-1", status=workflow["Idea"],
                             release=old_release, estimate=Decimal("8"))
    record = preview(editor, product, GENERIC)

    update = record.plan["rows"]["update"][0]
    assert update["feature_key"] == feature.key
    assert update["changes"]["title"] == ["Old title", "Export to CSV"]
    assert update["changes"]["release"] == ["1.0", "Autumn"]
    assert update["changes"]["estimate"] == ["8.0", "2.0"]

    record = services.import_confirm(actor=editor, record=record)
    feature.refresh_from_db()
    assert (feature.title, feature.release.name, feature.estimate) == ("Export to CSV", "Autumn", Decimal("2.0"))
    created = Feature.objects.get(external_id="G-2")

    record = services.import_undo(actor=editor, record=record)
    feature.refresh_from_db()
    assert record.status == Import.Status.UNDONE
    assert (feature.title, feature.release, feature.estimate, feature.status) == (
        "Old title", old_release, Decimal("8.0"), workflow["Idea"])
    assert not Feature.objects.filter(pk=created.pk).exists()
    assert Feature.history.get(id=created.pk, history_type="-").history_user == editor
    assert not Release.objects.filter(name="Autumn").exists()
    assert record.result["undone"] == {"deleted": 1, "restored": 1, "releases_deleted": 1}
    with pytest.raises(ValidationError, match="Only a finished import"):
        services.import_undo(actor=editor, record=record)


def test_undo_is_refused_naming_what_changed_since_and_changes_nothing(editor, product, workflow):
    record = services.import_confirm(actor=editor, record=preview(editor, product, GENERIC))
    changed = Feature.objects.get(external_id="G-2")
    services.feature_update(actor=editor, feature=changed, title="Edited by hand")

    with pytest.raises(ValidationError, match=f"Changed since the import.*{changed.key}"):
        services.import_undo(actor=editor, record=record)
    record.refresh_from_db()
    assert record.status == Import.Status.DONE
    assert Feature.objects.filter(external_id__in=["G-1", "G-2"]).count() == 2


def test_undo_through_the_page_says_why_it_was_refused(client_as_editor, editor, product, workflow):
    record = services.import_confirm(actor=editor, record=preview(editor, product, GENERIC))
    services.feature_update(actor=editor, feature=Feature.objects.get(external_id="G-1"), title="Mine now")

    response = client_as_editor.post(detail_url(record, "import_undo"), follow=True)
    assert "Changed since the import" in response.content.decode()
    record.refresh_from_db()
    assert record.status == Import.Status.DONE


def test_a_large_file_is_written_by_the_task_with_its_progress(client_as_editor, editor, product, workflow,
                                                               settings, django_capture_on_commit_callbacks):
    settings.IMPORT_BACKGROUND_ROWS = 3
    rows = "".join(f"B-{n},Feature {n},Planned\n" for n in range(1, 8))
    record = preview(editor, product, "key,title,status\n" + rows)

    with django_capture_on_commit_callbacks(execute=True):
        response = client_as_editor.post(detail_url(record, "import_confirm"))
        # Queued, not written in the request: the task runs once the confirmation commits.
        assert Import.objects.get(pk=record.pk).status == Import.Status.RUNNING
        assert not Feature.objects.filter(external_id__startswith="B-").exists()
        page = client_as_editor.get(response["Location"]).content.decode()
        assert 'hx-trigger="every 1s"' in page and "Writing in the background" in page
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == Import.Status.DONE and record.written == record.total == 7
    assert Feature.objects.filter(external_id__startswith="B-").count() == 7
    fragment = client_as_editor.get(detail_url(record, "import_progress"), HTTP_HX_REQUEST="true")
    assert "<strong>7</strong> of 7 rows written" in fragment.content.decode()
    assert fragment["HX-Refresh"] == "true"


def test_a_large_import_is_undone_by_the_task(client_as_editor, editor, product, workflow, settings,
                                             django_capture_on_commit_callbacks):
    settings.IMPORT_BACKGROUND_ROWS = 3
    rows = "".join(f"U-{n},Feature {n},Planned,Big\n" for n in range(1, 8))
    ReleaseFactory(product=product, name="Big")
    record = preview(editor, product, "key,title,status,release\nU-0,First,Planned,Big\n" + rows)
    with django_capture_on_commit_callbacks(execute=True):
        services.import_confirm(actor=editor, record=record)
    assert Feature.objects.filter(external_id__startswith="U-").count() == 8

    with django_capture_on_commit_callbacks(execute=True):
        response = client_as_editor.post(detail_url(record, "import_undo"))
        assert Import.objects.get(pk=record.pk).status == Import.Status.UNDOING
        assert Feature.objects.filter(external_id__startswith="U-").count() == 8
        fragment = client_as_editor.get(detail_url(record, "import_progress"), HTTP_HX_REQUEST="true")
        assert "Undoing in the background" in fragment.content.decode() and "HX-Refresh" not in fragment
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == Import.Status.UNDONE and record.undone_by == editor
    assert not Feature.objects.filter(external_id__startswith="U-").exists()
    assert Release.objects.filter(name="Big").exists()  # it was there before the import


def test_a_queued_undo_is_refused_when_something_changed_meanwhile(client_as_editor, editor, product, workflow,
                                                                   settings, django_capture_on_commit_callbacks):
    settings.IMPORT_BACKGROUND_ROWS = 1
    record = preview(editor, product, GENERIC)
    with django_capture_on_commit_callbacks(execute=True):
        services.import_confirm(actor=editor, record=record)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        record = services.import_undo(actor=editor, record=Import.objects.get(pk=record.pk))
    assert record.status == Import.Status.UNDOING and len(queued) == 1
    changed = Feature.objects.get(external_id="G-2")
    services.feature_update(actor=editor, feature=changed, title="Edited while the undo waited")

    record = services.import_undo_run(import_id=record.pk)
    assert record.status == Import.Status.DONE and changed.key in record.error
    assert Feature.objects.filter(external_id__in=["G-1", "G-2"]).count() == 2
    page = client_as_editor.get(detail_url(record)).content.decode()
    assert "The undo was refused" in page and "Undo this import" in page


def test_with_the_broker_down_a_large_import_is_written_in_the_request(editor, product, workflow, settings,
                                                                       broker_down, django_capture_on_commit_callbacks):
    settings.IMPORT_BACKGROUND_ROWS = 1
    record = preview(editor, product, GENERIC)
    with django_capture_on_commit_callbacks(execute=True):
        services.import_confirm(actor=editor, record=record)

    record.refresh_from_db()
    assert record.status == Import.Status.DONE
    assert Feature.objects.filter(external_id__in=["G-1", "G-2"]).count() == 2


def test_the_progress_fragment_polls_while_the_write_runs(client_as_editor, editor, product, workflow):
    from django.core.cache import cache

    record = preview(editor, product, GENERIC)
    Import.objects.filter(pk=record.pk).update(status=Import.Status.RUNNING, total=2)
    cache.set(imports.progress_key(record.pk), 1)

    fragment = client_as_editor.get(detail_url(record, "import_progress"), HTTP_HX_REQUEST="true")
    body = fragment.content.decode()
    assert 'hx-trigger="every 1s"' in body and "<strong>1</strong> of 2 rows written" in body
    assert "HX-Refresh" not in fragment
    cache.delete(imports.progress_key(record.pk))


def test_confirming_twice_writes_once(editor, product, workflow):
    record = services.import_confirm(actor=editor, record=preview(editor, product, GENERIC))
    with pytest.raises(ValidationError, match="already confirmed"):
        services.import_confirm(actor=editor, record=record)
    assert Feature.objects.filter(external_id="G-1").count() == 1


# --- roles ---------------------------------------------------------------------------


def test_viewers_cannot_import(client_as_viewer, viewer, editor, product, workflow):
    url = reverse("releases:import_list", args=[product.workspace.slug, product.key])
    assert client_as_viewer.get(url).status_code == 403
    assert upload(client_as_viewer, product, "f.csv", GENERIC).status_code == 403
    with pytest.raises(PermissionDenied):
        preview(viewer, product, GENERIC)
    record = preview(editor, product, GENERIC)
    assert client_as_viewer.post(detail_url(record, "import_confirm")).status_code == 403
    assert client_as_viewer.get(detail_url(record)).status_code == 403
    with pytest.raises(PermissionDenied):
        services.import_confirm(actor=viewer, record=record)
    assert Feature.objects.count() == 0


def test_another_workspace_cannot_see_an_import(client, editor, product, other_workspace, workflow):
    from strategy.models import User

    record = preview(editor, product, GENERIC)
    client.force_login(User.objects.get(email="boss@globex.test"))
    assert client.get(detail_url(record)).status_code == 404


# --- undo: history, cascades, cost ------------------------------------------------------


def test_undo_records_every_deletion_as_done_by_the_undoer(admin, editor, product, workflow):
    record = services.import_confirm(actor=editor, record=preview(editor, product, GENERIC))
    created = {feature.pk: feature.title for feature in Feature.objects.filter(external_id__in=["G-1", "G-2"])}
    release = Release.objects.get(name="Autumn")

    services.import_undo(actor=admin, record=record)

    deleted = Feature.history.filter(history_type="-")
    assert {row.id: row.title for row in deleted} == created
    assert {row.history_user for row in deleted} == {admin}
    assert Release.history.get(history_type="-").id == release.pk
    assert Release.history.get(history_type="-").history_user == admin


def test_undo_takes_what_cascades_from_the_features_and_keeps_the_rest(editor, product, workflow):
    existing = FeatureFactory(product=product, status=workflow["Idea"])
    record = services.import_confirm(actor=editor, record=preview(editor, product, GENERIC))
    created = Feature.objects.get(external_id="G-2")
    RequirementFactory(feature=created)
    comment = CommentFactory(feature=created)
    Mention.objects.create(comment=comment, user=editor)
    kept_comment = CommentFactory(feature=existing)
    DependencyFactory(feature=created, depends_on=existing)
    DependencyFactory(feature=existing, depends_on=created)
    note = FeedbackNoteFactory(product=product, features=[created, existing])

    services.import_undo(actor=editor, record=record)

    assert not Requirement.objects.exists()
    assert list(Comment.objects.all()) == [kept_comment]
    assert not Mention.objects.exists() and not Dependency.objects.exists()
    assert list(FeedbackNote.objects.get(pk=note.pk).features.all()) == [existing]
    existing.refresh_from_db()
    assert existing.version == 1 and not Feature.history.filter(id=existing.pk, history_type="-").exists()


def test_undo_still_tells_other_delete_receivers_about_every_feature(editor, product, workflow):
    record = services.import_confirm(actor=editor, record=preview(editor, product, GENERIC))
    created = set(Feature.objects.filter(external_id__in=["G-1", "G-2"]).values_list("pk", flat=True))
    heard = []
    post_delete.connect(lambda sender, instance, **kwargs: heard.append(instance.pk), sender=Feature,
                        weak=False, dispatch_uid="test-undo-heard")
    try:
        services.import_undo(actor=editor, record=record)
    finally:
        post_delete.disconnect(sender=Feature, dispatch_uid="test-undo-heard")

    assert set(heard) == created
    deleted = Feature.history.filter(history_type="-")
    assert set(deleted.values_list("id", flat=True)) == created and {row.history_user for row in deleted} == {editor}


def test_undo_costs_the_same_queries_with_more_features(editor, product, workflow):
    def imported(prefix: str, count: int) -> Import:
        text = "key,title,status,release,release_date\n" + "".join(
            f"{prefix}-{n},Feature {prefix}{n},Planned,Release {prefix},2025-10-01\n" for n in range(count))
        return services.import_confirm(actor=editor, record=preview(editor, product, text))

    warm, few, many = imported("W", 3), imported("F", 10), imported("M", 200)
    services.import_undo(actor=editor, record=warm)
    few_queries = count_queries(lambda: services.import_undo(actor=editor, record=few))
    many_queries = count_queries(lambda: services.import_undo(actor=editor, record=many))

    assert many_queries == few_queries
    assert Feature.history.filter(history_type="-").count() == 213
    assert not Feature.objects.exists() and not Release.objects.exists()


# --- query counts --------------------------------------------------------------------


def test_import_pages_cost_the_same_queries_with_more_rows_and_imports(client_as_editor, editor, product, workflow):
    def csv_of(count: int) -> str:
        return "key,title,status\n" + "".join(f"Q-{n},Feature {n},Planned\n" for n in range(count))

    small = preview(editor, product, csv_of(3))
    list_url = reverse("releases:import_list", args=[product.workspace.slug, product.key])
    client_as_editor.get(list_url)
    few_list = count_queries(lambda: client_as_editor.get(list_url))
    few_detail = count_queries(lambda: client_as_editor.get(detail_url(small)))

    big = preview(editor, product, csv_of(300) + "Q-1,Duplicate,Nowhere\n")
    for _ in range(4):
        preview(editor, product, csv_of(20))
    many_list = count_queries(lambda: client_as_editor.get(list_url))
    many_detail = count_queries(lambda: client_as_editor.get(detail_url(big)))

    assert many_list == few_list
    assert many_detail == few_detail
    assert client_as_editor.get(list_url).content.decode().count("/imports/") >= 6


def test_planning_reads_a_fixed_number_of_queries(editor, product, workflow):
    def rows(count: int) -> list[dict]:
        return imports.read_file(name="f.csv", content=(
            "key,title,status,release,end_date,assignee_email\n"
            + "".join(f"P-{n},Feature {n},Planned,R{n % 3},2025-01-0{n % 9 + 1},editor@acme.test\n"
                      for n in range(count))).encode())[1]

    few = count_queries(lambda: imports.plan(product=product, rows=rows(5)))
    many = count_queries(lambda: imports.plan(product=product, rows=rows(400)))
    assert many == few


# --- the bulk path and a concurrent import -------------------------------------------


def test_a_concurrent_import_that_took_the_same_new_external_id_is_refused_not_a_500(editor, product, workflow):
    # The caller read the stored external ids before another import committed "RACE-1".
    FeatureFactory(product=product, external_id="RACE-1")
    answers = services.feature_bulk_upsert(actor=editor, items=[
        (None, {"product": product, "title": "Mine", "external_id": "RACE-1"}),
        (None, {"product": product, "title": "Other", "external_id": "RACE-2"}),
    ])

    assert isinstance(answers[0], ValidationError)
    assert "at the same moment" in answers[0].message_dict["external_id"][0]
    assert answers[1][1] == "created"
    assert Feature.objects.filter(external_id="RACE-1").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_imports_at_once_with_the_same_new_external_ids_answer_200_not_500(editor, product, workflow):
    """One import holds its transaction open after writing NEW-1 and NEW-2; the API's bulk
    write of the same ids reads the stored ones meanwhile (none yet), waits for the product's
    lock, and then refuses them with a clear error rather than failing on the constraint."""
    import threading
    import time

    from django.db import connection, transaction
    from rest_framework.test import APIClient

    from tests.api_urls import api_url

    written, answers, errors = threading.Event(), [], []

    def first_import():
        try:
            with transaction.atomic():
                services.feature_bulk_upsert(actor=editor, items=[
                    (None, {"product": product, "title": f"First {n}", "external_id": f"NEW-{n}"}) for n in (1, 2)])
                written.set()
                time.sleep(1.0)  # the API request reads the stored ids and reaches the lock meanwhile
        except Exception as exc:  # noqa: BLE001 - reported by the test, not swallowed
            errors.append(exc)
        finally:
            connection.close()

    def api_import():
        try:
            written.wait(timeout=10)
            client = APIClient()
            client.force_authenticate(editor)
            answers.append(client.post(api_url("releases-api:feature-bulk-upsert"), {"items": [
                {"product": product.pk, "title": f"Second {n}", "external_id": f"NEW-{n}"} for n in (1, 2, 3)]},
                format="json"))
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=first_import), threading.Thread(target=api_import)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors
    answer = answers[0]
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert (body["created"], body["refused"]) == (1, 2)
    assert all("at the same moment" in error["errors"]["external_id"][0] for error in body["errors"])
    assert sorted(Feature.objects.values_list("external_id", "title")) == [
        ("NEW-1", "First 1"), ("NEW-2", "First 2"), ("NEW-3", "Second 3")]

