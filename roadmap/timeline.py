"""The pure layout engine for timeline roadmaps.

`layout_timeline` takes plain rows (releases with their milestones, features, dependency
pairs), a date window, a zoom and today's date, and returns everything a page needs to draw
the timeline as SVG: the x of every date, the axis bands, group header rows with packed lanes
of bars, a band of release bars with milestone diamonds, the today line and dependency arrows.
No database, no templates, no clock: the same input always gives the same layout, so pages
feed it from `.values()` rows and tests check it on its own.

`parse_view_options` turns a query string into a zoom, a grouping and a window. It is the
entry point for untrusted input: it never raises, falls back to sane defaults and says in
plain words what it corrected. `layout_timeline` trusts its argument types but tolerates odd
rows (end before start, unknown release ids, dangling or duplicate dependencies) and odd
windows without raising.

Conventions:
- Pixels. x = 0 is the first day of the window; y = 0 is the top of the body (the axis is
  drawn separately, in a sticky header `Axis.height` tall). Every x is rounded to 0.5 px.
- Window ends and item ends are inclusive: an item from 3 Jun to 3 Jun covers one day's
  column, `Zoom.px_per_day` wide. Its bar starts at the column's left edge and stops
  `LANE_GAP` short of its right edge (unless it runs on past the window), so that back-to-back
  items (a release shipping on the 31st, the next starting on the 1st) share a lane with a
  visible gap; a bar is never narrower than `MIN_BAR_WIDTH`.
- Features without dates of their own take their release's, date by date (like
  `Feature.effective_start`/`effective_end`). A feature still missing one date is open-ended
  and drawn to the window edge; one with no date at all is unscheduled and only counted.
- Text widths are estimated at `CHAR_WIDTH` px a character (12 px sans-serif; East Asian wide
  characters count double), so labels never run past their box; the full text stays available
  for a tooltip.
- A title that does not fit inside its bar is shortened there when `READABLE_CHARS` of it
  still fit, else written beside it (right of it, or left of it at the window's right edge),
  never cut to a stub: lanes are packed with the label's room, so a
  label never runs into the next bar. Only titles longer than `BESIDE_MAX` px are shortened.
- Groups with no bar in the window collapse into one line when asked (`collapse_empty`).
"""

from __future__ import annotations

import functools
import heapq
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum

from strategy.limits import DATE_MAX, DATE_MIN

__all__ = [
    "Arrow", "Axis", "Bar", "FeatureItem", "Group", "GroupBy", "GroupItem", "Layout", "Marker", "MilestoneItem",
    "PhaseBand", "PhaseItem", "ReleaseItem", "Tick", "ViewOptions", "Window", "Zoom",
    "add_months", "axis_for", "default_window", "fit_text", "fit_window", "format_date", "layout_timeline",
    "pack_lanes", "parse_view_options", "text_width",
]

# --- geometry ---------------------------------------------------------------

BAR_HEIGHT = 20
LANE_HEIGHT = 28  # a bar and 4 px above and below it
RELEASE_LANE_HEIGHT = 44  # a release bar, and a line of milestone names under it
HEADER_HEIGHT = 28  # a group's header row
AXIS_BAND_HEIGHT = 24
MIN_BAR_WIDTH = 6.0  # so that one-day items stay visible at every zoom
LANE_GAP = 2.0  # least horizontal space between two bars of one lane; bars end this much short of their day
CHAR_WIDTH = 7.0  # average advance of a 12 px sans-serif character
LABEL_PADDING = 6.0  # inside a bar or a tick, on each side of its label
MILESTONE_SIZE = 10.0  # width and height of a milestone diamond; draw them no bigger
MILESTONE_LABEL_GAP = 6.0  # between one milestone's name and the next milestone's
PHASE_HEIGHT = 4.0  # a release phase's band, just under its bar (above the milestone names)
PHASE_GAP = 1.0  # between a release bar and its phase bands
ARROW_STUB = 8.0  # how far an arrow leaves and enters a bar horizontally
BESIDE_GAP = 4.0  # between a bar and the label written beside it
READABLE_CHARS = 20  # a label shortened inside its bar keeps at least this much, else it goes beside
BESIDE_MAX = 360.0  # the longest label written beside a bar (~51 characters); longer ones end in "…"
MARK_ROOM = 4 * CHAR_WIDTH  # beside a bar, before its label: the status and conflict marks ("⚠ ◐ ")
ELLIPSIS = "…"

# --- window limits ----------------------------------------------------------

MAX_WINDOW_YEARS = 10
# The dates Waymark accepts anywhere (strategy.limits); a window never reaches outside them.
MIN_DATE = DATE_MIN
MAX_DATE = DATE_MAX

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August",
                "September", "October", "November", "December")


class Zoom(StrEnum):
    """How much time a pixel shows; each zoom has its own scale and axis ticks."""

    WEEKS = "weeks"
    MONTHS = "months"
    QUARTERS = "quarters"
    YEARS = "years"

    @property
    def px_per_day(self) -> float:
        return _PX_PER_DAY[self]


# A week is 168 px, a month ~120 px, a quarter ~137 px, a year ~219 px: every tick label fits.
_PX_PER_DAY = {Zoom.WEEKS: 24.0, Zoom.MONTHS: 4.0, Zoom.QUARTERS: 1.5, Zoom.YEARS: 0.6}


class GroupBy(StrEnum):
    """What the rows of a timeline group features by (the caller fills `FeatureItem.group_key`)."""

    RELEASE = "release"
    INITIATIVE = "initiative"
    GOAL = "goal"
    STATUS = "status"
    ASSIGNEE = "assignee"


DEFAULT_ZOOM = Zoom.MONTHS
DEFAULT_GROUP = GroupBy.RELEASE


