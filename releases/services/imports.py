"""Importing a file of features into a product, from the browser: read it (Waymark's CSV
columns, Jira's or Aha!'s CSV export, or JSON), plan what it would create, update, leave
unchanged and refuse (by row and column, with why), write the plan once someone confirms, and
undo a whole import.

Rules kept here (docs/importing.md explains them to people):
- nothing is written before the confirmation; the write plans again from the stored rows, so a
  change made since the preview is taken into account, and writes through `feature_bulk_upsert`;
- a row's key (Jira's issue key, Aha!'s reference number, `external_id`) becomes the feature's
  external id: importing the same file again updates, and a row that would change nothing is
  "unchanged";
- messy rows are refused with their reason, never guessed: a placeholder version ("0.0", "TBD"),
  a month without a day, a key already on an earlier row, a status the workflow lacks, a date
  outside the accepted range, a title too long. An unknown assignee or initiative is a warning:
  the row is imported without it;
- releases are matched by name (or version); a new one is created with the dates the file
  gives for it (its own columns, else its features' dates), and a row naming one the file
  gives no date for is refused;
- undo deletes what the import created and puts back what it updated, all or nothing; it is
  refused, naming them, when any of those records changed after the import."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import logging
import re
from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as KombuOperationalError
from redis.exceptions import RedisError

from strategy import access
from strategy.history import bulk_delete_with_history, bulk_save_with_history
from strategy.limits import DATE_MAX, DATE_MIN, TAG_MAX_LENGTH, TAGS_MAX_COUNT, TEXT_MAX_LENGTH, date_range_message
from strategy.models import EXTERNAL_ID_MAX_LENGTH, Initiative, Membership, Product, User
from strategy.selectors import product_lineage_ids

from .. import tasks
from ..models import Feature, Import, Release, WorkflowStatus
from ..signals import send_features_changed
from .features import _open_statuses, feature_bulk_upsert
from .releases import release_create

logger = logging.getLogger(__name__)

TITLE_MAX_LENGTH = Feature._meta.get_field("title").max_length
RELEASE_NAME_MAX_LENGTH = Release._meta.get_field("name").max_length
# How many rows of each outcome the plan keeps to show (the counts cover them all).
PREVIEW_ROWS_SHOWN = 200
WRITE_BATCH = 500

# The fields a row can set, in the order the preview shows them.
FIELDS = ("external_id", "title", "description", "status", "release", "release_start", "release_date",
          "start_date", "end_date", "estimate", "assignee", "tags", "initiative", "external_url")
FIELD_LABELS = {
    "external_id": _("key"), "title": _("title"), "description": _("description"), "status": _("status"),
    "release": _("release"), "release_start": _("release start"), "release_date": _("release date"),
    "start_date": _("start"), "end_date": _("end"), "estimate": _("estimate"), "assignee": _("assignee"),
    "tags": _("tags"), "initiative": _("initiative"), "external_url": _("link"),
}
# The columns of each format: column name (lower case) → field. Columns not named are ignored
# (the preview lists them). A field whose column repeats (Jira's "Fix Version/s", "Labels")
# collects every cell.
GENERIC_COLUMNS = {
    "key": "external_id", "external_id": "external_id", "external id": "external_id", "title": "title",
    "description": "description", "status": "status", "release": "release", "release_start": "release_start",
    "release start": "release_start", "release_date": "release_date", "release date": "release_date",
    "start_date": "start_date", "start date": "start_date", "start": "start_date", "end_date": "end_date",
    "end date": "end_date", "end": "end_date", "estimate": "estimate", "assignee": "assignee",
    "assignee_email": "assignee", "assignee email": "assignee", "tags": "tags", "initiative": "initiative",
    "external_url": "external_url", "url": "external_url", "link": "external_url",
}
JIRA_COLUMNS = {
    "issue key": "external_id", "summary": "title", "description": "description", "status": "status",
    "fix version/s": "release", "fix versions": "release", "assignee": "assignee", "start date": "start_date",
    "custom field (start date)": "start_date", "due date": "end_date", "labels": "tags",
    "custom field (story points)": "estimate", "story points": "estimate",
    "custom field (story point estimate)": "estimate",
}
AHA_COLUMNS = {
    "feature reference #": "external_id", "feature name": "title", "feature description": "description",
    "feature status": "status", "release name": "release", "release start date": "release_start",
    "release date": "release_date", "feature start date": "start_date", "feature due date": "end_date",
    "feature assigned to": "assignee", "tags": "tags", "feature tags": "tags", "initiative name": "initiative",
    "feature original estimate": "estimate", "feature url": "external_url",
}
COLUMNS = {Import.Format.GENERIC: GENERIC_COLUMNS, Import.Format.JIRA: JIRA_COLUMNS, Import.Format.AHA: AHA_COLUMNS,
           Import.Format.JSON: GENERIC_COLUMNS}
# Fields read from several cells or split on commas.
LIST_FIELDS = ("release", "tags")

PLACEHOLDER_RELEASE = re.compile(
    r"^(0+(\.0+)*|v?0+(\.0+)*|tbd|tba|tbc|n/?a|none|null|unscheduled|unplanned|backlog|future|later|someday|"
    r"-+|\?+|x(\.x)+)$", re.IGNORECASE)
# "2024-03", "03/2024", "Mar 2024", "March-2024", "Q1 2024": a month (or quarter) without a day.
MONTH_NAMES = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*"
MONTH_ONLY = re.compile(rf"^\d{{4}}[-/.]\d{{1,2}}$|^{MONTH_NAMES}\.?[ -,]*\d{{4}}$|^\d{{1,2}}[-/.]\d{{4}}$"
                        rf"|^q[1-4][ -]?\d{{4}}$|^\d{{4}}[ -]?q[1-4]$", re.IGNORECASE)
ISO_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?$")
# Jira's "12/Mar/24 10:00 AM", Aha!'s and people's "12 Mar 2024", "Mar 12, 2024".
NAMED_MONTH_FORMATS = ("%d/%b/%y %I:%M %p", "%d/%b/%y", "%d/%b/%Y %I:%M %p", "%d/%b/%Y", "%d %b %Y", "%d %B %Y",
                       "%b %d, %Y", "%B %d, %Y", "%b %d %Y", "%B %d %Y", "%d-%b-%Y", "%d-%b-%y")


class ImportFileError(ValidationError):
    """The file itself cannot be read: the form shows it on its file field."""


# --- reading the file -----------------------------------------------------------


def read_file(*, name: str, content: bytes) -> tuple[str, list[dict], list[str]]:
    """(format, rows, ignored columns) of an uploaded file. Each row is
    {"row": its line in the file (the header is 1; JSON counts items from 1),
    "fields": {field: text or list of texts}, "columns": {field: the column it came from}}.
    Raises ImportFileError for a file that is not a readable CSV or JSON of features."""
    if not content.strip():
        raise ImportFileError(_("The file is empty."))
    import_size_check(len(content))
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(_("The file is not UTF-8 text (byte %(at)d). Save or export it as UTF-8 CSV.") % {
            "at": exc.start + 1}) from exc
    if "\x00" in text:
        raise ImportFileError(_("This is not a text file. Upload a CSV or JSON file."))
    stripped = text.lstrip()
    if name.lower().endswith(".json") or stripped[:1] in ("[", "{"):
        fmt, rows, ignored = Import.Format.JSON, *_read_json(stripped)
    else:
        fmt, rows, ignored = _read_csv(text)
    if not rows:
        raise ImportFileError(_("The file has no rows below its header."))
    if len(rows) > settings.IMPORT_MAX_ROWS:
        raise ImportFileError(_("The file has %(count)d rows; at most %(limit)d can be imported at once.") % {
            "count": len(rows), "limit": settings.IMPORT_MAX_ROWS})
    return fmt, rows, ignored


def import_size_check(size: int) -> None:
    """Raises ImportFileError for a file past `settings.IMPORT_MAX_BYTES` (checked before reading it)."""
    if size > settings.IMPORT_MAX_BYTES:
        raise ImportFileError(_("The file is %(size)s MB; at most %(limit)s MB can be imported at once.") % {
            "size": f"{size / 1_000_000:.1f}", "limit": f"{settings.IMPORT_MAX_BYTES / 1_000_000:g}"})


def detect_format(headers: list[str]) -> str | None:
    names = {header.strip().lower() for header in headers}
    if {"issue key", "summary"} <= names:
        return Import.Format.JIRA
    if "feature name" in names or "feature reference #" in names:
        return Import.Format.AHA
    if "title" in names:
        return Import.Format.GENERIC
    return None


def _read_csv(text: str) -> tuple[str, list[dict], list[str]]:
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        table = list(csv.reader(io.StringIO(text, newline=""), dialect))
    except csv.Error as exc:
        raise ImportFileError(_("The file is not a readable CSV: %(error)s") % {"error": exc}) from exc
    if not table or not any(cell.strip() for cell in table[0]):
        raise ImportFileError(_("The file has no header row."))
    headers = [cell.strip() for cell in table[0]]
    fmt = detect_format(headers)
    if fmt is None:
        raise ImportFileError(_(
            "Its columns are not Waymark's (a “title” column), Jira's (“Issue key” and “Summary”) or Aha!'s "
            "(“Feature name”). The columns found: %(columns)s.") % {"columns": ", ".join(headers[:12])})
    mapping = COLUMNS[fmt]
    ignored = sorted({h for h in headers if h and h.lower() not in mapping})
    rows = []
    for line, cells in enumerate(table[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue  # a blank line is not a row
        fields: dict = {}
        columns: dict = {}
        for header, cell in zip(headers, cells, strict=False):
            field = mapping.get(header.lower())
            if field is None:
                continue
            columns.setdefault(field, header)
            if field in LIST_FIELDS:
                fields.setdefault(field, []).extend(_split_list(cell, fmt, field))
            elif field not in fields or not fields[field].strip():
                fields[field] = cell
        rows.append({"row": line, "fields": fields, "columns": columns})
    return fmt, rows, ignored


def _split_list(cell: str, fmt: str, field: str) -> list[str]:
    cell = cell.strip()
    if not cell:
        return []
    if field == "tags" and fmt != Import.Format.JIRA:
        return [part.strip() for part in cell.split(",") if part.strip()]
    if field == "tags":
        return [part for part in cell.split() if part]  # a Jira label has no spaces; one per column
    return [cell]


def _read_json(text: str) -> tuple[list[dict], list[str]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFileError(_("The file is not valid JSON (line %(line)d: %(error)s).") % {
            "line": exc.lineno, "error": exc.msg}) from exc
    if isinstance(data, dict) and isinstance(data.get("items"), list):
        data = data["items"]
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise ImportFileError(_("The JSON must be a list of objects (or {\"items\": [...]}), one per feature."))
    rows, ignored = [], set()
    for number, item in enumerate(data, start=1):
        fields, columns = {}, {}
        for key, value in item.items():
            field = GENERIC_COLUMNS.get(str(key).strip().lower())
            if field is None:
                ignored.add(str(key))
                continue
            columns[field] = key
            if field in LIST_FIELDS:
                values = value if isinstance(value, list) else [value]
                fields[field] = [str(v).strip() for v in values if v not in (None, "") and str(v).strip()]
                if field == "tags" and not isinstance(value, list):
                    fields[field] = _split_list(str(value or ""), Import.Format.JSON, "tags")
            else:
                fields[field] = "" if value is None else str(value)
        rows.append({"row": number, "fields": fields, "columns": columns})
    return rows, sorted(ignored)


# --- cell values ----------------------------------------------------------------


class CellError(Exception):
    pass


def parse_date(text: str) -> date | None:
    """A day from a cell: ISO (2024-03-12, with or without a time), Jira's 12/Mar/24, or a day
    with a named month. Raises CellError for a month without a day, an ambiguous 03/04/2024,
    a day that does not exist, or one outside the accepted range."""
    text = (text or "").strip()
    if not text:
        return None
    if MONTH_ONLY.match(text):
        raise CellError(_("“%(text)s” names a month, not a day: write the day (2024-03-31).") % {"text": text})
    day = None
    match = ISO_DAY.match(text)
    if match:
        try:
            day = date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError as exc:
            raise CellError(_("“%(text)s” is not a day that exists.") % {"text": text}) from exc
    elif re.match(r"^\d{1,2}[/.]\d{1,2}[/.]\d{2,4}$", text):
        raise CellError(_("“%(text)s” could be day/month or month/day: write it as 2024-03-12.") % {"text": text})
    else:
        for pattern in NAMED_MONTH_FORMATS:
            try:
                day = datetime.strptime(text, pattern).date()
                break
            except ValueError:
                continue
    if day is None:
        raise CellError(_("“%(text)s” is not a date: write it as 2024-03-12.") % {"text": text})
    if not DATE_MIN <= day <= DATE_MAX:
        raise CellError(date_range_message())
    return day


def parse_estimate(text: str) -> Decimal | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        value = Decimal(text.replace(",", "."))
    except InvalidOperation as exc:
        raise CellError(_("“%(text)s” is not a number.") % {"text": text}) from exc
    if not value.is_finite() or value < 0 or value >= Decimal("100000"):
        raise CellError(_("An estimate is a number from 0 to 99999.9."))
    return value.quantize(Decimal("0.1"))


# --- planning -------------------------------------------------------------------


class Context:
    """What planning a file reads once for all its rows (a fixed few queries)."""

    def __init__(self, product: Product, rows: list[dict]):
        self.product = product
        workspace_id = product.workspace_id
        # Read, not `_open_statuses`: a preview writes nothing, not even a default workflow.
        self.statuses = {status.name.lower(): status for status in WorkflowStatus.objects.filter(
            workspace_id=workspace_id, retired_at__isnull=True)}
        self.status_names = [status.name for status in sorted(self.statuses.values(), key=lambda s: s.position)]
        self.releases: dict[str, Release] = {}
        for release in Release.objects.filter(product=product).order_by("-release_date"):
            for name in (release.name, release.version_label, str(release)):
                if name:
                    self.releases.setdefault(name.strip().lower(), release)
        self.members: dict[str, int | None] = {}
        self.emails: dict[int, str] = {}
        names: dict[str, set[int]] = defaultdict(set)
        for user_id, email, full_name in Membership.objects.filter(workspace_id=workspace_id).values_list(
                "user_id", "user__email", "user__full_name"):
            self.members[email.lower()] = user_id
            self.emails[user_id] = email.lower()
            if full_name:
                names[full_name.strip().lower()].add(user_id)
        for name, ids in names.items():
            # A name two members share names nobody.
            self.members.setdefault(name, next(iter(ids)) if len(ids) == 1 else None)
        self.initiatives: dict[str, int] = {}
        lineage = product_lineage_ids(product)
        for pk, name in Initiative.objects.filter(product_id__in=lineage).values_list("pk", "name"):
            self.initiatives.setdefault(name.strip().lower(), pk)
        keys = {str(row["fields"].get("external_id") or "").strip() for row in rows} - {""}
        found = Feature.objects.filter(workspace_id=workspace_id, external_id__in=keys).select_related(
            "product", "status", "release", "initiative", "assignee")
        self.existing = {feature.external_id: feature for feature in found}


def _value_text(field: str, value) -> str:
    """How the preview shows a value."""
    if value in (None, "", []):
        return "—"
    if isinstance(value, list):
        return ", ".join(value)
    return str(value)


def _current(feature: Feature, field: str):
    """A feature's value of `field` as the plan compares it (names rather than ids)."""
    if field == "status":
        return feature.status.name
    if field == "release":
        return feature.release.name if feature.release_id else None
    if field == "initiative":
        return feature.initiative.name if feature.initiative_id else None
    if field == "assignee":
        return feature.assignee.email.lower() if feature.assignee_id else None
    if field in ("start_date", "end_date"):
        value = getattr(feature, field)
        return value.isoformat() if value else None
    if field == "estimate":
        return str(feature.estimate) if feature.estimate is not None else None
    if field == "tags":
        return list(feature.tags or [])
    return getattr(feature, field) or ""


