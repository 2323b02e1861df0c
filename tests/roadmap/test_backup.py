"""The full export and restore of a workspace: the demo workspace round-trips with every
count and the checksum of its records unchanged; people are matched or made; bad files and
non-empty targets are refused with a clear message and nothing written; the page, the
command and the API."""

from __future__ import annotations

import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from roadmap.services import backup
from strategy.models import Membership, Product, User, Workspace

from ..factories import FeatureFactory, UserFactory

pytestmark = pytest.mark.django_db


def export_text(workspace) -> str:
    return "".join(backup.workspace_export(workspace=workspace))


def table_counts(workspace) -> dict[str, int]:
    counts = {}
    for model, path in backup.workspace_models():
        counts[model._meta.label_lower] = model._base_manager.filter(**{path: workspace.pk}).count()
    product_ids = list(Product.objects.filter(workspace=workspace).values_list("pk", flat=True))
    with connection.cursor() as cursor:
        for spec in backup.SQL_TABLES:
            cursor.execute(f"SELECT count(*) FROM {spec.table} WHERE product_id = ANY(%s)", [product_ids])  # noqa: S608
            counts[spec.label] = cursor.fetchone()[0]
    return counts


def wipe(workspace) -> None:
    """Remove every row of the workspace, history and usage tables included (as a fresh
    database would be), leaving the people."""
    product_ids = list(Product.objects.filter(workspace=workspace).values_list("pk", flat=True))
    tables = backup.workspace_models()
    ids = {model: list(model._base_manager.filter(**{path: workspace.pk}).values_list("pk", flat=True))
           for model, path in tables}
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for spec in backup.SQL_TABLES:
            cursor.execute(f"DELETE FROM {spec.table} WHERE product_id = ANY(%s)", [product_ids])  # noqa: S608
    for model, pks in ids.items():
        model._base_manager.filter(pk__in=pks)._raw_delete(using="default")
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


@pytest.fixture
def demo(settings):
    call_command("seed_demo", stdout=io.StringIO())
    return Workspace.objects.get()


def test_the_demo_workspace_round_trips_with_every_count_and_the_checksum(demo):
    before_counts = table_counts(demo)
    text = export_text(demo)
    document = json.loads(text)  # one valid JSON document
    assert document["format"] == "waymark-workspace-export" and document["schema_version"] == 1
    assert document["counts"]["releases.historicalfeature"] > 0 and document["counts"]["roadmap.usage_event"] > 0
    assert {k: v for k, v in document["counts"].items() if k != "strategy.user"} == before_counts

    wipe(demo)
    assert not Workspace.objects.exists()
    result = backup.workspace_restore(lines=io.StringIO(text))

    restored = Workspace.objects.get()
    assert restored.pk == demo.pk and result.workspace == restored
    assert table_counts(restored) == before_counts
    assert result.users_matched == document["counts"]["strategy.user"] and result.users_created == 0
    again = json.loads(export_text(restored))
    assert again["checksum"] == document["checksum"]
    assert again["counts"] == document["counts"]
    # The database goes on: new rows take ids after the restored ones.
    feature = FeatureFactory(product=Product.objects.filter(workspace=restored).first())
    assert feature.pk > max(row[0] for row in _rows(text, "releases.feature"))


def _rows(text: str, label: str) -> list[list]:
    rows, current = [], None
    for line in text.splitlines()[1:]:
        value = json.loads(line.rstrip(","))
        if isinstance(value, dict):
            if value.get("end"):
                break
            current = value.get("table")
        elif current == label:
            rows.append(value)
    return rows


def test_people_unknown_here_get_accounts_without_passwords(demo):
    text = export_text(demo)
    members = list(Membership.objects.filter(workspace=demo).values_list("user__email", flat=True))
    wipe(demo)
    User.objects.filter(email__in=members).delete()

    result = backup.workspace_restore(lines=io.StringIO(text))

    assert result.users_created == len(members)
    restored_members = User.objects.filter(memberships__workspace=result.workspace)
    assert sorted(u.email for u in restored_members) == sorted(members)
    assert not any(u.has_usable_password() for u in restored_members)


def test_the_export_streams_in_chunks(demo):
    chunks = list(backup.workspace_export(workspace=demo))
    assert len(chunks) > 10 and max(len(c) for c in chunks) < 1_000_000


# --- bad input: clear errors, nothing written -----------------------------------------------


@pytest.fixture
def small(workspace, product, admin):
    FeatureFactory(product=product, title="Keep me")
    return export_text(workspace)


def refused(text: str) -> str:
    rows_before = Product.objects.count(), Workspace.objects.count(), User.objects.count()
    with pytest.raises(ValidationError) as caught:
        backup.workspace_restore(lines=io.StringIO(text))
    assert (Product.objects.count(), Workspace.objects.count(), User.objects.count()) == rows_before
    return " ".join(caught.value.messages)


