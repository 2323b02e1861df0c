"""A whole workspace as one JSON document, and back: the export an admin downloads and the
restore (`manage.py workspace_restore FILE`, or the API) that recreates it elsewhere.

Invariants:
- the export holds every row of the workspace in every table of the four apps (history
  included, and the raw usage events), read in one snapshot (REPEATABLE READ), streamed a row
  at a time so memory stays bounded whatever the size; secrets are as the database keeps them
  (token digests, webhook signing secrets), never API tokens, sessions or passwords;
- rows keep their ids, so history, links and keys survive; people are matched by email (an
  address the target does not know becomes an account without a password, who signs in by
  resetting it);
- a restore is all or nothing: one transaction, foreign keys checked at its end; a file that
  is not an export, is damaged (its checksum), was made by another schema version, or meets a
  target that already holds its workspace or its rows, is refused with a clear message and
  writes nothing.

The document is JSON, laid out one value per line so that it can be read back a line at a
time (docs/operators.md shows it):

    {"format": "waymark-workspace-export", "schema_version": 1, ..., "records": [
    {"table": "strategy.workspace", "columns": ["id", "name", ...]},
    [7, "Acme", ...],
    ...
    {"end": true}
    ], "counts": {"strategy.workspace": 1, ...}, "checksum": "sha256:..."}

The checksum is SHA-256 over the record lines (table headers and rows, as written, each with
a newline), so a re-export of a restored workspace has the same checksum as the original.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.color import no_style
from django.db import DatabaseError, IntegrityError, connection, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from psycopg2.extras import Json, execute_values

from strategy import access
from strategy.models import User, Workspace

FORMAT = "waymark-workspace-export"
SCHEMA_VERSION = 1
APPS = ("strategy", "releases", "feedback", "roadmap")
USER_TABLE = "strategy.user"
USER_COLUMNS = ["id", "email", "full_name", "is_active", "date_joined"]
# Credentials, machine state and a person's own settings (their notification emails, in every
# workspace) are not part of a workspace.
EXCLUDED = {"strategy.user", "strategy.user_groups", "strategy.user_user_permissions", "strategy.apitoken",
            "roadmap.workerheartbeat", "roadmap.usageevent", "releases.notificationsettings"}
INSERT_BATCH = 1000


@dataclass(frozen=True)
class SqlTable:
    """A table only SQL knows (partitioned or written by SQL alone), scoped by its product."""

    label: str
    table: str
    columns: tuple[str, ...]
    json_columns: tuple[str, ...] = ()
    order: str = ""


SQL_TABLES = (
    SqlTable("roadmap.usage_event", "roadmap_usage_event",
             ("product_id", "event_id", "name", "user_id", "anonymous_id", "session_id", "occurred_at",
              "feature_key", "properties", "received_at"), json_columns=("properties",),
             order="product_id, occurred_at, event_id"),
    SqlTable("roadmap.usage_actor_day", "roadmap_usage_actor_day", ("product_id", "day", "actor", "events"),
             order="product_id, day, actor"),
    SqlTable("roadmap.usage_feature_actor_day", "roadmap_usage_feature_actor_day",
             ("product_id", "day", "feature_key", "actor", "events"), order="product_id, day, feature_key, actor"),
)
SQL_BY_LABEL = {spec.label: spec for spec in SQL_TABLES}


# --- which rows belong to a workspace -------------------------------------------------------


def _label(model) -> str:
    return model._meta.label_lower


def _columns(model) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if not isinstance(f, models.GeneratedField)]


def workspace_models() -> list[tuple[type[models.Model], str]]:
    """Every table of the four apps that holds workspace rows, with the lookup from it to
    its workspace id (`workspace`, `release__workspace`, ...), Workspace first."""
    candidates = [m for app in APPS for m in apps.get_app_config(app).get_models(include_auto_created=True)
                  if m._meta.managed and not m._meta.proxy and _label(m) not in EXCLUDED]
    paths: dict[type[models.Model], str] = {Workspace: "pk"}
    changed = True
    while changed:
        changed = False
        for model in candidates:
            if model in paths:
                continue
            names = {f.name: f for f in model._meta.concrete_fields}
            if "workspace" in names and names["workspace"].is_relation:
                paths[model] = "workspace"
                changed = True
                continue
            for f in model._meta.concrete_fields:
                if f.is_relation and not f.null and f.related_model in paths and f.related_model is not model:
                    target = paths[f.related_model]
                    paths[model] = f.name if target == "pk" else f"{f.name}__{target}"
                    changed = True
                    break
    missing = [_label(m) for m in candidates if m not in paths]
    if missing:  # a new table nobody placed: fail loudly rather than export part of a workspace
        raise RuntimeError(f"No path to a workspace for {', '.join(missing)}")
    ordered = [Workspace, *sorted((m for m in paths if m is not Workspace), key=_label)]
    return [(m, paths[m]) for m in ordered]


def _user_fields(model) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if f.is_relation and f.related_model is User]


# --- writing ------------------------------------------------------------------------------


def _plain(value):
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, memoryview | bytes):
        return bytes(value).hex()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _line(value) -> str:
    return json.dumps(value, default=_plain, ensure_ascii=False, separators=(",", ":"))


def _migrations() -> dict[str, str]:
    latest: dict[str, str] = {}
    for app, name in MigrationRecorder.Migration.objects.filter(app__in=APPS).values_list("app", "name"):
        latest[app] = max(latest.get(app, ""), name)
    return latest


def _user_ids(workspace: Workspace, tables) -> set[int]:
    ids: set[int] = set()
    for model, path in tables:
        for f in _user_fields(model):
            lookup = f"{path}" if path != "pk" else "pk"
            ids.update(model._base_manager.filter(**{lookup: workspace.pk}, **{f"{f.attname}__isnull": False})
                       .values_list(f.attname, flat=True).distinct())
    return ids


def _sql_rows(spec: SqlTable, workspace_id: int) -> Iterator[tuple]:
    with connection.chunked_cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(spec.columns)} FROM {spec.table} "  # noqa: S608 (names are constants)
            f"WHERE product_id IN (SELECT id FROM strategy_product WHERE workspace_id = %s) ORDER BY {spec.order}",
            [workspace_id])
        # Django reads jsonb as text (its JSONField decodes it); the export holds it as JSON.
        json_at = [i for i, name in enumerate(spec.columns) if name in spec.json_columns]
        while rows := cursor.fetchmany(2000):
            for row in rows:
                if json_at:
                    row = list(row)
                    for i in json_at:
                        if isinstance(row[i], str):
                            row[i] = json.loads(row[i])
                yield row


def workspace_export_check(*, actor: User, workspace: Workspace) -> None:
    """Only a workspace's admins export it. Raises PermissionDenied."""
    access.ensure_can(actor, "workspace.manage", workspace)