def _plan_row(row: dict, context: Context, first_row_of: dict, release_dates: dict) -> dict:
    """One row's outcome: its values (as JSON, names for related records), its errors by
    column and its warnings. Notes release dates the row gives into `release_dates`."""
    fields, columns = row["fields"], row["columns"]
    errors: list[dict] = []
    warnings: list[dict] = []
    values: dict = {}

    def refuse(field: str, message: str) -> None:
        errors.append({"column": columns.get(field, FIELD_LABELS[field]), "message": message})

    def warn(field: str, message: str) -> None:
        warnings.append({"column": columns.get(field, FIELD_LABELS[field]), "message": message})

    key = str(fields.get("external_id") or "").strip()
    if len(key) > EXTERNAL_ID_MAX_LENGTH:
        refuse("external_id", _("A key has at most %(limit)d characters.") % {"limit": EXTERNAL_ID_MAX_LENGTH})
    elif key and key in first_row_of:
        refuse("external_id", _("The key %(key)s is already on row %(row)d; only the first row with a key is "
                                "read.") % {"key": key, "row": first_row_of[key]})
    elif key:
        first_row_of[key] = row["row"]
        values["external_id"] = key
    elif "external_id" in columns:
        warn("external_id", _("No key: importing this file again will create this feature again."))

    title = " ".join(str(fields.get("title") or "").split())
    if not title:
        refuse("title", _("The title is empty."))
    elif len(title) > TITLE_MAX_LENGTH:
        refuse("title", _("The title has %(length)d characters; at most %(limit)d.") % {
            "length": len(title), "limit": TITLE_MAX_LENGTH})
    else:
        values["title"] = title

    if "description" in fields:
        description = str(fields["description"]).replace("\r\n", "\n").strip()
        if len(description) > TEXT_MAX_LENGTH:
            refuse("description", _("The description has %(length)d characters; at most %(limit)d.") % {
                "length": len(description), "limit": TEXT_MAX_LENGTH})
        values["description"] = description

    status_name = str(fields.get("status") or "").strip()
    if status_name:
        status = context.statuses.get(status_name.lower())
        if status is None:
            refuse("status", _("“%(name)s” is not a status of this workspace's workflow: %(names)s.") % {
                "name": status_name, "names": ", ".join(context.status_names)})
        else:
            values["status"] = status.name

    for field in ("start_date", "end_date", "release_start", "release_date"):
        if field not in fields:
            continue
        try:
            day = parse_date(str(fields[field]))
        except CellError as exc:
            refuse(field, str(exc))
            continue
        if field in ("start_date", "end_date"):
            values[field] = day.isoformat() if day else None
        elif day:
            values[field] = day.isoformat()
    if values.get("start_date") and values.get("end_date") and values["end_date"] < values["start_date"]:
        refuse("end_date", _("The end (%(end)s) is before the start (%(start)s).") % {
            "end": values["end_date"], "start": values["start_date"]})

    new_release = None
    if "release" in fields:
        names = list(dict.fromkeys(name.strip() for name in fields["release"] if name.strip()))
        if len(names) > 1:
            refuse("release", _("It names %(count)d releases (%(names)s); a feature is in one release.") % {
                "count": len(names), "names": ", ".join(names)})
        elif names:
            name = names[0]
            release = context.releases.get(name.lower())
            if release is not None:
                values["release"] = release.name
            elif PLACEHOLDER_RELEASE.match(name):
                refuse("release", _("“%(name)s” looks like a placeholder, not a release: leave the cell empty to "
                                    "import the feature without a release, or name a real release.") % {"name": name})
            elif len(name) > RELEASE_NAME_MAX_LENGTH:
                refuse("release", _("A release name has at most %(limit)d characters.") % {
                    "limit": RELEASE_NAME_MAX_LENGTH})
            else:
                values["release"] = name
                new_release = name
        else:
            values["release"] = None

    if "estimate" in fields:
        try:
            estimate = parse_estimate(str(fields["estimate"]))
            values["estimate"] = str(estimate) if estimate is not None else None
        except CellError as exc:
            refuse("estimate", str(exc))

    if "assignee" in fields:
        who = str(fields["assignee"] or "").strip()
        if not who or who.lower() == "unassigned":
            values["assignee"] = None
        elif context.members.get(who.lower()) is None:
            warn("assignee", _("%(who)s is not a member of this workspace: imported without an assignee.") % {
                "who": who})
        else:
            values["assignee"] = context.emails[context.members[who.lower()]]

    if "tags" in fields:
        tags = sorted({tag.strip().lower() for tag in fields["tags"] if tag.strip()})
        if any(len(tag) > TAG_MAX_LENGTH for tag in tags):
            refuse("tags", _("A tag has at most %(limit)d characters.") % {"limit": TAG_MAX_LENGTH})
        elif len(tags) > TAGS_MAX_COUNT:
            refuse("tags", _("At most %(limit)d tags; it has %(count)d.") % {"limit": TAGS_MAX_COUNT,
                                                                                "count": len(tags)})
        values["tags"] = tags

    if "initiative" in fields:
        name = str(fields["initiative"] or "").strip()
        if not name:
            values["initiative"] = None
        elif name.lower() not in context.initiatives:
            warn("initiative", _("No initiative of %(product)s is called “%(name)s”: imported without one.") % {
                "product": context.product.name, "name": name})
        else:
            values["initiative"] = name

    if "external_url" in fields:
        url = str(fields["external_url"] or "").strip()
        if url and not re.match(r"^https?://\S+$", url):
            refuse("external_url", _("“%(url)s” is not a web address.") % {"url": url[:80]})
        values["external_url"] = url
    if new_release and not errors:
        # A refused row gives a new release neither its dates nor its name.
        dates = release_dates.setdefault(new_release.lower(), {"name": new_release, "starts": [], "ends": [],
                                                               "rows": []})
        dates["rows"].append(row["row"])
        if values.get("release_start"):
            dates["starts"].insert(0, ("file", values["release_start"]))
        if values.get("release_date"):
            dates["ends"].insert(0, ("file", values["release_date"]))
        for day in (values.get("start_date"), values.get("end_date")):
            if day:
                dates["starts"].append(("feature", day))
                dates["ends"].append(("feature", day))
    return {"row": row["row"], "key": key, "title": title or "", "values": values, "errors": errors,
            "warnings": warnings}


