"""Usage events: ingestion, the monthly partitions of the raw events, and the daily rollups.

Ingestion (`usage_events_ingest`) checks each event of a batch in plain Python (no serializer
per event), keeps the good ones and reports the bad ones by index, then writes the good ones
in one transaction: COPY into a temporary table, one `INSERT … SELECT … ON CONFLICT DO
NOTHING` into the partitioned table (a retried event, same product, id and timestamp, is
ignored), and in the same statement an upsert of the (product, day) pairs that got new events
into `UsageDirtyDay`. Months the batch needs get their partition first.

Rollups (`usage_rollup`) run inside PostgreSQL. For the dirty days of a product:
1. refresh who was active on each of those days (`roadmap_usage_actor_day`, and per feature
   key `roadmap_usage_feature_actor_day`) and the day's sessions, bounced sessions (sessions
   with exactly one event that day; a session crossing midnight counts on both days) and events;
2. recount DAU, WAU and MAU (distinct users on the day, in the 7 and in the 30 days ending it)
   for every day whose window holds a dirty day: the dirty day and the 29 after it, up to
   today; and the feature keys' users per day and in 7 days;
3. delete the dirty marks it read, unless a later ingest moved them on meanwhile.
Days are days of settings.TIME_ZONE. A user is the user id, or the anonymous id when there is
none. Running a rollup twice gives the same rows (only `computed_at` moves).

Windows are counted in one pass: each (user, day) of activity covers the days from itself to
the day before the user's next active day, at most 7 (or 30) days; +1 where a cover starts,
−1 where it ends, and a running sum over the days gives the distinct users of each window.

Retention (`usage_partitions_drop_expired`) drops whole month partitions whose month ended more
than USAGE_EVENT_RETENTION_DAYS ago; rows of the month straddling the boundary stay until
their whole month has passed. Rollups are kept."""

from __future__ import annotations

import csv
import io
import json
import logging
import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from redis.exceptions import RedisError

from strategy.middleware import json_depth

logger = logging.getLogger(__name__)

NAME_MAX = 200
ID_MAX = 200
EVENT_ID_MAX = 100
FEATURE_KEY_MAX = 100
PROPERTIES_MAX_BYTES = 8192
FUTURE_LIMIT = timedelta(hours=24)
FEATURE_KEY_SHAPE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
WEEK, MONTH = 7, 30  # days in the WAU and MAU windows

DEBOUNCE_KEY = "usage:rollup-queued:{product_id}"
PARTITION_PREFIX = "roadmap_usage_event_p"