def workspace_export(*, workspace: Workspace) -> Iterator[str]:
    """The export document of `workspace`, as chunks of text (a few lines each). The caller
    checked the actor (`workspace_export_check`): this also runs from the command line."""
    fresh = not connection.in_atomic_block
    with transaction.atomic():
        if fresh:  # one snapshot for every table, however long the stream takes
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        tables = workspace_models()
        header = {
            "format": FORMAT, "schema_version": SCHEMA_VERSION, "exported_at": timezone.now(),
            "migrations": _migrations(),
            "workspace": {"id": workspace.pk, "slug": workspace.slug, "name": workspace.name},
        }
        yield _line(header)[:-1] + ',"records":[\n'
        digest = hashlib.sha256()
        counts: dict[str, int] = {}
        buffer: list[str] = []

        def emit(value) -> Iterator[str]:
            text = _line(value) + "\n"
            digest.update(text.encode())
            buffer.append(text[:-1] + ",\n")
            if len(buffer) >= 500:
                yield "".join(buffer)
                buffer.clear()

        users = User.objects.filter(pk__in=_user_ids(workspace, tables)).order_by("pk")
        yield from emit({"table": USER_TABLE, "columns": USER_COLUMNS})
        counts[USER_TABLE] = 0
        for row in users.values_list(*USER_COLUMNS).iterator(chunk_size=2000):
            counts[USER_TABLE] += 1
            yield from emit(list(row))
        for model, path in tables:
            label = _label(model)
            names = [f.attname for f in _columns(model)]
            yield from emit({"table": label, "columns": names})
            counts[label] = 0
            rows = model._base_manager.filter(**{path: workspace.pk}).order_by("pk").values_list(*names)
            for row in rows.iterator(chunk_size=2000):
                counts[label] += 1
                yield from emit(list(row))
        for spec in SQL_TABLES:
            yield from emit({"table": spec.label, "columns": list(spec.columns)})
            counts[spec.label] = 0
            for row in _sql_rows(spec, workspace.pk):
                counts[spec.label] += 1
                yield from emit(list(row))
        buffer.append('{"end":true}\n')
        yield "".join(buffer)
        yield "]," + _line({"counts": counts, "checksum": f"sha256:{digest.hexdigest()}"})[1:] + "\n"