# --- inputs -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Window:
    """The dates a timeline shows, both inclusive."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return self.end.toordinal() - self.start.toordinal() + 1

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end


@dataclass(frozen=True, slots=True)
class MilestoneItem:
    """A dated checkpoint of a release, drawn as a diamond on the release's bar."""

    id: int
    name: str
    date: date | None


@dataclass(frozen=True, slots=True)
class PhaseItem:
    """A dated phase of a release (its beta, from 1 to 20 Apr), drawn as a thin coloured band
    under the release's bar; `colour` is "#rrggbb"."""

    name: str
    colour: str
    start: date
    end: date


@dataclass(frozen=True, slots=True)
class ReleaseItem:
    """A release as the timeline needs it; `status` becomes the bar's colour key."""

    id: int
    name: str
    start: date | None = None
    end: date | None = None
    status: str = ""
    milestones: tuple[MilestoneItem, ...] = ()
    phases: tuple[PhaseItem, ...] = ()


@dataclass(frozen=True, slots=True)
class FeatureItem:
    """A feature as the timeline needs it. `start`/`end` are its own dates (None to follow
    its release); `group_key`/`group_label` say which row group it is drawn in, as chosen by
    the caller for the current `GroupBy` ("" for "none", e.g. no initiative)."""

    id: int
    key: str
    title: str
    start: date | None = None
    end: date | None = None
    release_id: int | None = None
    group_key: str = ""
    group_label: str = ""
    colour_key: str = ""  # status category or initiative colour, for the page's CSS class
    category: str = ""  # status category


@dataclass(frozen=True, slots=True)
class GroupItem:
    """A group the caller wants shown, in this order, even when it has no features."""

    key: str
    label: str


# --- outputs ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Tick:
    """One cell of an axis band: a week, month, quarter or year, clipped to the window."""

    start: date  # first day of the period (may be before the window)
    x: float
    width: float
    label: str  # fits the cell; may be shortened with "…" or empty
    title: str  # the full label, for a tooltip


@dataclass(frozen=True, slots=True)
class Axis:
    """The header above the body: a coarse band on top (`major`, may be empty) and the
    zoom's own band under it (`minor`), whose x's are also where gridlines go."""

    major: tuple[Tick, ...]
    minor: tuple[Tick, ...]
    height: int


@dataclass(frozen=True, slots=True)
class Marker:
    """A milestone diamond centred at (x, y), with its name under the release bar."""

    id: int
    name: str
    date: date
    x: float
    y: float
    label: str  # fits before the next milestone of the same lane; may be empty
    label_x: float
    label_y: float  # text baseline

    @property
    def tooltip(self) -> str:
        return f"{self.name} · {format_date(self.date)}"


@dataclass(frozen=True, slots=True)
class PhaseBand:
    """A release phase as a thin band at (x, y), cut to the window, just under its release's bar."""

    name: str
    colour: str
    start: date
    end: date
    x: float
    y: float
    width: float

    @property
    def tooltip(self) -> str:
        """"Beta: 1 Apr – 20 Apr 2030" (the start's year too when it differs)."""
        first = format_date(self.start)
        if self.start.year == self.end.year:
            first = first.rsplit(" ", 1)[0]
        return f"{self.name}: {first} – {format_date(self.end)}"


@dataclass(frozen=True, slots=True)
class Bar:
    """A feature or a release drawn as a rectangle. `start`/`end` are the item's effective
    dates (None where open-ended), not clipped to the window; x and width are clipped."""

    kind: str  # "feature" or "release"
    id: int
    key: str
    title: str
    label: str  # fits inside the bar (with `LABEL_PADDING`); may be shortened or empty
    x: float
    width: float
    y: float
    height: float
    lane: int
    start: date | None
    end: date | None
    group_key: str
    colour_key: str
    category: str
    clipped_start: bool  # starts before the window: draw a "continues" mark on the left
    clipped_end: bool  # ends after the window
    open_start: bool  # has no start date: drawn from the window's left edge
    open_end: bool  # has no end date: drawn to the window's right edge
    inherited: bool  # at least one date came from the release
    label_x: float  # where the label's text starts
    milestones: tuple[Marker, ...] = ()
    label_side: str = "inside"  # "inside", or "right"/"left" when written beside the bar
    phases: tuple[PhaseBand, ...] = ()  # a release's phases, under its bar

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def mid_y(self) -> float:
        return self.y + self.height / 2

    @property
    def open_ended(self) -> bool:
        return self.open_start or self.open_end

    @property
    def tooltip(self) -> str:
        """The full name, the dates and where they come from: for a `<title>`."""
        return f"{self.name}\n{self.dates}"

    @property
    def name(self) -> str:
        return f"{self.key} · {self.title}" if self.key else self.title

    @property
    def dates(self) -> str:
        start = format_date(self.start) if self.start else "no start date"
        end = format_date(self.end) if self.end else "no end date"
        dates = f"{start} – {end}"
        if self.inherited:
            dates += " (from the release)"
        return dates



@dataclass(frozen=True, slots=True)
class Group:
    """A header row and the lanes under it. `y` is the header's top; lanes start at `body_y`.
    Items wholly outside the window are not drawn but listed, for "3 earlier" indicators."""

    key: str
    label: str
    kind: str  # "releases", "features", or "collapsed" (the one line standing for empty groups)
    y: float
    height: float
    lanes: int
    bars: tuple[Bar, ...]  # top to bottom, then left to right
    hidden_before_ids: tuple[int, ...]  # end before the window starts
    hidden_after_ids: tuple[int, ...]  # start after the window ends
    unscheduled_ids: tuple[int, ...]  # no date at all, even from a release
    members: tuple[str, ...] = ()  # a collapsed line: the labels of the groups it stands for

    @property
    def body_y(self) -> float:
        return self.y + HEADER_HEIGHT

    @property
    def hidden_before(self) -> int:
        return len(self.hidden_before_ids)

    @property
    def hidden_after(self) -> int:
        return len(self.hidden_after_ids)

    @property
    def unscheduled(self) -> int:
        return len(self.unscheduled_ids)