class BatchError(Exception):
    """A batch refused as a whole: `status` 400 (not a batch) or 413 (too many events)."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message, self.status = message, status


@dataclass
class IngestResult:
    accepted: int = 0
    duplicates: int = 0
    rejected: list[dict] = field(default_factory=list)  # [{"index": i, "errors": {field: [message]}}]

    def as_dict(self) -> dict:
        return {"accepted": self.accepted, "duplicates": self.duplicates, "rejected": self.rejected}


# --- checking a batch -----------------------------------------------------------------------


def parse_batch(body: bytes) -> list:
    """The `events` list of a request body. Raises BatchError: 400 for a body that is not a
    JSON object with an `events` list, 413 for more than USAGE_INGEST_MAX_EVENTS events."""
    try:
        payload = json.loads(body)
    except (ValueError, RecursionError):
        raise BatchError(_("The body is not valid JSON.")) from None
    events = payload.get("events") if isinstance(payload, dict) else None
    if not isinstance(events, list):
        raise BatchError(_('Send a JSON object with an "events" list: {"events": [{…}, …]}.'))
    if len(events) > settings.USAGE_INGEST_MAX_EVENTS:
        raise BatchError(_("A batch holds at most %(max)s events; this one has %(count)s. Split it.") % {
            "max": settings.USAGE_INGEST_MAX_EVENTS, "count": len(events)}, status=413)
    return events


def _text(event: dict, name: str, errors: dict, limit: int, required: bool = False) -> str | None:
    value = event.get(name)
    if type(value) is str and 0 < len(value) <= limit:  # the usual case, first
        return value
    if value is None or value == "":
        if required:
            errors[name] = [_("This field is required.")]
        return None
    if not isinstance(value, str):
        errors[name] = [_("Must be a string.")]
    else:
        errors[name] = [_("At most %(limit)s characters.") % {"limit": limit}]
    return None


_PROPERTIES = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _properties(value, errors: dict) -> str:
    if value is None:
        return "{}"
    if not isinstance(value, dict):
        errors["properties"] = [_("Must be a JSON object.")]
        return ""
    try:
        text = _PROPERTIES.encode(value)
    except RecursionError:
        text = ""
    # The middleware leaves this endpoint's nesting to us: only properties can nest, and an
    # event's own two levels (batch, event) count towards JSON_MAX_DEPTH.
    if not text or (text.count("{") + text.count("[") > settings.JSON_MAX_DEPTH - 2
                    and json_depth(text.encode("utf-8", "surrogatepass")) > settings.JSON_MAX_DEPTH - 2):
        errors["properties"] = [_("Nested more than %(depth)s levels deep.") % {
            "depth": settings.JSON_MAX_DEPTH - 2}]
    elif len(text) * 4 > PROPERTIES_MAX_BYTES and len(text.encode("utf-8", "surrogatepass")) > PROPERTIES_MAX_BYTES:
        errors["properties"] = [_("At most %(size)s bytes as JSON.") % {"size": PROPERTIES_MAX_BYTES}]
    return text


def _moment(raw, errors: dict, *, now: datetime, oldest: datetime) -> datetime | None:
    if type(raw) is not str or not raw:
        errors["timestamp"] = [_("Send the moment of the event as an ISO-8601 string with its offset, "
                                 "e.g. 2026-12-07T14:03:00Z.")]
        return None
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        errors["timestamp"] = [_("Not an ISO-8601 date and time.")]
        return None
    if moment.tzinfo is None:
        errors["timestamp"] = [_("Add the offset (Z for UTC), so the moment is unambiguous.")]
    elif moment > now + FUTURE_LIMIT:
        errors["timestamp"] = [_("More than 24 hours in the future: check the device's clock.")]
    elif moment < oldest:
        errors["timestamp"] = [_("Older than the %(days)s days Waymark keeps events.") % {
            "days": settings.USAGE_EVENT_RETENTION_DAYS}]
    else:
        return moment.astimezone(UTC)
    return None


def check_event(event, *, now: datetime, oldest: datetime) -> tuple[tuple | None, dict]:
    """One event as a row to write (event_id, name, user_id, anonymous_id, session_id,
    occurred_at in UTC, feature_key, properties JSON), or None and its errors by field."""
    if type(event) is not dict:
        return None, {"non_field_errors": [_("An event is a JSON object.")]}
    errors: dict[str, list[str]] = {}
    name = _text(event, "name", errors, NAME_MAX, True)
    user_id = _text(event, "user_id", errors, ID_MAX)
    anonymous_id = _text(event, "anonymous_id", errors, ID_MAX)
    if user_id is None and anonymous_id is None and "user_id" not in errors and "anonymous_id" not in errors:
        errors["user_id"] = [_("Send a user_id or an anonymous_id.")]
    session_id = _text(event, "session_id", errors, ID_MAX, True)
    event_id = _text(event, "id", errors, EVENT_ID_MAX)
    feature_key = _text(event, "feature_key", errors, FEATURE_KEY_MAX)
    if feature_key is not None and not FEATURE_KEY_SHAPE.match(feature_key):
        errors["feature_key"] = [_("A feature key is a slug: lowercase letters, digits and single hyphens.")]
    occurred_at = _moment(event.get("timestamp"), errors, now=now, oldest=oldest)
    properties = _properties(event.get("properties"), errors)
    if errors:
        return None, errors
    return (event_id or uuid.uuid4().hex, name, user_id, anonymous_id, session_id, occurred_at, feature_key,
            properties), {}


def check_batch(events: list, *, now: datetime | None = None) -> tuple[list[tuple], list[dict]]:
    """The rows to write, each with the index of its event, and the rejected events by index."""
    now = now or timezone.now()
    oldest = now - timedelta(days=settings.USAGE_EVENT_RETENTION_DAYS)
    rows, rejected = [], []
    for index, event in enumerate(events):
        row, errors = check_event(event, now=now, oldest=oldest)
        if row is None:
            rejected.append({"index": index, "errors": errors})
        else:
            rows.append((index, row))
    return rows, rejected


def _csv(rows: Iterable[tuple]) -> bytes:
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows(rows)
    return text.getvalue().encode("utf-8")


def encode_rows(indexed_rows: list[tuple[int, tuple]], rejected: list[dict]) -> tuple[list[tuple], bytes]:
    """The rows PostgreSQL can store and their CSV. An unpaired surrogate (a \\ud800 escape in
    the JSON) is not text, and rejects its event (added to `rejected`, kept in index order)."""
    rows = [row for _index, row in indexed_rows]
    try:
        return rows, _csv(rows)
    except UnicodeEncodeError:
        pass
    good = []
    for index, row in indexed_rows:
        try:
            _csv([row])
        except UnicodeEncodeError:
            rejected.append({"index": index, "errors": {"non_field_errors": [
                _("Contains an unpaired UTF-16 surrogate (\\ud800–\\udfff), which is not text.")]}})
        else:
            good.append(row)
    rejected.sort(key=lambda item: item["index"])
    return good, _csv(good)


# --- writing ----------------------------------------------------------------------------------

_BATCH_TABLE = """
CREATE TEMP TABLE IF NOT EXISTS usage_event_batch (
    event_id text, name text, user_id text, anonymous_id text, session_id text,
    occurred_at timestamptz, feature_key text, properties jsonb
) ON COMMIT DELETE ROWS
"""

_INSERT = """
WITH inserted AS (
    INSERT INTO roadmap_usage_event
        (product_id, event_id, name, user_id, anonymous_id, session_id, occurred_at, feature_key,
         properties, received_at)
    SELECT %(product)s, event_id, name, user_id, anonymous_id, session_id, occurred_at, feature_key,
           properties, now()
    FROM usage_event_batch
    ON CONFLICT (product_id, event_id, occurred_at) DO NOTHING
    RETURNING occurred_at
), dirty AS (
    INSERT INTO roadmap_usagedirtyday (product_id, day, marked_at)
    SELECT %(product)s, (occurred_at AT TIME ZONE %(zone)s)::date, clock_timestamp()
    FROM inserted GROUP BY 2
    ON CONFLICT (product_id, day) DO UPDATE SET marked_at = EXCLUDED.marked_at
)
SELECT count(*) FROM inserted
"""


def _months(moments: Iterable[datetime]) -> list[date]:
    return sorted({date(m.year, m.month, 1) for m in moments})


def usage_events_write(*, product_id: int, rows: Sequence[tuple], data: bytes | None = None) -> int:
    """Write checked rows (see `check_event`) of one product, `data` being their CSV when the
    caller has it already; returns how many were new (the others were duplicates). One
    transaction: the events and their dirty days together."""
    if not rows:
        return 0
    data = io.BytesIO(data if data is not None else _csv(rows))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT roadmap_usage_event_ensure_partition(m) FROM unnest(%s::date[]) AS m",
                       [_months(row[5] for row in rows)])
        cursor.execute(_BATCH_TABLE)
        # Empty already after any commit; not when this runs inside an outer transaction.
        cursor.execute("DELETE FROM usage_event_batch")
        cursor.copy_expert("COPY usage_event_batch FROM STDIN WITH (FORMAT csv)", data)
        cursor.execute(_INSERT, {"product": product_id, "zone": settings.TIME_ZONE})
        return cursor.fetchone()[0]


def usage_events_ingest(*, product_id: int, events: list, now: datetime | None = None) -> IngestResult:
    """Check a batch, write its good events, report the bad ones by index, and ask for a rollup
    (debounced; never fails the ingestion)."""
    indexed, rejected = check_batch(events, now=now)
    rows, data = encode_rows(indexed, rejected)
    accepted = usage_events_write(product_id=product_id, rows=rows, data=data)
    if accepted:
        usage_rollup_request(product_id=product_id)
    return IngestResult(accepted=accepted, duplicates=len(rows) - accepted, rejected=rejected)


def usage_rollup_request(*, product_id: int) -> bool:
    """Queue one rollup of the product, USAGE_ROLLUP_DEBOUNCE_SECONDS from now, unless one is
    already queued for that window (a Redis key set with NX and that TTL). Redis or the broker
    being away is logged, never raised: the events are saved and the periodic sweep rolls
    their days up. Returns whether a rollup was queued."""
    from strategy.background import queue_after_commit

    from .. import tasks

    delay = settings.USAGE_ROLLUP_DEBOUNCE_SECONDS
    try:
        first = cache.add(DEBOUNCE_KEY.format(product_id=product_id), 1, timeout=delay)
    except RedisError:
        logger.warning("Redis unreachable: the usage rollup of product %s is left to the sweep", product_id)
        return False
    if first:
        queue_after_commit(tasks.usage_rollup_task, product_id, countdown=delay)
    return first


# --- partitions and retention ------------------------------------------------------------------


def usage_partitions_ensure(*, months_ahead: int = 3, today: date | None = None) -> list[str]:
    """Make the partitions of this month and the next `months_ahead`; returns those created."""
    today = today or timezone.now().astimezone(UTC).date()
    first = date(today.year, today.month, 1)
    months = [_add_months(first, n) for n in range(months_ahead + 1)]
    with connection.cursor() as cursor:
        cursor.execute("SELECT m, roadmap_usage_event_ensure_partition(m) FROM unnest(%s::date[]) AS m", [months])
        return [f"{PARTITION_PREFIX}{m:%Y%m}" for m, created in cursor.fetchall() if created]


def _add_months(first: date, count: int) -> date:
    index = first.year * 12 + first.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def usage_partitions() -> list[tuple[str, date]]:
    """The event table's partitions as (name, first day of their UTC month), oldest first."""
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT child.relname FROM pg_inherits
            JOIN pg_class parent ON parent.oid = pg_inherits.inhparent
            JOIN pg_class child ON child.oid = pg_inherits.inhrelid
            WHERE parent.relname = 'roadmap_usage_event'""")
        names = [name for (name,) in cursor.fetchall()]
    parts = []
    for name in names:
        match = re.fullmatch(PARTITION_PREFIX + r"(\d{4})(\d{2})", name)
        if match:
            parts.append((name, date(int(match[1]), int(match[2]), 1)))
    return sorted(parts, key=lambda part: part[1])


def usage_partitions_drop_expired(*, now: datetime | None = None) -> list[str]:
    """Drop the partitions whose whole month is older than the retention; returns their names."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.USAGE_EVENT_RETENTION_DAYS)
    dropped = []
    for name, first in usage_partitions():
        month_end = datetime.combine(_add_months(first, 1), time.min, tzinfo=UTC)
        if month_end <= cutoff:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(f'DROP TABLE IF EXISTS "{name}"')
            dropped.append(name)
    if dropped:
        logger.info("Dropped usage event partitions past retention: %s", ", ".join(dropped))
    return dropped