def workspace_export_filename(workspace: Workspace) -> str:
    return f"waymark-{workspace.slug}-{timezone.now():%Y%m%d-%H%M%S}.json"


# --- reading back -------------------------------------------------------------------------


@dataclass
class RestoreResult:
    workspace: Workspace
    counts: dict[str, int] = field(default_factory=dict)
    users_created: int = 0
    users_matched: int = 0


def _bad(message: str) -> ValidationError:
    return ValidationError({"file": [message]})


def _decode(line: bytes | str, number: int):
    text = line.decode("utf-8") if isinstance(line, bytes) else line
    text = text.rstrip("\r\n")
    if text.endswith(","):
        text = text[:-1]
    try:
        return json.loads(text)
    except ValueError as exc:
        raise _bad(_("Line %(n)d is not valid JSON: the file is damaged or not a Waymark export.") % {"n": number}) \
            from exc


def _read_header(first: bytes | str) -> dict:
    text = first.decode("utf-8", "replace") if isinstance(first, bytes) else first
    text = text.rstrip("\r\n")
    if not text.endswith('"records":['):
        raise _bad(_("This is not a Waymark workspace export (its first line is not an export's header)."))
    try:
        header = json.loads(text + "]}")
    except ValueError as exc:
        raise _bad(_("This is not a Waymark workspace export (its header is not valid JSON).")) from exc
    if header.get("format") != FORMAT:
        raise _bad(_("This is not a Waymark workspace export."))
    version = header.get("schema_version")
    if version != SCHEMA_VERSION:
        raise _bad(_("This export has schema version %(file)s; this Waymark reads version %(ours)s. Restore it "
                     "with the Waymark version that made it, then export again.") % {
            "file": version, "ours": SCHEMA_VERSION})
    if header.get("migrations") != _migrations():
        raise _bad(_("This export was made by a Waymark with a different database schema (migrations %(file)s; "
                     "here %(ours)s). Restore it with the same Waymark version.") % {
            "file": header.get("migrations"), "ours": _migrations()})
    return header