def _release_plan(context: Context, release_dates: dict) -> tuple[list[dict], dict[str, str]]:
    """The new releases the rows name, with their dates ({"name", "start_date", "release_date",
    "rows"}), and for each that has no date, why."""
    releases, undated = [], {}
    for key, found in release_dates.items():
        starts = [day for source, day in found["starts"] if source == "file"] or sorted(
            day for _source, day in found["starts"])
        ends = [day for source, day in found["ends"] if source == "file"] or sorted(
            (day for _source, day in found["ends"]), reverse=True)
        if not ends:
            undated[key] = _("The release “%(name)s” does not exist and the file gives no date for it (no release date "
                             "and no dates on its features): create it first or add a release date column.") % {
                "name": found["name"]}
            continue
        release_date = ends[0]
        start = min(starts[0], release_date) if starts else release_date
        releases.append({"name": found["name"], "start_date": start, "release_date": release_date,
                         "rows": found["rows"]})
    return releases, undated


def plan(*, product: Product, rows: list[dict]) -> dict:
    """What writing `rows` into `product` would do, as JSON: every row's outcome (create,
    update with the fields that change, unchanged, refused with its reasons), the releases it
    would create, and the counts. Reads a fixed few queries; writes nothing."""
    context = Context(product, rows)
    columns_of = {row["row"]: row["columns"] for row in rows}
    first_row_of: dict[str, int] = {}
    release_dates: dict = {}
    planned = [_plan_row(row, context, first_row_of, release_dates) for row in rows]
    new_releases, undated = _release_plan(context, release_dates)
    outcome = {"create": [], "update": [], "unchanged": [], "refused": []}
    for item in planned:
        name = item["values"].get("release")
        if name and name.lower() in undated:
            item["errors"].append({"column": columns_of[item["row"]].get("release", FIELD_LABELS["release"]),
                                   "message": undated[name.lower()]})
        record = context.existing.get(item["key"]) if item["key"] else None
        if record is not None and record.product_id != product.pk and not item["errors"]:
            item["errors"].append({"column": columns_of[item["row"]].get("external_id", FIELD_LABELS["external_id"]),
                                   "message": _(
                "The key %(key)s is feature %(feature)s of %(product)s; a feature cannot move to another "
                "product.") % {"key": item["key"], "feature": record.key, "product": record.product.name}})
        if item["errors"]:
            item["action"] = "refused"
        elif record is None:
            item["action"] = "create"
        else:
            item["feature_id"] = record.pk
            item["feature_key"] = record.key
            changes = {}
            for field, value in item["values"].items():
                if field in ("release_start", "release_date", "external_id"):
                    continue
                current = _current(record, field)
                if (current or None) != (value or None):
                    changes[field] = [_value_text(field, current), _value_text(field, value)]
            item["changes"] = changes
            item["action"] = "update" if changes else "unchanged"
        outcome[item["action"]].append(item)
    used = {(item["values"].get("release") or "").lower() for item in outcome["create"] + outcome["update"]
            if item["values"].get("release")}
    new_releases = [release for release in new_releases if release["name"].lower() in used]
    return {
        "counts": {name: len(items) for name, items in outcome.items()} | {"releases": len(new_releases)},
        "warnings": sum(1 for item in planned if item["warnings"] and item["action"] != "refused"),
        "rows": {name: items for name, items in outcome.items()},
        "releases": new_releases,
    }