@dataclass(frozen=True, slots=True)
class Arrow:
    """A dependency: an orthogonal SVG path from the end of the prerequisite's bar to the
    start of the dependent's. `conflict` when the dependent ends before its prerequisite
    (the `ends_before_dependency` rule of `releases.metrics`)."""

    from_id: int  # the prerequisite (depends-on) feature
    to_id: int  # the dependent feature
    path: str
    conflict: bool


@dataclass(frozen=True, slots=True)
class Layout:
    """A laid-out timeline: `width` × `height` px of body under an `axis.height` px header."""

    window: Window
    zoom: Zoom
    width: float
    height: float
    axis: Axis
    releases: Group | None  # the release band on top, when asked for and there are releases
    groups: tuple[Group, ...]  # feature groups, in display order
    today_x: float | None  # centre of today's column, None when today is outside the window
    arrows: tuple[Arrow, ...]
    feature_bars: Mapping[int, Bar]  # by feature id

    @property
    def px_per_day(self) -> float:
        return self.zoom.px_per_day

    @property
    def all_groups(self) -> tuple[Group, ...]:
        """The release band (if any) and the feature groups, top to bottom."""
        return ((self.releases,) if self.releases else ()) + self.groups

    def x_of(self, day: date) -> float:
        """Left edge of `day`'s column (may be negative or past `width` outside the window)."""
        return _x(day.toordinal() - self.window.start.toordinal(), self.zoom.px_per_day)

    def date_at(self, x: float) -> date:
        """The day whose column holds `x`, kept inside the window (for drag and drop)."""
        days = min(max(math.floor(x / self.zoom.px_per_day), 0), self.window.days - 1)
        return self.window.start + timedelta(days=days)

    def bar(self, feature_id: int) -> Bar | None:
        return self.feature_bars.get(feature_id)


@dataclass(frozen=True, slots=True)
class ViewOptions:
    """What a timeline page shows, as validated from its query string."""

    zoom: Zoom
    group: GroupBy
    window: Window

    def as_params(self) -> dict[str, str]:
        """Query parameters that give these options back (for links, forms and share links)."""
        return {"zoom": self.zoom.value, "group": self.group.value,
                "start": self.window.start.isoformat(), "end": self.window.end.isoformat()}


# --- dates ------------------------------------------------------------------


def format_date(day: date) -> str:
    """3 Jun 2026."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def add_months(day: date, months: int) -> date:
    """`day` moved by whole months, kept on the last day of a shorter month (31 Jan + 1 → 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, _days_in_month(year, month + 1)))


def _days_in_month(year: int, month: int) -> int:
    if month == 12:
        return 31
    return (date(year, month + 1, 1) - date(year, month, 1)).days


def week_start(day: date) -> date:
    """The Monday of `day`'s ISO week."""
    return day - timedelta(days=day.weekday())


def month_start(day: date) -> date:
    return day.replace(day=1)


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def year_start(day: date) -> date:
    return date(day.year, 1, 1)


def _as_date(day: date) -> date:
    """A datetime (e.g. `timezone.now()` passed for today) as its date: the two don't compare."""
    return day.date() if isinstance(day, datetime) else day


def _clamp_date(day: date) -> date:
    return min(max(day, MIN_DATE), MAX_DATE)


def _window_limit(start: date) -> date:
    """The first end date that makes a window starting on `start` longer than the limit."""
    return add_months(start, 12 * MAX_WINDOW_YEARS)


# The default window of each zoom: where it starts relative to today, and how long it is.
def _default_start(zoom: Zoom, today: date) -> date:
    if zoom is Zoom.WEEKS:
        return week_start(today) - timedelta(days=7)
    if zoom is Zoom.MONTHS:
        return add_months(month_start(today), -1)
    if zoom is Zoom.QUARTERS:
        return add_months(quarter_start(today), -3)
    return date(today.year - 1, 1, 1)


_SPAN_MONTHS = {Zoom.MONTHS: 12, Zoom.QUARTERS: 24, Zoom.YEARS: 60}
_SPAN_WEEKS = 12


def _span_end(zoom: Zoom, start: date) -> date:
    """The end of a default-length window of `zoom` starting on `start`."""
    if zoom is Zoom.WEEKS:
        return start + timedelta(days=7 * _SPAN_WEEKS - 1)
    return add_months(start, _SPAN_MONTHS[zoom]) - timedelta(days=1)


def _span_start(zoom: Zoom, end: date) -> date:
    """The start of a default-length window of `zoom` ending on `end`."""
    if zoom is Zoom.WEEKS:
        return end - timedelta(days=7 * _SPAN_WEEKS - 1)
    return add_months(end + timedelta(days=1), -_SPAN_MONTHS[zoom])


def default_window(zoom: Zoom, today: date) -> Window:
    """Weeks: 12 weeks from last week's Monday; months: 12 months from the start of last
    month; quarters: 8 quarters from the start of last quarter; years: 5 years from 1 Jan of
    last year."""
    today = _clamp_date(_as_date(today))
    start = _clamp_date(_default_start(zoom, today))
    return Window(start, _clamp_date(_span_end(zoom, start)))


# The longest window "fit to work" draws at each zoom; longer plans are cut around today.
_FIT_MAX_MONTHS = {Zoom.WEEKS: 4, Zoom.MONTHS: 18, Zoom.QUARTERS: 36, Zoom.YEARS: 10 * 12 - 1}
_FIT_MIN_PERIODS = 3  # a fitted window shows at least this many of the zoom's own periods
_FLOOR = {Zoom.WEEKS: week_start, Zoom.MONTHS: month_start, Zoom.QUARTERS: quarter_start, Zoom.YEARS: year_start}