class _Writer:
    """Batches the rows of one table into INSERTs, with users mapped to the target's."""

    def __init__(self, label: str, columns: list[str], user_map: dict[int, int]) -> None:
        self.label, self.columns, self.rows = label, columns, []
        self.count = 0
        self.months: set[str] = set()
        if label in SQL_BY_LABEL:
            spec = SQL_BY_LABEL[label]
            if list(spec.columns) != columns:
                raise self._schema_error()
            self.table = spec.table
            self.prepare = [(lambda v: Json(v)) if c in spec.json_columns else (lambda v: v) for c in columns]
            self.user_columns: set[int] = set()
            return
        try:
            model = apps.get_model(label)
        except (LookupError, ValueError) as exc:
            raise _bad(_("The export holds a table this Waymark does not know: %(t)s.") % {"t": label}) from exc
        by_attname = {f.attname: f for f in _columns(model)}
        if label in EXCLUDED or set(columns) != set(by_attname) or len(columns) != len(by_attname):
            raise self._schema_error()
        self.model, self.table = model, model._meta.db_table
        fields = [by_attname[c] for c in columns]
        self.prepare = [self._preparer(f) for f in fields]
        self.user_columns = {i for i, f in enumerate(fields) if f.is_relation and f.related_model is User}
        self.user_map = user_map

    def _schema_error(self) -> ValidationError:
        return _bad(_("The columns of %(t)s in the export differ from this Waymark's: it was made by another "
                      "version.") % {"t": self.label})

    @staticmethod
    def _preparer(f: models.Field):
        def prepare(value):
            if value is None:
                return None
            return f.get_db_prep_save(f.to_python(value), connection)
        return prepare

    def add(self, row: list) -> None:
        if not isinstance(row, list) or len(row) != len(self.columns):
            raise _bad(_("A row of %(t)s does not match its columns: the file is damaged.") % {"t": self.label})
        for i in self.user_columns:
            if row[i] is not None:
                row[i] = self.user_map.get(row[i])
        try:
            self.rows.append(tuple(prep(value) for prep, value in zip(self.prepare, row, strict=True)))
        except (ValidationError, ValueError, TypeError) as exc:
            raise _bad(_("A value of %(t)s cannot be read: %(e)s") % {"t": self.label, "e": exc}) from exc
        if self.label == "roadmap.usage_event":
            self.months.add(str(row[self.columns.index("occurred_at")])[:7])
        if len(self.rows) >= INSERT_BATCH:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        with connection.cursor() as cursor:
            if self.months:
                cursor.execute("SELECT roadmap_usage_event_ensure_partition(m) FROM unnest(%s::date[]) AS m",
                               [[f"{month}-01" for month in sorted(self.months)]])
                self.months.clear()
            # The table and its columns were checked against this Waymark's schema (__init__).
            names = ", ".join(connection.ops.quote_name(c) for c in self.columns)
            sql = f"INSERT INTO {connection.ops.quote_name(self.table)} ({names}) VALUES %s"  # noqa: S608
            try:
                with transaction.atomic():
                    execute_values(cursor, sql, self.rows, page_size=INSERT_BATCH)
            except IntegrityError as exc:
                raise _bad(_("The target already holds rows of %(t)s with the ids of this export: restore into an "
                             "empty Waymark (a fresh database after `migrate`). Nothing was written.") % {
                    "t": self.label}) from exc
        self.count += len(self.rows)
        self.rows = []


def _map_users(rows: list[list], columns: list[str]) -> tuple[dict[int, int], int, int]:
    if columns != USER_COLUMNS:
        raise _bad(_("The people in the export are not in the expected shape: it was made by another version."))
    wanted = [dict(zip(columns, row, strict=True)) for row in rows]
    addresses = [str(w["email"]).lower() for w in wanted]
    existing = dict(User.objects.annotate(address=Lower("email")).filter(address__in=addresses)
                    .values_list("address", "pk"))
    mapping, created = {}, 0
    for person in wanted:
        found = existing.get(person["email"].lower())
        if found is None:
            user = User(email=person["email"], full_name=person["full_name"] or "", is_active=bool(person["is_active"]),
                        date_joined=dt.datetime.fromisoformat(person["date_joined"]))
            user.set_unusable_password()
            user.save()
            found, created = user.pk, created + 1
        mapping[person["id"]] = found
    return mapping, created, len(wanted) - created


def _reset_sequences(tables: Iterable[type[models.Model]]) -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), list(tables))
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def workspace_restore_check(*, actor: User) -> None:
    """Restoring creates a workspace and accounts: operators only (staff). Raises PermissionDenied."""
    if not (actor.is_active and (actor.is_staff or actor.is_superuser)):
        raise PermissionDenied(_("Only the instance's operators (staff accounts) may restore a workspace."))