def preview_plan(full: dict) -> dict:
    """The plan as stored for the preview page: every count, every refused row, and the first
    rows of each other outcome."""
    shown = dict(full)
    shown["rows"] = {name: (items if name == "refused" else items[:PREVIEW_ROWS_SHOWN])
                     for name, items in full["rows"].items()}
    return shown


# --- the import record ------------------------------------------------------------


@transaction.atomic
def import_preview(*, actor: User, product: Product, name: str, content: bytes) -> Import:
    """Read an uploaded file and store it with its plan (the preview): nothing else is written.
    Raises PermissionDenied, or ImportFileError for a file that cannot be read."""
    access.ensure_can(actor, "releases.edit", product)
    fmt, rows, ignored = read_file(name=name, content=content)
    full = plan(product=product, rows=rows)
    full["ignored_columns"] = ignored
    return Import.objects.create(workspace_id=product.workspace_id, product=product, created_by=actor,
                                 file_name=name[:255], format=fmt, rows=rows, plan=preview_plan(full),
                                 total=full["counts"]["create"] + full["counts"]["update"])


def progress_key(import_id: int) -> str:
    return f"releases:import-progress:{import_id}"


def import_progress(record: Import) -> int:
    """Rows written so far: the cache while the write runs (its transaction is not visible yet)."""
    if record.status == Import.Status.RUNNING:
        try:
            return int(cache.get(progress_key(record.pk)) or 0)
        except RedisError:
            return 0
    return record.written