# --- rollups -----------------------------------------------------------------------------------

# Stage 1, the dirty days themselves: who was active (and with which feature key), sessions,
# bounces and events. The raw events are read once, grouped by (day, session, actor, key).
_DAYS_REFRESH = """
WITH grouped AS MATERIALIZED (
    SELECT day, session_id, actor, feature_key, count(*) AS n
    FROM (
        SELECT (occurred_at AT TIME ZONE %(zone)s)::date AS day, session_id, feature_key,
               hashtextextended(COALESCE('u:' || user_id, 'a:' || anonymous_id), 0) AS actor
        FROM roadmap_usage_event
        WHERE product_id = %(product)s AND occurred_at >= %(lo)s AND occurred_at < %(hi)s
    ) AS events
    WHERE %(contiguous)s OR day = ANY(%(days)s::date[])
    GROUP BY 1, 2, 3, 4
), actors AS (
    INSERT INTO roadmap_usage_actor_day (product_id, day, actor, events)
    SELECT %(product)s, day, actor, sum(n) FROM grouped GROUP BY day, actor
), features AS (
    INSERT INTO roadmap_usage_feature_actor_day (product_id, day, feature_key, actor, events)
    SELECT %(product)s, day, feature_key, actor, sum(n) FROM grouped
    WHERE feature_key IS NOT NULL GROUP BY day, feature_key, actor
), sessions AS (
    SELECT day, sum(n) AS n FROM grouped GROUP BY day, session_id
)
INSERT INTO roadmap_usagedaily (product_id, day, dau, wau, mau, sessions, bounced_sessions, events, computed_at)
SELECT %(product)s, d.day, 0, 0, 0, COALESCE(s.sessions, 0), COALESCE(s.bounced, 0), COALESCE(s.events, 0),
       statement_timestamp()
FROM unnest(%(days)s::date[]) AS d (day)
LEFT JOIN (
    SELECT day, count(*) AS sessions, count(*) FILTER (WHERE n = 1) AS bounced, sum(n) AS events
    FROM sessions GROUP BY day
) AS s ON s.day = d.day
ON CONFLICT (product_id, day) DO UPDATE SET
    sessions = EXCLUDED.sessions, bounced_sessions = EXCLUDED.bounced_sessions,
    events = EXCLUDED.events, computed_at = EXCLUDED.computed_at
"""