def workspace_restore(*, lines: Iterable[bytes | str]) -> RestoreResult:
    """Recreate the workspace of an export, read a line at a time, in one transaction: rows keep
    their ids, people are matched by email (or made, without a password). Raises ValidationError
    (on `file`) for a file that is not an export, is damaged or of another schema version, or a
    target that already holds the workspace or its rows; then nothing is written."""
    iterator = iter(lines)
    first = next(iterator, None)
    if first is None:
        raise _bad(_("The file is empty."))
    header = _read_header(first)
    slug = (header.get("workspace") or {}).get("slug")
    if Workspace.objects.filter(slug=slug).exists():
        raise _bad(_("A workspace with the address “%(slug)s” already exists here: restore into an empty Waymark, "
                     "or rename that workspace first.") % {"slug": slug})
    digest = hashlib.sha256()
    counts: dict[str, int] = {}
    user_map: dict[int, int] = {}
    created = matched = 0
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            writer: _Writer | None = None
            users: list[list] | None = None
            user_columns: list[str] = []
            restored_models: list[type[models.Model]] = []
            trailer = None
            for number, raw in enumerate(iterator, start=2):
                value = _decode(raw, number)
                if isinstance(value, dict) and value.get("end") is True:
                    trailer_line = next(iterator, None)
                    if trailer_line is None:
                        raise _bad(_("The file ends early: it was cut off."))
                    text = (trailer_line.decode() if isinstance(trailer_line, bytes) else trailer_line).strip()
                    try:
                        trailer = json.loads("{" + text[2:]) if text.startswith("],") else None
                    except ValueError:
                        trailer = None
                    if trailer is None:
                        raise _bad(_("The end of the file is damaged."))
                    break
                digest.update((_line(value) + "\n").encode())
                if isinstance(value, dict) and "table" in value:
                    if writer is not None:
                        writer.flush()
                        counts[writer.label] = writer.count
                    if users is not None:  # the people come first; the rows after them name them
                        user_map, created, matched = _map_users(users, user_columns)
                        counts[USER_TABLE] = len(users)
                        users = None
                    if value["table"] == USER_TABLE:
                        users, user_columns, writer = [], value.get("columns") or [], None
                        continue
                    writer = _Writer(value["table"], value.get("columns") or [], user_map)
                    if hasattr(writer, "model"):
                        restored_models.append(writer.model)
                    continue
                if users is not None:
                    users.append(value)
                elif writer is None:
                    raise _bad(_("Line %(n)d is a row outside any table: the file is damaged.") % {"n": number})
                else:
                    writer.add(value)
            if trailer is None:
                raise _bad(_("The file ends early: it was cut off."))
            if writer is not None:
                writer.flush()
                counts[writer.label] = writer.count
            if trailer.get("checksum") != f"sha256:{digest.hexdigest()}":
                raise _bad(_("The file's checksum does not match its records: it was changed or damaged."))
            if trailer.get("counts") != counts:
                raise _bad(_("The file's counts do not match its records: it is damaged."))
            _reset_sequences(restored_models)
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # every link checked before the commit
            workspace = Workspace.objects.get(slug=slug)
            result = RestoreResult(workspace=workspace, counts=counts, users_created=created, users_matched=matched)
    except IntegrityError as exc:
        raise _bad(_("The export's rows do not fit together or clash with rows already here (%(e)s). "
                     "Nothing was written.") % {"e": str(exc).splitlines()[0]}) from exc
    except DatabaseError as exc:
        raise _bad(_("The database refused the export (%(e)s). Nothing was written.") % {
            "e": str(exc).splitlines()[0]}) from exc
    return result


def workspace_restore_file(*, path: str) -> RestoreResult:
    """`workspace_restore` of a file on disk."""
    with open(path, "rb") as handle:
        return workspace_restore(lines=handle)