def import_confirm(*, actor: User, record: Import) -> Import:
    """Write a previewed import: at once when it is small, by a Celery task past
    `settings.IMPORT_BACKGROUND_ROWS` rows (the page then shows its progress). Raises
    PermissionDenied, or ValidationError when it is not waiting for a confirmation."""
    access.ensure_can(actor, "releases.edit", record.product)
    with transaction.atomic():
        record = Import.objects.select_for_update().get(pk=record.pk)
        if record.status != Import.Status.PREVIEWED:
            raise ValidationError(_("This import was already confirmed."))
        record.status = Import.Status.RUNNING
        record.confirmed_by = actor
        record.save(update_fields=["status", "confirmed_by", "updated_at"])
        background = len(record.rows) > settings.IMPORT_BACKGROUND_ROWS
        if background:
            transaction.on_commit(lambda: _queue_or_run(tasks.import_run_task, import_run, record.pk))
    if background:
        return Import.objects.get(pk=record.pk)
    return import_run(import_id=record.pk)


def _queue_or_run(task, run, import_id: int) -> None:
    """Queue `task` for the import; with the broker down, `run` it here rather than leave the
    import running (or undoing) forever."""
    try:
        task.apply_async((import_id,), ignore_result=True)
    except KombuOperationalError:
        logger.warning("Broker unreachable: %s of import %s runs in the request", task.name, import_id)
        run(import_id=import_id)