# Stage 2, the windows: DAU, WAU and MAU of every day from %(first)s to %(last)s.
_ACTIVE_USERS = """
WITH covers AS (
    SELECT day, lead(day) OVER (PARTITION BY actor ORDER BY day) AS next_day
    FROM roadmap_usage_actor_day
    WHERE product_id = %(product)s AND day BETWEEN %(first)s::date - 29 AND %(last)s
), steps AS (
    SELECT day AS at, 1 AS dau, 1 AS wau, 1 AS mau FROM covers
    UNION ALL SELECT day + 1, -1, 0, 0 FROM covers
    UNION ALL SELECT LEAST(next_day, day + 7), 0, -1, 0 FROM covers
    UNION ALL SELECT LEAST(next_day, day + 30), 0, 0, -1 FROM covers
), per_day AS (
    SELECT at, sum(dau) AS dau, sum(wau) AS wau, sum(mau) AS mau FROM steps GROUP BY at
), counted AS (
    SELECT g.day::date AS day,
           sum(COALESCE(p.dau, 0)) OVER running AS dau,
           sum(COALESCE(p.wau, 0)) OVER running AS wau,
           sum(COALESCE(p.mau, 0)) OVER running AS mau
    FROM generate_series(%(first)s::date - 29, %(last)s::date, interval '1 day') AS g (day)
    LEFT JOIN per_day AS p ON p.at = g.day::date
    WINDOW running AS (ORDER BY g.day)
)
INSERT INTO roadmap_usagedaily (product_id, day, dau, wau, mau, sessions, bounced_sessions, events, computed_at)
SELECT %(product)s, day, dau, wau, mau, 0, 0, 0, statement_timestamp() FROM counted WHERE day >= %(first)s
ON CONFLICT (product_id, day) DO UPDATE SET
    dau = EXCLUDED.dau, wau = EXCLUDED.wau, mau = EXCLUDED.mau, computed_at = EXCLUDED.computed_at
"""