def test_a_workspace_that_exists_is_not_overwritten(small):
    assert "already exists" in refused(small)


def test_rows_that_clash_with_rows_here_are_refused(small):
    lines = small.splitlines(keepends=True)
    header = json.loads(lines[0].rstrip("\n")[:-len('"records":[')] + '"records":[]}')
    header["workspace"]["slug"] = "elsewhere"
    lines[0] = json.dumps(header, separators=(",", ":"))[:-len("[]}")] + "[\n"
    assert "ids of this export" in refused("".join(lines))


@pytest.mark.parametrize(("text", "message"), [
    ("", "empty"),
    ("hello\n", "not a Waymark workspace export"),
    ('{"format": "something", "records":[\n', "not a Waymark workspace export"),
])
def test_files_that_are_not_exports_are_refused(text, message, db):
    assert message in refused(text)


def test_an_old_schema_version_is_refused(small, workspace):
    wipe(workspace)
    text = small.replace('"schema_version":1', '"schema_version":0', 1)
    assert "schema version 0" in refused(text)


def test_another_database_schema_is_refused(small, workspace):
    wipe(workspace)
    text = small.replace('"roadmap":"', '"roadmap":"0000_older_', 1)
    assert "different database schema" in refused(text)


def test_a_changed_record_fails_the_checksum(small, workspace):
    wipe(workspace)
    assert "checksum" in refused(small.replace("Keep me", "Changed"))


def test_a_cut_off_file_is_refused(small, workspace):
    wipe(workspace)
    assert "cut off" in refused(small[: len(small) // 2].rsplit("\n", 1)[0] + "\n")


def test_a_damaged_line_is_refused(small, workspace):
    wipe(workspace)
    lines = small.splitlines(keepends=True)
    lines[3] = "[1, 2,\n"
    assert "not valid JSON" in refused("".join(lines))


def test_an_unknown_table_is_refused(small, workspace):
    wipe(workspace)
    assert "does not know" in refused(small.replace('"table":"releases.requirement"', '"table":"releases.nope"'))


# --- page, command, API -------------------------------------------------------------------


def test_an_admin_downloads_the_export_from_the_settings(client_as_admin, small):
    assert client_as_admin.get(reverse("roadmap:workspace_export", args=["acme"])).status_code == 200
    response = client_as_admin.get(reverse("roadmap:workspace_export_download", args=["acme"]))
    assert response.status_code == 200 and response.streaming
    assert "attachment" in response["Content-Disposition"]
    document = json.loads(b"".join(response.streaming_content))
    assert document["counts"]["releases.feature"] == 1


@pytest.mark.parametrize("who", ["client_as_editor", "client_as_viewer"])
def test_only_admins_export(who, request, workspace):
    client = request.getfixturevalue(who)
    assert client.get(reverse("roadmap:workspace_export_download", args=["acme"])).status_code == 403
    assert client.get("/api/v1/workspace-exports/acme/").status_code == 403


def test_the_command_restores_a_file_and_explains_a_bad_one(small, workspace, tmp_path):
    path = tmp_path / "acme.json"
    path.write_text(small, encoding="utf-8")
    with pytest.raises(CommandError, match="already exists"):
        call_command("workspace_restore", str(path))
    wipe(workspace)
    out = io.StringIO()
    call_command("workspace_restore", str(path), stdout=out)
    assert "restored" in out.getvalue() and Workspace.objects.filter(slug="acme").exists()
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("workspace_restore", str(tmp_path / "missing.json"))


def test_the_export_command_writes_the_same_document(small, workspace, tmp_path):
    path = tmp_path / "out.json"
    call_command("workspace_export", "acme", output=str(path), stderr=io.StringIO())
    assert json.loads(path.read_text())["checksum"] == json.loads(small)["checksum"]


def test_the_api_exports_and_an_operator_restores(client, small, workspace, admin):
    client.force_login(admin)
    response = client.get("/api/v1/workspace-exports/acme/")
    assert response.status_code == 200
    text = b"".join(response.streaming_content)
    upload = SimpleUploadedFile("acme.json", text, content_type="application/json")
    assert client.post("/api/v1/workspace-restores/", {"file": upload}).status_code == 403  # not an operator

    operator = UserFactory(email="ops@example.test", is_staff=True)
    client.force_login(operator)
    upload.seek(0)
    refused_answer = client.post("/api/v1/workspace-restores/", {"file": upload})
    assert refused_answer.status_code == 400 and "already exists" in refused_answer.json()["file"][0]
    wipe(workspace)
    upload = SimpleUploadedFile("acme.json", text, content_type="application/json")
    answer = client.post("/api/v1/workspace-restores/", {"file": upload})
    assert answer.status_code == 201, answer.json()
    assert answer.json()["workspace"] == "acme" and answer.json()["counts"]["releases.feature"] == 1