def import_run(*, import_id: int) -> Import:
    """Write a confirmed import (status running) as its plan says, planned again from its rows:
    new releases, then features in batches through `feature_bulk_upsert`, in one transaction;
    stores what was written and what undoing it needs. A failure leaves nothing written and
    the import failed, with the reason. Safe to run twice: only a running import is written."""
    try:
        with transaction.atomic():
            record = Import.objects.select_for_update(of=("self",)).select_related("product", "confirmed_by").filter(
                pk=import_id, status=Import.Status.RUNNING).first()
            if record is None:
                return Import.objects.get(pk=import_id)
            _write(record)
            return record
    except (ValidationError, PermissionDenied) as exc:
        reason = "; ".join(exc.messages) if isinstance(exc, ValidationError) else _(
            "Your role no longer allows importing into this product.")
        Import.objects.filter(pk=import_id).update(status=Import.Status.FAILED, error=reason,
                                                   finished_at=timezone.now())
        return Import.objects.get(pk=import_id)
    except Exception:
        # Whatever went wrong rolled the write back: say so on the page, and let it be logged.
        Import.objects.filter(pk=import_id).update(status=Import.Status.FAILED, error=_(
            "The import stopped on an unexpected error; nothing was written."), finished_at=timezone.now())
        raise


def _write(record: Import) -> None:
    actor, product = record.confirmed_by, record.product
    access.ensure_can(actor, "releases.edit", product)
    full = plan(product=product, rows=record.rows)
    context_statuses = {status.name: status for status in _open_statuses(product.workspace_id)}
    releases = {release.name: release for release in Release.objects.filter(product=product)}
    created_releases = {}
    for new in full["releases"]:
        release = release_create(actor=actor, product=product, name=new["name"],
                                 start_date=date.fromisoformat(new["start_date"]),
                                 release_date=date.fromisoformat(new["release_date"]))
        releases[release.name] = release
        created_releases[str(release.pk)] = release.version
    lowered = {name.lower(): release for name, release in releases.items()}
    for release in Release.objects.filter(product=product):
        for name in (release.version_label, str(release)):
            if name:
                lowered.setdefault(name.lower(), release)
    members = {user.email.lower(): user for user in User.objects.filter(memberships__workspace_id=product.workspace_id)}
    initiatives: dict[str, Initiative] = {}
    for initiative in Initiative.objects.filter(product_id__in=product_lineage_ids(product)):
        initiatives.setdefault(initiative.name.strip().lower(), initiative)
    features = {feature.pk: feature for feature in Feature.objects.select_for_update(of=("self",)).select_related(
        "product", "status", "release", "initiative", "assignee").filter(
        pk__in=[item["feature_id"] for item in full["rows"]["update"]])}

    def model_values(values: dict) -> dict:
        data = {}
        for field, value in values.items():
            if field in ("release_start", "release_date"):
                continue
            if field == "status":
                data["status"] = context_statuses[value]
            elif field == "release":
                data["release"] = lowered[value.lower()] if value else None
            elif field == "assignee":
                data["assignee"] = members[value] if value else None
            elif field == "initiative":
                data["initiative"] = initiatives[value.lower()] if value else None
            elif field in ("start_date", "end_date"):
                data[field] = date.fromisoformat(value) if value else None
            elif field == "estimate":
                data[field] = Decimal(value) if value is not None else None
            else:
                data[field] = value
        return data

    columns_of = {row["row"]: row["columns"] for row in record.rows}
    refused = [{"row": item["row"], "errors": item["errors"]} for item in full["rows"]["refused"]]
    items, rows_of, previous = [], [], {}
    for item in full["rows"]["create"]:
        items.append((None, {"product": product, **model_values(item["values"])}))
        rows_of.append(item)
    for item in full["rows"]["update"]:
        feature = features[item["feature_id"]]
        changes = model_values({field: item["values"][field] for field in item["changes"]})
        previous[str(feature.pk)] = {"fields": _previous_values(feature, changes)}
        items.append((feature, changes))
        rows_of.append(item)
    counts = {"created": 0, "updated": 0, "unchanged": len(full["rows"]["unchanged"]),
              "releases": len(created_releases)}
    created_features = {}
    record.total = len(items)
    for start in range(0, len(items), WRITE_BATCH):
        batch = items[start:start + WRITE_BATCH]
        for item, answer in zip(rows_of[start:start + WRITE_BATCH],
                                feature_bulk_upsert(actor=actor, items=batch), strict=True):
            if isinstance(answer, ValidationError):
                messages = answer.message_dict if hasattr(answer, "error_dict") else {"": answer.messages}
                refused.append({"row": item["row"], "errors": [
                    {"column": columns_of[item["row"]].get(field, FIELD_LABELS[field]) if field in FIELD_LABELS else "",
                     "message": " ".join(texts)} for field, texts in messages.items()]})
                previous.pop(str(item.get("feature_id")), None)
                continue
            feature, result = answer
            counts[result] += 1
            if result == "created":
                created_features[str(feature.pk)] = feature.version
            else:
                previous[str(feature.pk)]["version"] = feature.version
        with contextlib.suppress(RedisError):  # the progress bar is not worth failing the write for
            cache.set(progress_key(record.pk), min(start + WRITE_BATCH, len(items)), timeout=3600)
    counts["refused"] = len(refused)
    record.status = Import.Status.DONE
    record.written = len(items)
    record.result = {"counts": counts, "refused": sorted(refused, key=lambda r: r["row"])}
    record.undo = {"features_created": created_features, "features_updated": previous,
                   "releases_created": created_releases}
    record.finished_at = timezone.now()
    record.rows = []  # written: the file's rows are not needed any more (the plan and result stay)
    record.save()