def _next_period(zoom: Zoom, day: date) -> date:
    if zoom is Zoom.WEEKS:
        return day + timedelta(days=7)
    if zoom is Zoom.YEARS:
        return date(day.year + 1, 1, 1)
    return add_months(day, 3 if zoom is Zoom.QUARTERS else 1)


def fit_window(spans: Iterable[tuple[date | None, date | None]], zoom: Zoom, today: date) -> Window | None:
    """The window that holds the work of `spans` ((start, end) pairs; a missing date takes the
    other), in whole periods of `zoom` (months at month zoom…), at least `_FIT_MIN_PERIODS` of
    them, and one more after the work, where the titles of its last bars are written. Work
    longer than the zoom's longest fitted window is cut around today: from a little before
    today (or, when all of it is past, up to its end). None when no span has a date."""
    today = _clamp_date(_as_date(today))
    dated = [(start or end, end or start) for start, end in spans if start or end]
    if not dated:
        return None
    first = min(min(start, end) for start, end in dated)
    last = max(max(start, end) for start, end in dated)
    longest = _FIT_MAX_MONTHS[zoom]
    if add_months(first, longest) <= last:  # too long to draw whole: keep the part around today
        if today > last:
            first = add_months(last, -longest)
        else:
            first = max(first, _default_start(zoom, today))
            last = min(last, add_months(first, longest))
    start = _FLOOR[zoom](_clamp_date(first))
    end = start
    periods = 0
    while end <= last or periods < _FIT_MIN_PERIODS:
        end = _next_period(zoom, end)
        periods += 1
    end = _next_period(zoom, end)  # one more period: room for the titles beside the last bars
    return _sane_window(Window(start, _clamp_date(end - timedelta(days=1))))


# --- query string -----------------------------------------------------------

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_MONTH = re.compile(r"\d{4}-\d{2}")


def _param(params: Mapping[str, str], name: str) -> str:
    value = params.get(name)
    if isinstance(value, list | tuple):
        value = value[-1] if value else ""
    return "" if value is None else str(value).strip()


def _quoted(value: str) -> str:
    return f'"{value[:40]}{ELLIPSIS if len(value) > 40 else ""}"'


def _parse_date(raw: str, *, end: bool) -> date | None:
    """YYYY-MM-DD, or YYYY-MM for the first (start) or last (end) day of a month."""
    try:
        if _ISO_DAY.fullmatch(raw):
            return date.fromisoformat(raw)
        if _ISO_MONTH.fullmatch(raw):
            first = date(int(raw[:4]), int(raw[5:7]), 1)
            return add_months(first, 1) - timedelta(days=1) if end else first
    except ValueError:
        return None
    return None


def parse_view_options(params: Mapping[str, str], today: date) -> tuple[ViewOptions, list[str]]:
    """Zoom, grouping and window from query parameters `zoom`, `group`, `start` and `end`.

    Never raises. Unknown values and malformed dates are ignored, each with a message saying
    so; reversed dates are swapped; a window longer than `MAX_WINDOW_YEARS` is replaced by the
    zoom's default window around today. With only one date, the window has the zoom's default
    length from (or up to) it; with none, it is `default_window(zoom, today)`.
    """
    messages: list[str] = []

    raw_zoom = _param(params, "zoom")
    try:
        zoom = Zoom(raw_zoom.lower()) if raw_zoom else DEFAULT_ZOOM
    except ValueError:
        zoom = DEFAULT_ZOOM
        messages.append(f"Unknown zoom {_quoted(raw_zoom)}; showing {zoom.value}. "
                        f"Choose one of: {', '.join(z.value for z in Zoom)}.")

    raw_group = _param(params, "group")
    try:
        group = GroupBy(raw_group.lower()) if raw_group else DEFAULT_GROUP
    except ValueError:
        group = DEFAULT_GROUP
        messages.append(f"Unknown grouping {_quoted(raw_group)}; grouping by {group.value}. "
                        f"Choose one of: {', '.join(g.value for g in GroupBy)}.")

    dates: dict[str, date | None] = {}
    for name in ("start", "end"):
        raw = _param(params, name)
        parsed = _parse_date(raw, end=name == "end") if raw else None
        if raw and parsed is None:
            messages.append(f"The {name} date {_quoted(raw)} is not a date (use YYYY-MM-DD); ignored it.")
        elif parsed is not None and not MIN_DATE <= parsed <= MAX_DATE:
            messages.append(f"The {name} date {_quoted(raw)} is outside {MIN_DATE.year}–{MAX_DATE.year}; "
                            "ignored it.")
            parsed = None
        dates[name] = parsed
    start, end = dates["start"], dates["end"]

    if start and end and end < start:
        start, end = end, start
        messages.append("The end date was before the start date; swapped them.")
    if start and end:
        window = Window(start, end)
    elif start:
        window = Window(start, _clamp_date(_span_end(zoom, start)))
    elif end:
        window = Window(_clamp_date(_span_start(zoom, end)), end)
    else:
        window = default_window(zoom, today)

    if window.end >= _window_limit(window.start):
        window = default_window(zoom, today)
        messages.append(f"A window longer than {MAX_WINDOW_YEARS} years is too wide to draw; showing "
                        f"{format_date(window.start)} – {format_date(window.end)} instead.")
    return ViewOptions(zoom=zoom, group=group, window=window), messages


# --- text -------------------------------------------------------------------


def _char_units(char: str) -> int:
    """Width of a character in `CHAR_WIDTH` units: East Asian wide characters and "…" count two."""
    return 2 if char == ELLIPSIS or unicodedata.east_asian_width(char) in ("W", "F") else 1


def text_width(text: str) -> float:
    """Estimated width of `text` in px at 12 px: the estimate `fit_text` keeps under."""
    if text.isascii():  # the common case: one unit a character
        return CHAR_WIDTH * len(text)
    return _wide_text_width(text)