# Stage 2 for feature keys: users and events per day, users in the 7 days ending each day.
_FEATURES = """
WITH covers AS (
    SELECT feature_key, day, events,
           lead(day) OVER (PARTITION BY feature_key, actor ORDER BY day) AS next_day
    FROM roadmap_usage_feature_actor_day
    WHERE product_id = %(product)s AND day BETWEEN %(first)s::date - 6 AND %(last)s
), steps AS (
    SELECT feature_key, day AS at, 1 AS users, 1 AS users_7d, events FROM covers
    UNION ALL SELECT feature_key, day + 1, -1, 0, 0 FROM covers
    UNION ALL SELECT feature_key, LEAST(next_day, day + 7), 0, -1, 0 FROM covers
), per_day AS (
    SELECT feature_key, at, sum(users) AS users, sum(users_7d) AS users_7d, sum(events) AS events
    FROM steps GROUP BY feature_key, at
), counted AS (
    SELECT k.feature_key, g.day::date AS day,
           sum(COALESCE(p.users, 0)) OVER running AS users,
           sum(COALESCE(p.users_7d, 0)) OVER running AS users_7d,
           COALESCE(p.events, 0) AS events
    FROM (SELECT DISTINCT feature_key FROM per_day) AS k
    CROSS JOIN generate_series(%(first)s::date - 6, %(last)s::date, interval '1 day') AS g (day)
    LEFT JOIN per_day AS p ON p.feature_key = k.feature_key AND p.at = g.day::date
    WINDOW running AS (PARTITION BY k.feature_key ORDER BY g.day)
)
INSERT INTO roadmap_usagefeaturedaily (product_id, day, feature_key, users, users_7d, events, computed_at)
SELECT %(product)s, day, feature_key, users, users_7d, events, statement_timestamp()
FROM counted WHERE day >= %(first)s AND users_7d > 0
"""