def _previous_values(feature: Feature, changes: dict) -> dict:
    """The values an update is about to replace, as JSON (ids for related records)."""
    previous = {}
    for field in changes:
        model_field = Feature._meta.get_field(field)
        value = getattr(feature, model_field.attname)
        if isinstance(value, (date, Decimal)):
            value = str(value)
        previous[model_field.attname] = value
    return previous


# --- undo -----------------------------------------------------------------------


def import_undo(*, actor: User, record: Import) -> Import:
    """Undo a whole import: delete the features and releases it created and put back the
    previous values of the features it updated, all in one transaction. Refused
    (ValidationError naming them, nothing changed) when any of those records was changed after
    the import, or a release it created has gained other features since. An import of more
    than `settings.IMPORT_BACKGROUND_ROWS` records is undone by a Celery task (status undoing;
    the page shows it), since deleting thousands of features with their history takes longer
    than a request may. The deletes are set-based and their history rows bulk-written
    (`strategy.history.bulk_delete_with_history`), in a fixed number of statements per batch."""
    access.ensure_can(actor, "releases.edit", record.product)
    with transaction.atomic():
        record = Import.objects.select_for_update(of=("self",)).select_related("product").get(pk=record.pk)
        if record.status != Import.Status.DONE:
            raise ValidationError(_("Only a finished import can be undone."))
        plan = _undo_plan(record)
        record.undone_by = actor
        record.error = ""
        if len(plan["created"]) + len(plan["updated"]) > settings.IMPORT_BACKGROUND_ROWS:
            record.status = Import.Status.UNDOING
            record.save(update_fields=["status", "undone_by", "error", "updated_at"])
            transaction.on_commit(lambda: _queue_or_run(tasks.import_undo_task, import_undo_run, record.pk))
            return record
        _undo(record, plan, actor)
    return record