@functools.lru_cache(maxsize=8192)
def _wide_text_width(text: str) -> float:
    # Labels cut with "…" come back on every request: remembered per process.
    return CHAR_WIDTH * sum(_char_units(char) for char in text)


def fit_text(text: str, width: float) -> str:
    """`text` if it fits in `width` px, else as much of it as fits followed by "…", else ""."""
    if not text or width < CHAR_WIDTH:
        return ""
    budget = int(width // CHAR_WIDTH)  # in character units
    room = budget - _char_units(ELLIPSIS)  # for the text before an ellipsis
    if text.isascii():  # the common case: one unit a character, no lookups
        if len(text) <= budget:
            return text
        kept = text[:max(room, 0)].rstrip()
        return kept + ELLIPSIS if kept else ""
    used = count = 0
    for char in text:
        used += _char_units(char)
        if used > budget:
            break
        if used <= room:
            count += 1
    else:
        return text
    kept = text[:count].rstrip()
    return kept + ELLIPSIS if kept else ""


# --- mapping ----------------------------------------------------------------


def _x(days: int | float, px_per_day: float) -> float:
    """`days` after the window start in px, rounded half up to 0.5 px."""
    return math.floor(days * px_per_day * 2 + 0.5) / 2


def _sane_window(window: Window) -> Window:
    """The window kept drawable: ordered, inside the supported years, at most the limit long."""
    start, end = _clamp_date(window.start), _clamp_date(window.end)
    if end < start:
        start, end = end, start
    limit = _window_limit(start)
    if end >= limit:
        end = limit - timedelta(days=1)
    return Window(start, end) if (start, end) != (window.start, window.end) else window


# --- axis -------------------------------------------------------------------


def _next_week(day: date) -> date:
    return day + timedelta(days=7)


def _next_month(day: date) -> date:
    return add_months(day, 1)


def _next_quarter(day: date) -> date:
    return add_months(day, 3)


def _next_year(day: date) -> date:
    return date(day.year + 1, 1, 1)


def _week_label(day: date) -> str:
    return f"W{day.isocalendar().week} · {day.day} {_MONTHS[day.month - 1]}"


def _month_label(day: date) -> str:
    return f"{_MONTHS[day.month - 1]} {day.year}"


def _month_name_label(day: date) -> str:
    return f"{_MONTH_NAMES[day.month - 1]} {day.year}"


def _quarter_label(day: date) -> str:
    return f"Q{(day.month - 1) // 3 + 1} {day.year}"


def _year_label(day: date) -> str:
    return str(day.year)


_BandSpec = tuple[Callable[[date], date], Callable[[date], date], Callable[[date], str]]  # floor, step, label

_WEEKS: _BandSpec = (week_start, _next_week, _week_label)
_MONTHS_BAND = (month_start, _next_month, _month_label)
_MONTH_NAMES_BAND = (month_start, _next_month, _month_name_label)
_QUARTERS = (quarter_start, _next_quarter, _quarter_label)
_YEARS = (year_start, _next_year, _year_label)

# zoom: (major band or None, minor band)
_BANDS = {
    Zoom.WEEKS: (_MONTH_NAMES_BAND, _WEEKS),
    Zoom.MONTHS: (_YEARS, _MONTHS_BAND),
    Zoom.QUARTERS: (_YEARS, _QUARTERS),
    Zoom.YEARS: (None, _YEARS),
}


def _band(band: _BandSpec, window: Window, px_per_day: float) -> tuple[Tick, ...]:
    floor, step, label = band
    origin = window.start.toordinal()
    stop = window.end.toordinal() + 1
    ticks = []
    period = floor(window.start)
    while period.toordinal() < stop:
        following = step(period)
        left = max(period.toordinal(), origin) - origin
        right = min(following.toordinal(), stop) - origin
        x = _x(left, px_per_day)
        width = _x(right, px_per_day) - x
        title = label(period)
        ticks.append(Tick(period, x, width, fit_text(title, width - 2 * LABEL_PADDING), title))
        period = following
    return tuple(ticks)


def axis_for(window: Window, zoom: Zoom) -> Axis:
    """The header bands of `zoom` over `window` (weeks under months, months or quarters
    under years, years alone)."""
    window = _sane_window(window)
    major, minor = _BANDS[zoom]
    major_ticks = _band(major, window, zoom.px_per_day) if major else ()
    return Axis(major_ticks, _band(minor, window, zoom.px_per_day),
                AXIS_BAND_HEIGHT * (2 if major_ticks else 1))


# --- lanes ------------------------------------------------------------------


@dataclass(slots=True)
class _Placed:
    """An item in the window before it has a lane: its drawn extent and what the bar needs."""

    order: int  # input position, to break ties so equal input gives equal output
    x: float
    width: float
    item: FeatureItem | ReleaseItem
    start: date | None
    end: date | None
    clipped_start: bool
    clipped_end: bool
    open_start: bool
    open_end: bool
    inherited: bool
    lane: int = 0
    label: str = ""
    label_x: float = 0.0
    label_side: str = "inside"
    extent_x: float = 0.0  # the bar and a label beside it: what lane packing keeps apart
    extent_width: float = 0.0


def _place_label(placed: _Placed, title: str, total_width: float) -> None:
    """Put `title` inside the bar when it fits, else beside it (right, or left when the right
    runs out of window), else inside, shortened; and record the room bar and label take."""
    placed.extent_x, placed.extent_width = placed.x, placed.width
    inside = placed.width - 2 * LABEL_PADDING
    kept = fit_text(title, inside)
    if not title or len(kept) >= min(len(title), READABLE_CHARS):  # whole, or long enough to read
        placed.label, placed.label_x = kept, placed.x + LABEL_PADDING
        return
    beside = fit_text(title, BESIDE_MAX)
    room = text_width(beside) + BESIDE_GAP + MARK_ROOM
    if placed.x + placed.width + room <= total_width:
        placed.label, placed.label_x, placed.label_side = beside, placed.x + placed.width + BESIDE_GAP, "right"
        placed.extent_width = placed.width + room
    elif placed.x - room >= 0:
        placed.label, placed.label_x, placed.label_side = beside, placed.x - room, "left"
        placed.extent_x, placed.extent_width = placed.x - room, placed.width + room
    else:  # a narrow window: as much as fits on the roomier side
        right = total_width - placed.x - placed.width - BESIDE_GAP - MARK_ROOM
        left = placed.x - BESIDE_GAP - MARK_ROOM
        label = fit_text(title, max(right, left))
        if text_width(label) <= max(inside, 0):
            placed.label, placed.label_x = kept, placed.x + LABEL_PADDING
        elif right >= left:
            placed.label, placed.label_x, placed.label_side = label, placed.x + placed.width + BESIDE_GAP, "right"
            placed.extent_width = placed.width + BESIDE_GAP + MARK_ROOM + text_width(label)
        else:
            room = text_width(label) + BESIDE_GAP + MARK_ROOM
            placed.label, placed.label_x, placed.label_side = label, placed.x - room, "left"
            placed.extent_x, placed.extent_width = placed.x - room, placed.width + room


def pack_lanes(spans: Sequence[tuple[float, float]], gap: float = LANE_GAP) -> tuple[list[int], int]:
    """Lane index for each (x, width) span, and the number of lanes.

    Greedy interval partitioning: spans in order of x (then input order) each go into the
    lowest lane whose last span ends at least `gap` before it starts, else a new lane. That
    uses as few lanes as possible, and two spans of one lane never overlap. O(n log n).
    """
    order = sorted(range(len(spans)), key=lambda i: spans[i][0])  # stable: ties keep input order
    lanes = [0] * len(spans)
    busy: list[tuple[float, int]] = []  # (right edge + gap, lane) of each lane's last span
    free: list[int] = []  # lanes whose last span ends before the current x
    count = 0
    for index in order:
        x, width = spans[index]
        while busy and busy[0][0] <= x:
            heapq.heappush(free, heapq.heappop(busy)[1])
        if free:
            lane = heapq.heappop(free)
        else:
            lane, count = count, count + 1
        lanes[index] = lane
        heapq.heappush(busy, (x + width + gap, lane))
    return lanes, count


def _place(
    order: int,
    item: FeatureItem | ReleaseItem,
    start: date | None,
    end: date | None,
    inherited: bool,
    origin: int,
    last: int,
    px_per_day: float,
    total_width: float,
) -> _Placed | str:
    """Where an item is drawn, or why it is not: "unscheduled", "before" or "after"."""
    if start is None and end is None:
        return "unscheduled"
    if start is not None and end is not None and end < start:
        start, end = end, start
    first_day = start.toordinal() if start else None
    last_day = end.toordinal() if end else None
    if last_day is not None and last_day < origin:
        return "before"
    if first_day is not None and first_day > last:
        return "after"
    clipped_start = first_day is not None and first_day < origin
    clipped_end = last_day is not None and last_day > last
    left = origin if first_day is None or clipped_start else first_day
    right = last if last_day is None or clipped_end else last_day
    x = _x(left - origin, px_per_day)
    width = _x(right + 1 - origin, px_per_day) - x
    if last_day is not None and not clipped_end:
        width -= LANE_GAP
    if width < MIN_BAR_WIDTH:
        width = MIN_BAR_WIDTH
        x = max(min(x, total_width - width), 0.0)
    return _Placed(order, x, width, item, start, end, clipped_start, clipped_end,
                   start is None, end is None, inherited)


class _Bucket:
    """A group being collected: placed items and the ids of those not drawn."""

    __slots__ = ("label", "placed", "hidden_before", "hidden_after", "unscheduled")

    def __init__(self, label: str) -> None:
        self.label = label
        self.placed: list[_Placed] = []
        self.hidden_before: list[int] = []
        self.hidden_after: list[int] = []
        self.unscheduled: list[int] = []

    def add(self, item_id: int, placed: _Placed | str) -> None:
        if isinstance(placed, _Placed):
            self.placed.append(placed)
        elif placed == "before":
            self.hidden_before.append(item_id)
        elif placed == "after":
            self.hidden_after.append(item_id)
        else:
            self.unscheduled.append(item_id)


def _lanes_for(bucket: _Bucket) -> int:
    lanes, count = pack_lanes([(p.extent_x, p.extent_width) if p.extent_width else (p.x, p.width)
                               for p in bucket.placed])
    for placed, lane in zip(bucket.placed, lanes, strict=True):
        placed.lane = lane
    bucket.placed.sort(key=lambda p: (p.lane, p.x, p.order))
    return count


# --- layout -----------------------------------------------------------------


def _fmt(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value)


def _arrow_path(source: Bar, target: Bar) -> str:
    """Right from the prerequisite's end, down or up, right into the dependent's start; when
    the dependent starts too close or earlier, around through the gap beside its lane."""
    x1, y1, x2, y2 = source.right, source.mid_y, target.x, target.mid_y
    if y1 == y2 and x2 >= x1:
        return f"M{_fmt(x1)} {_fmt(y1)} H{_fmt(x2)}"
    if x2 >= x1 + 2 * ARROW_STUB:
        elbow = x1 + ARROW_STUB
        return f"M{_fmt(x1)} {_fmt(y1)} H{_fmt(elbow)} V{_fmt(y2)} H{_fmt(x2)}"
    margin = (LANE_HEIGHT - BAR_HEIGHT) / 2
    channel = target.y - margin if y2 > y1 else target.y + target.height + margin
    out, back = x1 + ARROW_STUB, max(x2 - ARROW_STUB, 0.0)
    return (f"M{_fmt(x1)} {_fmt(y1)} H{_fmt(out)} V{_fmt(channel)} H{_fmt(back)} "
            f"V{_fmt(y2)} H{_fmt(x2)}")


def _arrows(dependencies: Iterable[tuple[int, int]], bars: Mapping[int, Bar]) -> tuple[Arrow, ...]:
    arrows = []
    seen: set[tuple[int, int]] = set()
    for feature_id, depends_on_id in dependencies:
        if feature_id == depends_on_id or (feature_id, depends_on_id) in seen:
            continue
        seen.add((feature_id, depends_on_id))
        target, source = bars.get(feature_id), bars.get(depends_on_id)
        if target is None or source is None:
            continue
        conflict = target.end is not None and source.end is not None and target.end < source.end
        arrows.append(Arrow(depends_on_id, feature_id, _arrow_path(source, target), conflict))
    return tuple(arrows)


def _markers(bars: list[Bar], release_by_id: Mapping[int, ReleaseItem], window: Window,
             px_per_day: float, total_width: float) -> dict[int, tuple[Marker, ...]]:
    """Milestone diamonds in the window, per release id, with names that stop before the
    next diamond of the same lane."""
    origin = window.start.toordinal()
    by_lane: dict[int, list[tuple[float, int, MilestoneItem, Bar]]] = {}
    for bar in bars:
        for milestone in release_by_id[bar.id].milestones:
            if milestone.date is None or milestone.date not in window:
                continue
            x = _x(milestone.date.toordinal() - origin + 0.5, px_per_day)
            by_lane.setdefault(bar.lane, []).append((x, milestone.id, milestone, bar))
    markers: dict[int, list[Marker]] = {}
    diamond = MILESTONE_SIZE / 2
    for entries in by_lane.values():
        entries.sort(key=lambda entry: (entry[0], entry[1]))
        for index, (x, _, milestone, bar) in enumerate(entries):
            label_x = max(x - diamond, 0.0)
            room = (max(entries[index + 1][0] - diamond, 0.0) - MILESTONE_LABEL_GAP
                    if index + 1 < len(entries) else total_width) - label_x
            markers.setdefault(bar.id, []).append(Marker(
                milestone.id, milestone.name, milestone.date, x, bar.mid_y,
                fit_text(milestone.name, room), label_x, bar.y + bar.height + 14))
    return {release_id: tuple(found) for release_id, found in markers.items()}


def _phase_bands(bar: Bar, release: ReleaseItem, window: Window, px_per_day: float) -> tuple[PhaseBand, ...]:
    """The release's phases that reach into the window, as bands under its bar."""
    origin = window.start.toordinal()
    bands = []
    for phase in release.phases:
        if phase.end < window.start or phase.start > window.end:
            continue
        left = _x(max(phase.start, window.start).toordinal() - origin, px_per_day)
        right = _x(min(phase.end, window.end).toordinal() - origin + 1, px_per_day)
        bands.append(PhaseBand(phase.name, phase.colour, phase.start, phase.end, left, bar.y + bar.height + PHASE_GAP,
                               max(right - left - 1, 2.0)))
    return tuple(bands)


def _bar(kind: str, placed: _Placed, key: str, title: str, lane_top: float, group_key: str,
         colour_key: str, category: str) -> Bar:
    if placed.extent_width:
        label, label_x, side = placed.label, placed.label_x, placed.label_side
    else:
        label, label_x, side = fit_text(title, placed.width - 2 * LABEL_PADDING), placed.x + LABEL_PADDING, "inside"
    return Bar(kind, placed.item.id, key, title, label,
               placed.x, placed.width, lane_top + (LANE_HEIGHT - BAR_HEIGHT) / 2, BAR_HEIGHT, placed.lane,
               placed.start, placed.end, group_key, colour_key, category, placed.clipped_start,
               placed.clipped_end, placed.open_start, placed.open_end, placed.inherited,
               label_x, label_side=side)


def _label_between(bar: Bar, markers: tuple[Marker, ...]) -> Bar:
    """`bar` with its label moved off its milestone diamonds: into the first gap between them
    where the whole label fits, else into the widest gap, shortened."""
    half = MILESTONE_SIZE / 2
    inside = [marker.x for marker in markers if bar.x <= marker.x <= bar.right]  # sorted by x
    edges = [bar.x] + [edge for x in inside for edge in (x - half, x + half)] + [bar.right]
    gaps = [(left, right - left - 2 * LABEL_PADDING) for left, right in zip(edges[::2], edges[1::2], strict=True)]
    fits = [gap for gap in gaps if text_width(bar.title) <= gap[1]]
    left, room = fits[0] if fits else max(gaps, key=lambda gap: gap[1])
    return replace(bar, milestones=markers, label=fit_text(bar.title, room), label_x=left + LABEL_PADDING,
                   label_side="inside")


def _release_band(releases: Sequence[ReleaseItem], window: Window, px_per_day: float,
                  total_width: float) -> Group:
    origin, last = window.start.toordinal(), window.end.toordinal()
    bucket = _Bucket("Releases")
    release_by_id: dict[int, ReleaseItem] = {}
    for order, release in enumerate(releases):
        if release.id in release_by_id:
            continue
        release_by_id[release.id] = release
        placed = _place(order, release, release.start, release.end, False, origin, last, px_per_day, total_width)
        if isinstance(placed, _Placed):
            _place_label(placed, release.name, total_width)
        bucket.add(release.id, placed)
    lanes = _lanes_for(bucket)
    bars = [
        _bar("release", placed, "", placed.item.name, HEADER_HEIGHT + placed.lane * RELEASE_LANE_HEIGHT, "",
             placed.item.status, placed.item.status)
        for placed in bucket.placed
    ]
    markers = _markers(bars, release_by_id, window, px_per_day, total_width)
    # A name written beside its bar stays there (the milestone names are on the line below).
    bars = [_label_between(bar, markers[bar.id]) if bar.id in markers and bar.label_side == "inside" else
            replace(bar, milestones=markers.get(bar.id, ())) for bar in bars]
    bars = [replace(bar, phases=_phase_bands(bar, release_by_id[bar.id], window, px_per_day))
            if release_by_id[bar.id].phases else bar for bar in bars]
    return Group("", "Releases", "releases", 0.0, float(HEADER_HEIGHT + max(lanes, 1) * RELEASE_LANE_HEIGHT),
                 lanes, tuple(bars), tuple(bucket.hidden_before), tuple(bucket.hidden_after),
                 tuple(bucket.unscheduled))


def _group_order(buckets: Mapping[str, _Bucket], declared: Sequence[GroupItem]) -> list[str]:
    """Declared groups first, in their order; then the rest by label, "no group" ("") last."""
    order = list(dict.fromkeys(group.key for group in declared))
    listed = set(order)
    rest = sorted((key for key in buckets if key not in listed),
                  key=lambda key: (key == "", buckets[key].label.casefold(), key))
    return order + rest


def layout_timeline(
    *,
    features: Iterable[FeatureItem],
    window: Window,
    zoom: Zoom,
    today: date,
    releases: Sequence[ReleaseItem] = (),
    dependencies: Iterable[tuple[int, int]] = (),
    groups: Sequence[GroupItem] = (),
    show_releases: bool = True,
    collapse_empty: tuple[str, str] | None = None,
) -> Layout:
    """Lay out a timeline roadmap. Never touches the database and never raises on odd rows.

    - `features`: one bar each, in the group named by its `group_key`; a feature id given
      twice is drawn once (the first time). Missing dates are taken from the release named
      by `release_id` when it is in `releases`.
    - `releases`: drawn in a band on top when `show_releases`; always used for inheritance.
    - `dependencies`: (feature id, depends-on id) pairs; an arrow is drawn only when both
      features have a bar in the window. Self, duplicate and unknown pairs are skipped.
    - `groups`: groups to show first and in this order, even when empty; other groups follow
      by label, the "" group (no release, no initiative…) last.
    - `collapse_empty`: (singular, plural) of what a group is ("release", "releases"); when
      given, the groups with no bar in the window are drawn as one line at the bottom
      ("14 releases with nothing in this window"), which keeps their hidden and undated counts.
    - `window` is kept drawable (ordered, at most `MAX_WINDOW_YEARS` long); validate user
      input with `parse_view_options` first to tell the user about it.
    """
    window = _sane_window(window)
    px_per_day = zoom.px_per_day
    origin, last = window.start.toordinal(), window.end.toordinal()
    total_width = _x(last + 1 - origin, px_per_day)
    release_by_id = {release.id: release for release in reversed(releases)}  # first one wins

    buckets: dict[str, _Bucket] = {group.key: _Bucket(group.label) for group in reversed(groups)}
    seen: set[int] = set()
    for order, feature in enumerate(features):
        if feature.id in seen:
            continue
        seen.add(feature.id)
        start, end, inherited = feature.start, feature.end, False
        release = release_by_id.get(feature.release_id) if feature.release_id is not None else None
        if release is not None:
            if start is None and release.start is not None:
                start, inherited = release.start, True
            if end is None and release.end is not None:
                end, inherited = release.end, True
        bucket = buckets.get(feature.group_key)
        if bucket is None:
            label = str(feature.group_label or feature.group_key or "No group")
            bucket = buckets[feature.group_key] = _Bucket(label)
        placed = _place(order, feature, start, end, inherited, origin, last, px_per_day, total_width)
        if isinstance(placed, _Placed):
            _place_label(placed, feature.title, total_width)
        bucket.add(feature.id, placed)

    release_band = _release_band(releases, window, px_per_day, total_width) if show_releases and releases else None
    y = float(release_band.height) if release_band else 0.0
    laid_out: list[Group] = []
    feature_bars: dict[int, Bar] = {}
    empty: list[_Bucket] = []
    for key in _group_order(buckets, groups):
        bucket = buckets[key]
        if collapse_empty and not bucket.placed:
            empty.append(bucket)
            continue
        lanes = _lanes_for(bucket)
        body_y = y + HEADER_HEIGHT
        bars = []
        for placed in bucket.placed:
            feature = placed.item
            bar = _bar("feature", placed, feature.key, feature.title, body_y + placed.lane * LANE_HEIGHT, key,
                       feature.colour_key, feature.category)
            bars.append(bar)
            feature_bars[feature.id] = bar
        height = float(HEADER_HEIGHT + max(lanes, 1) * LANE_HEIGHT)
        laid_out.append(Group(key, bucket.label, "features", y, height, lanes, tuple(bars),
                              tuple(bucket.hidden_before), tuple(bucket.hidden_after), tuple(bucket.unscheduled)))
        y += height
    if empty:
        singular, plural = collapse_empty
        label = f"{len(empty)} {singular if len(empty) == 1 else plural} with nothing in this window"
        laid_out.append(Group("", label, "collapsed", y, float(HEADER_HEIGHT), 0, (),
                              tuple(i for b in empty for i in b.hidden_before),
                              tuple(i for b in empty for i in b.hidden_after),
                              tuple(i for b in empty for i in b.unscheduled), tuple(b.label for b in empty)))
        y += HEADER_HEIGHT

    today = _as_date(today)
    today_x = _x(today.toordinal() - origin + 0.5, px_per_day) if today in window else None
    return Layout(window, zoom, total_width, y, axis_for(window, zoom), release_band, tuple(laid_out), today_x,
                  _arrows(dependencies, feature_bars), feature_bars)