@dataclass
class RollupResult:
    product_id: int
    days: list[date]  # the dirty days refreshed
    ranges: list[tuple[date, date]]  # the days whose windows were recounted


def local_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """The moments from the start of `first` to the end of `last`, in settings.TIME_ZONE."""
    zone = ZoneInfo(settings.TIME_ZONE)
    return (datetime.combine(first, time.min, tzinfo=zone),
            datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone))


def window_ranges(days: Iterable[date], *, today: date) -> list[tuple[date, date]]:
    """The days whose DAU/WAU/MAU a change on `days` can move: each day and the 29 after it,
    up to `today` (never before the day itself), merged into ranges."""
    ranges: list[list[date]] = []
    for day in sorted(set(days)):
        end = max(day, min(day + timedelta(days=MONTH - 1), today))
        if ranges and day <= ranges[-1][1] + timedelta(days=1):
            ranges[-1][1] = max(ranges[-1][1], end)
        else:
            ranges.append([day, end])
    return [(first, last) for first, last in ranges]


def usage_days_mark_dirty(*, product_id: int, days: Iterable[date]) -> None:
    """Mark days for the next rollup (a full recomputation marks every day with events)."""
    with connection.cursor() as cursor:
        cursor.execute("""
            INSERT INTO roadmap_usagedirtyday (product_id, day, marked_at)
            SELECT %s, day, clock_timestamp() FROM unnest(%s::date[]) AS day
            ON CONFLICT (product_id, day) DO UPDATE SET marked_at = EXCLUDED.marked_at""",
                       [product_id, sorted(set(days))])