def import_undo_run(*, import_id: int) -> Import:
    """Undo an import whose undo was queued (status undoing), checking again that nothing it
    wrote changed meanwhile: if something did, the import stays done, with the reason in its
    error. Safe to run twice: only an import being undone is touched."""
    with transaction.atomic():
        record = Import.objects.select_for_update(of=("self",)).select_related("product", "undone_by").filter(
            pk=import_id, status=Import.Status.UNDOING).first()
        if record is None:
            return Import.objects.get(pk=import_id)
        try:
            with transaction.atomic():
                _undo(record, _undo_plan(record), record.undone_by)
        except ValidationError as exc:
            record.status = Import.Status.DONE
            record.error = " ".join(exc.messages)
            record.save(update_fields=["status", "error", "updated_at"])
    return record


def _undo_plan(record: Import) -> dict:
    """What undoing `record` would touch, locked; raises ValidationError naming the records
    changed since the import."""
    undo = record.undo
    created = {int(pk): version for pk, version in undo.get("features_created", {}).items()}
    updated = {int(pk): entry for pk, entry in undo.get("features_updated", {}).items()}
    releases = {int(pk): version for pk, version in undo.get("releases_created", {}).items()}
    features = {feature.pk: feature for feature in Feature.objects.select_for_update(of=("self",))
                .select_related("product").filter(pk__in=list(created) + list(updated))}
    changed = sorted(
        (feature for feature in features.values()
         if feature.version != (created[feature.pk] if feature.pk in created else updated[feature.pk]["version"])),
        key=lambda feature: feature.number)
    if changed:
        raise ValidationError(_(
            "Changed since the import, so it cannot be undone without losing those changes: %(keys)s. "
            "Undo their changes by hand first, or leave the import as it is.") % {
            "keys": ", ".join(feature.key for feature in changed[:20]) + (" …" if len(changed) > 20 else "")})
    release_rows = list(Release.objects.select_for_update().filter(pk__in=list(releases)))
    changed_releases = [release for release in release_rows if release.version != releases[release.pk]]
    kept = set(Feature.objects.filter(release__in=release_rows).exclude(pk__in=list(created) + list(updated))
               .values_list("release__name", flat=True))
    if changed_releases or kept:
        names = sorted({release.name for release in changed_releases} | kept)
        raise ValidationError(_(
            "The releases %(names)s were changed or given other features since the import, so it cannot be "
            "undone without losing that work.") % {"names": ", ".join(names)})
    return {"created": created, "updated": updated, "features": features, "releases": release_rows}


def _undo(record: Import, plan: dict, actor: User) -> None:
    features, updated = plan["features"], plan["updated"]
    gone = [features[pk] for pk in plan["created"] if pk in features]
    kept = [features[pk] for pk in updated if pk in features]
    # One signal for every feature touched (their ids are read now, before the deletes).
    send_features_changed(gone + kept)
    # What the features' foreign keys cascade to goes with them (requirements, comments,
    # dependencies; ideas keep themselves without the link), then the releases, emptied.
    bulk_delete_with_history(gone, actor=actor, batch_size=WRITE_BATCH)
    restored = _restore(actor, kept, updated)
    bulk_delete_with_history(plan["releases"], actor=actor, batch_size=WRITE_BATCH)
    record.status = Import.Status.UNDONE
    record.undone_by = actor
    record.undone_at = timezone.now()
    record.result = {**record.result, "undone": {"deleted": len(gone), "restored": len(restored),
                                                 "releases_deleted": len(plan["releases"])}}
    record.save()


def _restore(actor: User, features: list[Feature], updated: dict) -> list[Feature]:
    def still_there(model, attname: str) -> set:
        ids = {entry["fields"].get(attname) for entry in updated.values()} - {None}
        return set(model.objects.filter(pk__in=ids).values_list("pk", flat=True)) if ids else set()

    existing = {"release_id": still_there(Release, "release_id"),
                "initiative_id": still_there(Initiative, "initiative_id"),
                "assignee_id": still_there(User, "assignee_id")}
    fields: set[str] = set()
    now = timezone.now()
    for feature in features:
        for attname, value in updated[feature.pk]["fields"].items():
            if attname in existing and value is not None and value not in existing[attname]:
                value = None  # deleted since; the foreign key would point nowhere
            if attname in ("start_date", "end_date") and value:
                value = date.fromisoformat(value)
            if attname == "estimate" and value is not None:
                value = Decimal(value)
            setattr(feature, attname, value)
            fields.add(attname.removesuffix("_id") if attname.endswith("_id") else attname)
        feature.version += 1
        feature.updated_by = actor
        feature.updated_at = now
    bulk_save_with_history(features, actor=actor, fields=sorted(fields | {"version", "updated_by", "updated_at"}),
                           batch_size=WRITE_BATCH, when=now)
    return features