def usage_event_days(*, product_id: int) -> list[date]:
    """Every day (settings.TIME_ZONE) from the product's first raw event to its last, days
    without events included (they get rows of zeros). Two index lookups, not a scan."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT (min(occurred_at) AT TIME ZONE %s)::date, (max(occurred_at) AT TIME ZONE %s)::date "
                       "FROM roadmap_usage_event WHERE product_id = %s",
                       [settings.TIME_ZONE, settings.TIME_ZONE, product_id])
        first, last = cursor.fetchone()
    if first is None:
        return []
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def usage_rollup(*, product_id: int, today: date | None = None) -> RollupResult:
    """Roll up the product's dirty days (see the module docstring), in one transaction that
    holds the product's advisory lock, so two rollups of one product never interleave even if
    the Redis lock of the task was lost."""
    today = today or timezone.localdate()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('roadmap_usage_rollup'), %s::int)", [product_id])
        # The sorts and groupings of a rollup spill to disk under PostgreSQL's default 4 MB;
        # the rollup's own transaction gets more (USAGE_ROLLUP_WORK_MEM).
        cursor.execute("SELECT set_config('work_mem', %s, true)", [settings.USAGE_ROLLUP_WORK_MEM])
        cursor.execute("SELECT day, marked_at FROM roadmap_usagedirtyday WHERE product_id = %s ORDER BY day",
                       [product_id])
        marks = cursor.fetchall()
        if not marks:
            return RollupResult(product_id=product_id, days=[], ranges=[])
        days = [day for day, _marked in marks]
        lo, hi = local_bounds(days[0], days[-1])
        # Contiguous days (a full recomputation, a busy product) need no per-row day filter
        # beyond the time bounds.
        contiguous = (days[-1] - days[0]).days + 1 == len(days)
        params = {"product": product_id, "zone": settings.TIME_ZONE, "days": days, "lo": lo, "hi": hi,
                  "contiguous": contiguous}
        cursor.execute("DELETE FROM roadmap_usage_actor_day WHERE product_id = %(product)s "
                       "AND day = ANY(%(days)s::date[])", params)
        cursor.execute("DELETE FROM roadmap_usage_feature_actor_day WHERE product_id = %(product)s "
                       "AND day = ANY(%(days)s::date[])", params)
        cursor.execute(_DAYS_REFRESH, params)
        ranges = window_ranges(days, today=today)
        for first, last in ranges:
            window = {"product": product_id, "first": first, "last": last}
            cursor.execute(_ACTIVE_USERS, window)
            cursor.execute("DELETE FROM roadmap_usagefeaturedaily WHERE product_id = %(product)s "
                           "AND day BETWEEN %(first)s AND %(last)s", window)
            cursor.execute(_FEATURES, window)
        cursor.execute("""
            DELETE FROM roadmap_usagedirtyday AS d USING unnest(%s::date[], %s::timestamptz[]) AS m (day, marked_at)
            WHERE d.product_id = %s AND d.day = m.day AND d.marked_at = m.marked_at""",
                       [days, [marked for _day, marked in marks], product_id])
    return RollupResult(product_id=product_id, days=days, ranges=ranges)


def usage_rollup_all(*, product_id: int, today: date | None = None) -> RollupResult:
    """Recompute every day of the product from its raw events (the demo, the bench, and an
    operator after changing TIME_ZONE)."""
    usage_days_mark_dirty(product_id=product_id, days=usage_event_days(product_id=product_id))
    return usage_rollup(product_id=product_id, today=today)


def usage_dirty_products(*, older_than: timedelta = timedelta(0), now: datetime | None = None) -> list[int]:
    """Products with days still to roll up, marked at least `older_than` ago (the sweep leaves
    fresh marks to their debounced rollup)."""
    before = (now or timezone.now()) - older_than
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT product_id FROM roadmap_usagedirtyday WHERE marked_at <= %s ORDER BY 1",
                       [before])
        return [product_id for (product_id,) in cursor.fetchall()]


def usage_product_deleted(sender, instance, **kwargs) -> None:
    """post_delete of a product: its activity rows go with it (its rollups go by foreign key).
    Its raw events stay until retention drops their month: deleting millions of rows would
    hold up the request that deletes the product."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM roadmap_usage_actor_day WHERE product_id = %s", [instance.pk])
        cursor.execute("DELETE FROM roadmap_usage_feature_actor_day WHERE product_id = %s", [instance.pk])
