"""The timeline layout engine: pure functions, no database."""

import random
from collections import defaultdict
from datetime import date, datetime, timedelta

import pytest
from django.http import QueryDict

from roadmap.render.timeline import spoken
from roadmap.timeline import (
    BAR_HEIGHT,
    BESIDE_MAX,
    CHAR_WIDTH,
    HEADER_HEIGHT,
    LABEL_PADDING,
    LANE_GAP,
    LANE_HEIGHT,
    MAX_WINDOW_YEARS,
    MIN_BAR_WIDTH,
    RELEASE_LANE_HEIGHT,
    FeatureItem,
    GroupBy,
    GroupItem,
    Layout,
    MilestoneItem,
    ReleaseItem,
    Window,
    Zoom,
    add_months,
    axis_for,
    default_window,
    fit_text,
    fit_window,
    layout_timeline,
    pack_lanes,
    parse_view_options,
    text_width,
)

TODAY = date(2026, 6, 17)  # a Wednesday
H1 = Window(date(2026, 1, 1), date(2026, 6, 30))


def feature(id, start=None, end=None, *, group="g", title=None, **fields) -> FeatureItem:
    fields.setdefault("group_label", group.upper() if group else "")
    return FeatureItem(id=id, key=f"MOB-{id}", title=f"Feature {id}" if title is None else title, start=start, end=end,
                       group_key=group, **fields)


def lay_out(features=(), *, window=H1, zoom=Zoom.MONTHS, today=TODAY, **options) -> Layout:
    return layout_timeline(features=features, window=window, zoom=zoom, today=today, **options)


def assert_no_overlaps(layout: Layout) -> None:
    for group in layout.all_groups:
        lanes = defaultdict(list)
        for bar in group.bars:
            assert group.body_y <= bar.y and bar.y + bar.height <= group.y + group.height
            lanes[bar.lane].append(bar)
        assert set(lanes) == set(range(group.lanes))
        for bars in lanes.values():
            assert len({bar.y for bar in bars}) == 1
            bars.sort(key=lambda bar: bar.x)
            for before, after in zip(bars, bars[1:]):
                assert before.right + LANE_GAP <= after.x, (before, after)
    for upper, lower in zip(layout.all_groups, layout.all_groups[1:]):
        assert upper.y + upper.height == lower.y


def random_features(seed: int, count: int, window: Window) -> list[FeatureItem]:
    rng = random.Random(seed)
    days = window.days
    items = []
    for id in range(count):
        start = window.start + timedelta(days=rng.randrange(-30, days + 30))
        end = start + timedelta(days=rng.choice([0, 0, 1, 6, rng.randrange(200)]))
        if rng.random() < 0.05:
            start = None
        elif rng.random() < 0.05:
            end = None
        items.append(feature(id, start, end, group=f"g{rng.randrange(6)}",
                             title="x" * rng.randrange(1, 80)))
    return items


# --- date → x ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("zoom", "px_per_day"),
    [
        pytest.param(Zoom.WEEKS, 24, id="weeks"),
        pytest.param(Zoom.MONTHS, 4, id="months"),
        pytest.param(Zoom.QUARTERS, 1.5, id="quarters"),
        pytest.param(Zoom.YEARS, 0.6, id="years"),
    ],
)
def test_x_is_days_since_the_window_start_times_the_zoom_scale(zoom, px_per_day):
    layout = lay_out(zoom=zoom)

    assert layout.px_per_day == px_per_day
    assert layout.x_of(H1.start) == 0
    assert layout.x_of(date(2026, 1, 11)) == round(10 * px_per_day * 2) / 2
    assert layout.x_of(date(2025, 12, 31)) == -round(px_per_day * 2) / 2
    assert layout.width == round(181 * px_per_day * 2) / 2  # 1 Jan – 30 Jun 2026, both days included


@pytest.mark.parametrize(
    ("day", "x"),
    [
        pytest.param(date(2027, 1, 2), 0.5, id="0.6-rounds-to-0.5"),
        pytest.param(date(2027, 1, 3), 1.0, id="1.2-rounds-to-1"),
        pytest.param(date(2027, 1, 4), 2.0, id="1.8-rounds-to-2"),
        pytest.param(date(2028, 1, 1), 219.0, id="a-common-year-is-365-days"),
        pytest.param(date(2029, 1, 1), 438.5, id="a-leap-year-is-366-days"),
    ],
)
def test_x_is_rounded_to_half_pixels_and_counts_leap_days(day, x):
    layout = lay_out(window=Window(date(2027, 1, 1), date(2029, 12, 31)), zoom=Zoom.YEARS)

    assert layout.x_of(day) == x


def test_x_counts_the_29th_of_february_in_leap_years_only():
    leap = lay_out(window=Window(date(2028, 2, 1), date(2028, 3, 31)))
    common = lay_out(window=Window(date(2027, 2, 1), date(2027, 3, 31)))

    assert leap.x_of(date(2028, 3, 1)) == 29 * 4
    assert common.x_of(date(2027, 3, 1)) == 28 * 4
    assert leap.x_of(date(2028, 2, 29)) == 28 * 4


def test_date_at_is_the_inverse_of_x_and_stays_inside_the_window():
    layout = lay_out(zoom=Zoom.WEEKS)

    for day in (H1.start, date(2026, 2, 28), date(2026, 3, 31), H1.end):
        assert layout.date_at(layout.x_of(day)) == day
        assert layout.date_at(layout.x_of(day) + 23.5) == day
    assert layout.date_at(-100) == H1.start
    assert layout.date_at(layout.width + 100) == H1.end


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        pytest.param(date(2026, 1, 31), 1, date(2026, 2, 28), id="into-a-short-february"),
        pytest.param(date(2028, 1, 31), 1, date(2028, 2, 29), id="into-a-leap-february"),
        pytest.param(date(2028, 2, 29), 12, date(2029, 2, 28), id="from-a-leap-day"),
        pytest.param(date(2026, 11, 30), 3, date(2027, 2, 28), id="across-new-year"),
        pytest.param(date(2026, 3, 31), -1, date(2026, 2, 28), id="backwards"),
        pytest.param(date(2026, 1, 15), -13, date(2024, 12, 15), id="backwards-across-two-years"),
    ],
)
def test_adding_months_keeps_the_day_inside_the_month(day, months, expected):
    assert add_months(day, months) == expected


# --- axis -------------------------------------------------------------------


def test_month_ticks_follow_month_lengths_in_a_leap_year():
    axis = axis_for(Window(date(2028, 1, 1), date(2028, 4, 30)), Zoom.MONTHS)

    assert [(t.label, t.x, t.width) for t in axis.minor] == [
        ("Jan 2028", 0, 124), ("Feb 2028", 124, 116), ("Mar 2028", 240, 124), ("Apr 2028", 364, 120),
    ]
    assert [(t.label, t.x, t.width) for t in axis.major] == [("2028", 0, 484)]
    assert axis.height == 48


def test_month_ticks_of_a_common_year_give_february_28_days():
    axis = axis_for(Window(date(2027, 2, 1), date(2027, 2, 28)), Zoom.MONTHS)

    assert [(t.label, t.width) for t in axis.minor] == [("Feb 2027", 112)]


def test_week_ticks_start_on_mondays_with_iso_week_numbers_across_new_year():
    axis = axis_for(Window(date(2025, 12, 24), date(2026, 1, 11)), Zoom.WEEKS)

    assert [(t.start, t.title) for t in axis.minor] == [
        (date(2025, 12, 22), "W52 · 22 Dec"),
        (date(2025, 12, 29), "W1 · 29 Dec"),
        (date(2026, 1, 5), "W2 · 5 Jan"),
    ]
    assert [(t.x, t.width) for t in axis.minor] == [(0, 5 * 24), (120, 168), (288, 168)]
    assert [t.title for t in axis.major] == ["December 2025", "January 2026"]
    assert axis.major[1].x == 8 * 24


def test_week_ticks_know_53_week_years_and_the_june_example():
    assert axis_for(Window(date(2026, 12, 28), date(2027, 1, 3)), Zoom.WEEKS).minor[0].title == "W53 · 28 Dec"
    assert axis_for(Window(date(2025, 6, 2), date(2025, 6, 8)), Zoom.WEEKS).minor[0].title == "W23 · 2 Jun"


def test_quarter_ticks_cross_the_year_boundary_under_a_year_band():
    axis = axis_for(Window(date(2026, 11, 15), date(2027, 4, 30)), Zoom.QUARTERS)

    assert [(t.title, t.x, t.width) for t in axis.minor] == [
        ("Q4 2026", 0, 70.5), ("Q1 2027", 70.5, 135), ("Q2 2027", 205.5, 45),
    ]
    assert [(t.title, t.width) for t in axis.major] == [("2026", 70.5), ("2027", 180)]


def test_year_ticks_give_leap_years_one_more_day_and_have_no_coarser_band():
    axis = axis_for(Window(date(2027, 1, 1), date(2029, 12, 31)), Zoom.YEARS)

    assert [(t.label, t.x, t.width) for t in axis.minor] == [
        ("2027", 0, 219), ("2028", 219, 219.5), ("2029", 438.5, 219),
    ]
    assert axis.major == ()
    assert axis.height == 24


@pytest.mark.parametrize("zoom", list(Zoom), ids=str)
@pytest.mark.parametrize(
    "window",
    [
        pytest.param(Window(date(2026, 1, 1), date(2026, 12, 31)), id="a-year"),
        pytest.param(Window(date(2026, 3, 30), date(2026, 4, 2)), id="four-days-across-months"),
        pytest.param(Window(date(2024, 2, 28), date(2033, 3, 1)), id="nine-years"),
    ],
)
def test_tick_labels_never_overflow_their_cell_and_cells_tile_the_window(zoom, window):
    axis = axis_for(window, zoom)
    width = round(window.days * zoom.px_per_day * 2) / 2

    for band in (axis.major, axis.minor):
        assert band == () or (band[0].x == 0 and band[-1].x + band[-1].width == width)
        for tick, following in zip(band, band[1:]):
            assert tick.x + tick.width == following.x
        for tick in band:
            assert text_width(tick.label) <= max(tick.width - 2 * LABEL_PADDING, 0)
            assert tick.label == tick.title or tick.label == "" or tick.label.endswith("…")


def test_a_whole_month_keeps_its_full_label_even_in_february():
    february = Window(date(2026, 2, 1), date(2026, 2, 28))

    assert [tick.label for tick in axis_for(february, Zoom.MONTHS).minor] == ["Feb 2026"]
    assert [tick.label for tick in axis_for(february, Zoom.WEEKS).major] == ["February 2026"]


def test_a_sliver_of_a_period_at_the_window_edge_gets_a_short_or_empty_label():
    axis = axis_for(Window(date(2026, 1, 30), date(2026, 3, 31)), Zoom.MONTHS)

    assert (axis.minor[0].width, axis.minor[0].label, axis.minor[0].title) == (8, "", "Jan 2026")


# --- bars: inherited, open-ended, clipped, hidden ---------------------------


def test_features_without_dates_inherit_the_release_window():
    release = ReleaseItem(7, "2.4", date(2026, 3, 2), date(2026, 4, 30))
    layout = lay_out([feature(1, release_id=7)], releases=[release])

    bar = layout.bar(1)
    assert (bar.start, bar.end, bar.inherited) == (release.start, release.end, True)
    assert (bar.x, bar.right) == (layout.x_of(date(2026, 3, 2)), layout.x_of(date(2026, 5, 1)) - LANE_GAP)
    assert "(from the release)" in bar.tooltip


def test_a_feature_inherits_only_the_date_it_lacks():
    release = ReleaseItem(7, "2.4", date(2026, 3, 2), date(2026, 4, 30))
    layout = lay_out([feature(1, end=date(2026, 3, 20), release_id=7),
                      feature(2, start=date(2026, 4, 1), release_id=7),
                      feature(3, date(2026, 2, 1), date(2026, 2, 10), release_id=7)], releases=[release])

    assert (layout.bar(1).start, layout.bar(1).end, layout.bar(1).inherited) == (
        date(2026, 3, 2), date(2026, 3, 20), True)
    assert (layout.bar(2).start, layout.bar(2).end) == (date(2026, 4, 1), date(2026, 4, 30))
    assert layout.bar(3).inherited is False
    assert "(from the release)" not in layout.bar(3).tooltip


def test_release_dates_are_inherited_even_when_the_release_band_is_hidden():
    release = ReleaseItem(7, "2.4", date(2026, 3, 2), date(2026, 4, 30))
    layout = lay_out([feature(1, release_id=7)], releases=[release], show_releases=False)

    assert layout.releases is None
    assert layout.bar(1).inherited


def test_features_with_no_dates_and_no_known_release_are_unscheduled_and_counted():
    layout = lay_out([feature(1), feature(2, release_id=99), feature(3, date(2026, 2, 1), date(2026, 2, 3))])

    (group,) = layout.groups
    assert group.unscheduled_ids == (1, 2)
    assert group.unscheduled == 2
    assert [bar.id for bar in group.bars] == [3]


def test_a_feature_without_an_end_runs_to_the_right_edge_as_open_ended():
    layout = lay_out([feature(1, start=date(2026, 5, 1))])

    bar = layout.bar(1)
    assert (bar.x, bar.right) == (layout.x_of(date(2026, 5, 1)), layout.width)
    assert (bar.open_end, bar.open_start, bar.open_ended, bar.clipped_end) == (True, False, True, False)
    assert bar.end is None
    assert "no end date" in bar.tooltip


def test_a_feature_without_a_start_runs_from_the_left_edge_as_open_ended():
    layout = lay_out([feature(1, end=date(2026, 2, 14))])

    bar = layout.bar(1)
    assert (bar.x, bar.right) == (0, layout.x_of(date(2026, 2, 15)) - LANE_GAP)
    assert (bar.open_start, bar.open_end, bar.clipped_start) == (True, False, False)
    assert "no start date" in bar.tooltip


@pytest.mark.parametrize(
    ("start", "end", "hidden"),
    [
        pytest.param(date(2026, 7, 1), None, "after", id="open-end-starting-after-the-window"),
        pytest.param(None, date(2025, 12, 31), "before", id="open-start-ending-before-the-window"),
        pytest.param(date(2025, 1, 1), date(2025, 12, 31), "before", id="ending-the-day-before"),
        pytest.param(date(2026, 7, 1), date(2026, 8, 1), "after", id="starting-the-day-after"),
    ],
)
def test_items_wholly_outside_the_window_are_not_drawn_but_counted(start, end, hidden):
    layout = lay_out([feature(1, start, end), feature(2, date(2026, 3, 1), date(2026, 3, 9))])

    (group,) = layout.groups
    assert layout.bar(1) is None
    assert (group.hidden_before, group.hidden_after) == ((1, 0) if hidden == "before" else (0, 1))
    assert [bar.id for bar in group.bars] == [2]


@pytest.mark.parametrize(
    ("start", "end", "flags"),
    [
        pytest.param(date(2025, 11, 1), date(2026, 2, 1), (True, False), id="starts-before"),
        pytest.param(date(2026, 5, 1), date(2026, 9, 1), (False, True), id="ends-after"),
        pytest.param(date(2025, 1, 1), date(2027, 1, 1), (True, True), id="spans-the-window"),
        pytest.param(date(2026, 1, 1), date(2026, 6, 30), (False, False), id="exactly-the-window"),
    ],
)
def test_items_crossing_the_window_edges_are_clipped_with_flags(start, end, flags):
    layout = lay_out([feature(1, start, end)])

    bar = layout.bar(1)
    assert (bar.clipped_start, bar.clipped_end) == flags
    assert bar.x == (0 if start <= H1.start else layout.x_of(start))
    assert bar.right == (layout.width if end > H1.end else layout.x_of(end + timedelta(days=1)) - LANE_GAP)
    assert (bar.start, bar.end) == (start, end)  # the real dates stay, for the tooltip


@pytest.mark.parametrize("zoom", list(Zoom), ids=str)
def test_one_day_items_keep_a_minimum_width_and_stay_inside_the_window(zoom):
    layout = lay_out([feature(1, H1.start, H1.start), feature(2, H1.end, H1.end, group="h")], zoom=zoom)

    first, last = layout.bar(1), layout.bar(2)
    assert first.width == max(MIN_BAR_WIDTH, zoom.px_per_day - LANE_GAP)
    assert first.x == 0
    assert last.width == first.width
    assert layout.x_of(H1.end) - MIN_BAR_WIDTH <= last.x and last.right <= layout.width


def test_an_end_before_the_start_is_read_as_the_other_way_round():
    layout = lay_out([feature(1, date(2026, 3, 10), date(2026, 3, 1))])

    assert (layout.bar(1).start, layout.bar(1).end) == (date(2026, 3, 1), date(2026, 3, 10))


def test_a_feature_given_twice_is_drawn_once():
    layout = lay_out([feature(1, date(2026, 3, 1), date(2026, 3, 9)),
                      feature(1, date(2026, 4, 1), date(2026, 4, 9), group="other")])

    assert [group.key for group in layout.groups] == ["g"]
    assert layout.bar(1).start == date(2026, 3, 1)


# --- lanes ------------------------------------------------------------------


def test_overlapping_bars_go_into_separate_lanes_and_free_lanes_are_reused_from_the_top():
    layout = lay_out([
        feature(1, date(2026, 1, 5), date(2026, 2, 10)),
        feature(2, date(2026, 1, 20), date(2026, 3, 1)),
        feature(3, date(2026, 2, 20), date(2026, 3, 10)),  # lane 0 is free again
        feature(4, date(2026, 3, 2), date(2026, 3, 20)),  # lane 0 is taken, lane 1 ended the day before
        feature(5, date(2026, 3, 5), date(2026, 3, 6)),  # all taken
    ])

    assert [layout.bar(id).lane for id in (1, 2, 3, 4, 5)] == [0, 1, 0, 1, 2]
    (group,) = layout.groups
    assert group.lanes == 3
    assert group.height == HEADER_HEIGHT + 3 * LANE_HEIGHT
    assert layout.bar(2).y == layout.bar(1).y + LANE_HEIGHT
    assert layout.bar(1).y == group.y + HEADER_HEIGHT + (LANE_HEIGHT - BAR_HEIGHT) / 2
    assert_no_overlaps(layout)


@pytest.mark.parametrize(
    ("zoom", "lanes"),
    [
        pytest.param(Zoom.WEEKS, [0, 0, 0], id="weeks"),
        pytest.param(Zoom.MONTHS, [0, 0, 0], id="months"),
        pytest.param(Zoom.QUARTERS, [0, 0, 1], id="quarters-a-one-day-bar-is-wider-than-two-days"),
        pytest.param(Zoom.YEARS, [0, 0, 1], id="years-a-one-day-bar-is-wider-than-two-days"),
    ],
)
def test_back_to_back_items_share_a_lane_unless_a_minimum_width_bar_reaches_the_next(zoom, lanes):
    # Untitled, so that no label beside a bar takes room: this is about the bars alone.
    items = [feature(1, date(2026, 1, 1), date(2026, 4, 30), title=""),
             feature(2, date(2026, 5, 1), date(2026, 5, 1), title=""),  # the day after 1 ends
             feature(3, date(2026, 5, 3), date(2026, 5, 31), title="")]  # two days after 2 starts

    layout = lay_out(items, zoom=zoom)

    assert [layout.bar(id).lane for id in (1, 2, 3)] == lanes
    assert layout.bar(1).right + LANE_GAP == layout.bar(2).x
    assert_no_overlaps(layout)


def test_bars_with_equal_starts_keep_the_input_order_top_to_bottom():
    layout = lay_out([feature(id, date(2026, 2, 1), date(2026, 2, 5)) for id in (5, 3, 9)])

    assert [layout.bar(id).lane for id in (5, 3, 9)] == [0, 1, 2]
    assert [bar.id for bar in layout.groups[0].bars] == [5, 3, 9]


def test_lane_packing_uses_as_few_lanes_as_the_deepest_overlap():
    spans = [(0, 10), (5, 10), (12, 10), (30, 1), (16, 2), (40, 5)]

    lanes, count = pack_lanes(spans, gap=2)

    assert count == 3  # 5–15, 12–22 and 16–18 all cover x = 16
    assert lanes == [0, 1, 0, 0, 2, 0]


@pytest.mark.parametrize("zoom", list(Zoom), ids=str)
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_features_never_overlap_within_a_lane(zoom, seed):
    items = random_features(seed, 400, H1)

    layout = lay_out(items, zoom=zoom)

    assert_no_overlaps(layout)
    drawn = sum(len(group.bars) for group in layout.groups)
    hidden = sum(group.hidden_before + group.hidden_after + group.unscheduled for group in layout.groups)
    assert drawn + hidden == len(items)


def test_three_thousand_random_features_are_laid_out_without_overlaps():
    window = Window(date(2026, 1, 1), date(2026, 12, 31))
    items = random_features(3000, 3000, window)
    releases = [ReleaseItem(id, f"R{id}", date(2026, id, 1), date(2026, id, 28),
                            milestones=(MilestoneItem(id, "Beta", date(2026, id, 14)),)) for id in range(1, 13)]
    rng = random.Random(3000)
    dependencies = [(rng.randrange(3000), rng.randrange(3000)) for _ in range(1000)]

    layout = lay_out(items, window=window, releases=releases, dependencies=dependencies)

    assert_no_overlaps(layout)
    assert len(layout.feature_bars) > 2500
    assert layout.arrows
    assert layout.height == sum(group.height for group in layout.all_groups)


# --- groups -----------------------------------------------------------------


def test_groups_are_ordered_by_label_with_the_no_group_group_last_whatever_the_input_order():
    items = [feature(1, H1.start, H1.start, group="", group_label="No initiative"),
             feature(2, H1.start, H1.start, group="b", group_label="billing"),
             feature(3, H1.start, H1.start, group="a", group_label="Onboarding"),
             feature(4, H1.start, H1.start, group="c", group_label="Analytics")]

    orders = {tuple(group.label for group in lay_out(shuffled).groups)
              for shuffled in (items, items[::-1], items[1:] + items[:1])}

    assert orders == {("Analytics", "billing", "Onboarding", "No initiative")}


def test_declared_groups_come_first_in_their_order_even_when_empty():
    declared = [GroupItem("r2", "Release 2"), GroupItem("r1", "Release 1"), GroupItem("r3", "Release 3")]
    items = [feature(1, H1.start, H1.start, group="r1"), feature(2, H1.start, H1.start, group="r2"),
             feature(3, H1.start, H1.start, group="", group_label="No release")]

    layout = lay_out(items, groups=declared)

    assert [(group.key, group.label) for group in layout.groups] == [
        ("r2", "Release 2"), ("r1", "Release 1"), ("r3", "Release 3"), ("", "No release")]
    empty = layout.groups[2]
    assert (empty.bars, empty.lanes, empty.height) == ((), 0, HEADER_HEIGHT + LANE_HEIGHT)
    assert [group.y for group in layout.groups] == [0, 56, 112, 168]


def test_a_group_of_only_hidden_items_still_shows_its_header_and_counts():
    layout = lay_out([feature(1, date(2025, 1, 1), date(2025, 2, 1), group="old")])

    (group,) = layout.groups
    assert (group.label, group.lanes, group.hidden_before, group.bars) == ("OLD", 0, 1, ())


def test_bars_carry_their_group_colour_and_category_for_the_page():
    layout = lay_out([feature(1, H1.start, H1.end, colour_key="in_progress", category="in_progress")])

    bar = layout.bar(1)
    assert (bar.kind, bar.group_key, bar.colour_key, bar.category) == ("feature", "g", "in_progress", "in_progress")


# --- labels -----------------------------------------------------------------


@pytest.mark.parametrize("zoom", list(Zoom), ids=str)
def test_bar_labels_never_exceed_the_bar_and_keep_the_full_title_for_the_tooltip(zoom):
    titles = ["Offline mode", "A very long feature title that will not fit in a short bar at all",
              "日本語の長い機能名はここにあります", "x", "Ünïcødé çhàracters everywhere in this title"]
    items = [feature(id, H1.start + timedelta(days=7 * id), H1.start + timedelta(days=7 * id + length),
                     title=titles[id % len(titles)])
             for id, length in enumerate([0, 1, 3, 6, 13, 20, 40, 60, 100] * 3)]

    layout = lay_out(items, zoom=zoom)

    for bar in layout.feature_bars.values():
        assert bar.title in bar.tooltip and bar.key in bar.tooltip
        assert bar.title in spoken(bar, conflict=False)
        if bar.label_side == "inside":
            assert text_width(bar.label) <= max(bar.width - 2 * LABEL_PADDING, 0)
            assert bar.label_x == bar.x + LABEL_PADDING
            assert bar.label == bar.title or bar.label == "" or (
                bar.label.endswith("…") and bar.title.startswith(bar.label[:-1]))
        else:  # beside the bar: the whole title, unless it is longer than BESIDE_MAX or the window
            assert bar.label == bar.title or (bar.label.endswith("…") and bar.title.startswith(bar.label[:-1]) and (
                text_width(bar.title) > BESIDE_MAX or text_width(bar.title) > layout.width / 2))
            assert bar.label_x >= 0 and bar.label_x + text_width(bar.label) <= layout.width
    assert_labels_clear_of_other_bars(layout)


def assert_labels_clear_of_other_bars(layout: Layout) -> None:
    """A label written beside a bar never runs into another bar or label of its lane."""
    for group in layout.groups:
        lanes = defaultdict(list)
        for bar in group.bars:
            left = min(bar.x, bar.label_x)
            right = max(bar.right, bar.label_x + text_width(bar.label)) if bar.label_side != "inside" else bar.right
            lanes[bar.lane].append((left, right))
        for spans in lanes.values():
            spans.sort()
            for (_, before_right), (after_left, _) in zip(spans, spans[1:]):
                assert before_right <= after_left


def test_a_short_bar_writes_its_whole_title_beside_it_and_packs_the_next_bar_after_the_label():
    items = [feature(1, date(2026, 2, 2), date(2026, 2, 4), title="Store search with filters"),
             feature(2, date(2026, 2, 9), date(2026, 2, 20), title="B")]

    layout = lay_out(items, zoom=Zoom.QUARTERS)

    short = layout.bar(1)
    assert (short.label, short.label_side) == ("Store search with filters", "right")
    assert short.label_x == short.right + 4
    assert layout.bar(2).lane == 1  # the label of 1 runs where 2 would start
    assert_labels_clear_of_other_bars(layout)


def test_a_short_bar_at_the_window_end_writes_its_title_on_its_left():
    items = [feature(1, H1.end - timedelta(days=2), H1.end, title="Kubernetes operator")]

    bar = lay_out(items, zoom=Zoom.QUARTERS).bar(1)

    assert (bar.label, bar.label_side) == ("Kubernetes operator", "left")
    assert bar.label_x + text_width(bar.label) < bar.x


# --- collapsing and fitting ----------------------------------------------------------------


def test_groups_with_nothing_in_the_window_collapse_into_one_line():
    groups = [GroupItem(str(n), f"R{n}") for n in range(1, 5)]
    items = [feature(1, date(2026, 2, 1), date(2026, 2, 20), group="2"),
             feature(2, date(2025, 1, 1), date(2025, 2, 1), group="3"),  # before the window
             feature(3, group="4")]  # undated

    layout = lay_out(items, groups=groups, collapse_empty=("release", "releases"))

    assert [g.kind for g in layout.groups] == ["features", "collapsed"]
    collapsed = layout.groups[-1]
    assert collapsed.label == "3 releases with nothing in this window"
    assert collapsed.members == ("R1", "R3", "R4")
    assert (collapsed.hidden_before, collapsed.unscheduled) == (1, 1)
    assert layout.height == collapsed.y + collapsed.height


def test_without_collapsing_empty_groups_keep_their_rows():
    groups = [GroupItem("1", "R1"), GroupItem("2", "R2")]
    layout = lay_out([feature(1, date(2026, 2, 1), date(2026, 2, 20), group="2")], groups=groups)
    assert [g.label for g in layout.groups] == ["R1", "R2"]


def test_fit_window_holds_the_work_in_whole_periods():
    spans = [(date(2026, 3, 10), date(2026, 5, 2)), (None, date(2026, 8, 20))]
    assert fit_window(spans, Zoom.MONTHS, TODAY) == Window(date(2026, 3, 1), date(2026, 9, 30))
    assert fit_window(spans, Zoom.QUARTERS, TODAY) == Window(date(2026, 1, 1), date(2026, 12, 31))


def test_fit_window_shows_at_least_three_periods_and_nothing_without_dates():
    assert fit_window([(date(2026, 3, 10), date(2026, 3, 12))], Zoom.MONTHS, TODAY) == Window(
        date(2026, 3, 1), date(2026, 6, 30))
    assert fit_window([(None, None)], Zoom.MONTHS, TODAY) is None


def test_fit_window_cuts_long_plans_around_today_or_at_their_end():
    long = [(date(2020, 1, 1), date(2030, 12, 31))]
    window = fit_window(long, Zoom.MONTHS, date(2026, 6, 15))
    assert window.start == date(2026, 5, 1) and window.end <= date(2027, 12, 31)
    past = fit_window([(date(2018, 1, 1), date(2022, 8, 23))], Zoom.MONTHS, date(2026, 6, 15))
    assert past.start <= date(2021, 2, 28) and past.end == date(2022, 9, 30)


@pytest.mark.parametrize(
    ("text", "width", "expected"),
    [
        pytest.param("Offline mode", 12 * CHAR_WIDTH, "Offline mode", id="fits-exactly"),
        pytest.param("Offline mode", 11 * CHAR_WIDTH, "Offline m…", id="shortened-with-an-ellipsis"),
        pytest.param("Offline mode", 9 * CHAR_WIDTH, "Offline…", id="no-space-before-the-ellipsis"),
        pytest.param("Offline mode", 2 * CHAR_WIDTH, "", id="no-room-for-a-letter-and-an-ellipsis"),
        pytest.param("Offline mode", 3 * CHAR_WIDTH, "O…", id="one-letter-and-an-ellipsis"),
        pytest.param("Offline mode", -5, "", id="negative-room"),
        pytest.param("", 100, "", id="empty-text"),
        pytest.param("日本語の機能", 12 * CHAR_WIDTH, "日本語の機能", id="wide-characters-fit"),
        pytest.param("日本語の機能", 8 * CHAR_WIDTH, "日本語…", id="wide-characters-count-double"),
    ],
)
def test_fit_text_keeps_what_fits_and_marks_what_was_cut(text, width, expected):
    assert fit_text(text, width) == expected
    assert text_width(fit_text(text, width)) <= max(width, 0)


# --- today ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        pytest.param(date(2026, 1, 1), 2.0, id="first-day"),
        pytest.param(date(2026, 6, 17), 670.0, id="inside"),
        pytest.param(date(2026, 6, 30), 722.0, id="last-day"),
        pytest.param(date(2025, 12, 31), None, id="day-before"),
        pytest.param(date(2026, 7, 1), None, id="day-after"),
    ],
)
def test_today_marker_is_the_middle_of_today_and_none_outside_the_window(today, expected):
    assert lay_out(today=today).today_x == expected


# --- releases and milestones ------------------------------------------------


def test_releases_get_their_own_band_with_milestone_diamonds_and_names_that_do_not_collide():
    release = ReleaseItem(1, "Mobile 2.4", date(2026, 2, 1), date(2026, 4, 30), "in_progress", (
        MilestoneItem(11, "Beta", date(2026, 3, 1)),
        MilestoneItem(12, "Code freeze for everything", date(2026, 3, 5)),
        MilestoneItem(13, "Launch", date(2026, 4, 30)),
        MilestoneItem(14, "Outside", date(2026, 8, 1)),
        MilestoneItem(15, "Undated", None),
    ))

    layout = lay_out([feature(1, date(2026, 2, 1), date(2026, 2, 20))], releases=[release])

    band = layout.releases
    (bar,) = band.bars
    assert (band.kind, band.y, band.height, band.lanes) == ("releases", 0, HEADER_HEIGHT + RELEASE_LANE_HEIGHT, 1)
    assert (bar.kind, bar.colour_key, bar.x, bar.right) == (
        "release", "in_progress", layout.x_of(date(2026, 2, 1)), layout.x_of(date(2026, 5, 1)) - LANE_GAP)
    assert [marker.id for marker in bar.milestones] == [11, 12, 13]
    beta, freeze, launch = bar.milestones
    assert beta.x == layout.x_of(date(2026, 3, 1)) + 2  # the middle of the day
    assert beta.y == bar.mid_y
    assert beta.label == ""  # four days (16 px) before the next diamond: no room for a name
    assert beta.tooltip == "Beta · 1 Mar 2026"
    assert freeze.label == "Code freeze for everything"
    assert freeze.label_x + text_width(freeze.label) <= launch.label_x
    assert (launch.label, launch.label_y) == ("Launch", bar.y + BAR_HEIGHT + 14)
    assert layout.groups[0].y == band.height
    assert layout.bar(1).y == band.height + HEADER_HEIGHT + (LANE_HEIGHT - BAR_HEIGHT) / 2


def test_a_release_label_moves_off_its_milestone_diamonds():
    release = ReleaseItem(1, "Mobile 2.4", date(2026, 2, 1), date(2026, 4, 30), milestones=(
        MilestoneItem(11, "Kick-off", date(2026, 2, 1)),))

    bar = lay_out(releases=[release]).releases.bars[0]

    assert bar.label == "Mobile 2.4"
    assert bar.label_x > bar.milestones[0].x


def test_consecutive_releases_share_one_row():
    releases = [ReleaseItem(id, f"R{id}", date(2026, 2 * id - 1, 1), add_months(date(2026, 2 * id, 1), 1)
                            - timedelta(days=1)) for id in (1, 2, 3)]

    band = lay_out(releases=releases).releases

    assert band.lanes == 1
    assert [bar.lane for bar in band.bars] == [0, 0, 0]
    assert band.height == HEADER_HEIGHT + RELEASE_LANE_HEIGHT


def test_overlapping_releases_are_packed_into_lanes_and_outside_ones_counted():
    releases = [ReleaseItem(1, "A", date(2026, 1, 1), date(2026, 3, 31)),
                ReleaseItem(2, "B", date(2026, 3, 1), date(2026, 5, 31)),
                ReleaseItem(3, "C", date(2026, 9, 1), date(2026, 9, 30)),
                ReleaseItem(4, "D")]

    band = lay_out(releases=releases).releases

    assert [(bar.id, bar.lane) for bar in band.bars] == [(1, 0), (2, 1)]
    assert band.bars[1].y == band.bars[0].y + RELEASE_LANE_HEIGHT
    assert (band.hidden_after_ids, band.unscheduled_ids) == ((3,), (4,))
    assert_no_overlaps(lay_out(releases=releases))


# --- dependency arrows ------------------------------------------------------


def test_an_arrow_runs_from_the_end_of_the_prerequisite_to_the_start_of_the_dependent():
    layout = lay_out([feature(1, date(2026, 1, 5), date(2026, 1, 31)),
                      feature(2, date(2026, 1, 20), date(2026, 3, 31)),
                      feature(3, date(2026, 4, 1), date(2026, 4, 30), group="h")], dependencies=[(3, 1)])

    (arrow,) = layout.arrows
    first, third = layout.bar(1), layout.bar(3)
    assert (arrow.from_id, arrow.to_id, arrow.conflict) == (1, 3, False)
    assert arrow.path == f"M{first.right:g} {first.mid_y:g} H{first.right + 8:g} V{third.mid_y:g} H{third.x:g}"


def test_an_arrow_to_a_bar_in_the_same_lane_is_a_straight_line():
    layout = lay_out([feature(1, date(2026, 1, 5), date(2026, 1, 31)),
                      feature(2, date(2026, 3, 1), date(2026, 3, 31))], dependencies=[(2, 1)])

    one, two = layout.bar(1), layout.bar(2)
    assert layout.arrows[0].path == f"M{one.right:g} {one.mid_y:g} H{two.x:g}"


def test_an_arrow_to_a_dependent_starting_earlier_goes_around_through_the_lane_gap():
    layout = lay_out([feature(1, date(2026, 1, 5), date(2026, 2, 28)),
                      feature(2, date(2026, 2, 1), date(2026, 2, 20))], dependencies=[(2, 1)])

    (arrow,) = layout.arrows
    one, two = layout.bar(1), layout.bar(2)
    gap_above_two = two.y - (LANE_HEIGHT - BAR_HEIGHT) / 2
    assert arrow.path == (f"M{one.right:g} {one.mid_y:g} H{one.right + 8:g} V{gap_above_two:g} "
                          f"H{two.x - 8:g} V{two.mid_y:g} H{two.x:g}")
    assert arrow.conflict  # it ends before the feature it depends on


def test_arrows_only_join_bars_that_are_laid_out():
    layout = lay_out([feature(1, date(2026, 2, 1), date(2026, 2, 9)),
                      feature(2, date(2026, 3, 1), date(2026, 3, 9)),
                      feature(3, date(2027, 1, 1), date(2027, 1, 9)),
                      feature(4)],
                     dependencies=[(2, 1), (2, 1), (3, 1), (1, 4), (2, 99), (1, 1), (1, 2)])

    assert [(arrow.from_id, arrow.to_id) for arrow in layout.arrows] == [(1, 2), (2, 1)]


def test_arrows_join_bars_across_groups_and_open_ended_items_raise_no_conflict():
    layout = lay_out([feature(1, date(2026, 2, 1), None, group="a"),
                      feature(2, date(2026, 3, 1), date(2026, 3, 9), group="b")], dependencies=[(2, 1)])

    (arrow,) = layout.arrows
    assert arrow.conflict is False
    assert arrow.path.startswith(f"M{layout.bar(1).right:g} {layout.bar(1).mid_y:g} ")
    assert arrow.path.endswith(f"V{layout.bar(2).mid_y:g} H{layout.bar(2).x:g}")


# --- empty and odd input ----------------------------------------------------


def test_empty_input_gives_an_empty_body_under_a_full_axis():
    layout = lay_out()

    assert (layout.groups, layout.releases, layout.arrows, layout.height) == ((), None, (), 0)
    assert layout.width == 181 * 4
    assert [tick.label for tick in layout.axis.minor][:2] == ["Jan 2026", "Feb 2026"]
    assert layout.today_x is not None


def test_a_reversed_or_absurd_window_given_directly_is_made_drawable():
    reversed_ = lay_out(window=Window(H1.end, H1.start))
    absurd = lay_out(window=Window(date(2000, 1, 1), date(2090, 1, 1)), zoom=Zoom.YEARS)

    assert reversed_.window == H1
    assert absurd.window == Window(date(2000, 1, 1), date(2009, 12, 31))


# --- view options -----------------------------------------------------------


def test_no_parameters_give_months_by_release_from_the_start_of_last_month_for_a_year():
    options, messages = parse_view_options({}, TODAY)

    assert (options.zoom, options.group) == (Zoom.MONTHS, GroupBy.RELEASE)
    assert options.window == Window(date(2026, 5, 1), date(2027, 4, 30))
    assert messages == []


@pytest.mark.parametrize(
    ("zoom", "window"),
    [
        pytest.param("weeks", Window(date(2026, 6, 8), date(2026, 8, 30)), id="weeks-from-last-monday"),
        pytest.param("months", Window(date(2026, 5, 1), date(2027, 4, 30)), id="months-from-last-month"),
        pytest.param("quarters", Window(date(2026, 1, 1), date(2027, 12, 31)), id="quarters-from-last-quarter"),
        pytest.param("years", Window(date(2025, 1, 1), date(2029, 12, 31)), id="years-from-last-year"),
    ],
)
def test_each_zoom_has_a_default_window_around_today(zoom, window):
    options, messages = parse_view_options({"zoom": zoom}, TODAY)

    assert options.window == window == default_window(Zoom(zoom), TODAY)
    assert TODAY in options.window
    assert messages == []


def test_default_windows_cross_year_boundaries_in_january():
    assert default_window(Zoom.MONTHS, date(2026, 1, 10)) == Window(date(2025, 12, 1), date(2026, 11, 30))
    assert default_window(Zoom.QUARTERS, date(2026, 2, 10)) == Window(date(2025, 10, 1), date(2027, 9, 30))


@pytest.mark.parametrize(
    ("params", "field", "value"),
    [
        pytest.param({"zoom": "days"}, "zoom", Zoom.MONTHS, id="unknown-zoom"),
        pytest.param({"zoom": "<script>"}, "zoom", Zoom.MONTHS, id="markup-zoom"),
        pytest.param({"group": "customer"}, "group", GroupBy.RELEASE, id="unknown-group"),
    ],
)
def test_unknown_zoom_or_group_falls_back_to_the_default_with_a_message(params, field, value):
    options, messages = parse_view_options(params, TODAY)

    assert getattr(options, field) == value
    (message,) = messages
    assert f'"{params[field]}"' in message and value.value in message


def test_zoom_and_group_are_read_case_insensitively_and_trimmed():
    options, messages = parse_view_options({"zoom": " Quarters ", "group": "INITIATIVE"}, TODAY)

    assert (options.zoom, options.group, messages) == (Zoom.QUARTERS, GroupBy.INITIATIVE, [])


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("2026-13-01", id="month-13"),
        pytest.param("2026-02-30", id="thirtieth-of-february"),
        pytest.param("2027-02-29", id="leap-day-of-a-common-year"),
        pytest.param("next tuesday", id="words"),
        pytest.param("17/06/2026", id="day-first"),
        pytest.param("2026-W25", id="iso-week"),
    ],
)
def test_a_malformed_start_date_is_ignored_with_a_message(raw):
    options, messages = parse_view_options({"start": raw}, TODAY)

    assert options.window == default_window(Zoom.MONTHS, TODAY)
    (message,) = messages
    assert f'"{raw}"' in message and "YYYY-MM-DD" in message


def test_a_malformed_end_keeps_a_good_start_with_the_default_length():
    options, messages = parse_view_options({"start": "2028-02-29", "end": "soon"}, TODAY)

    assert options.window == Window(date(2028, 2, 29), date(2029, 2, 27))
    assert len(messages) == 1 and '"soon"' in messages[0]


def test_a_leap_day_start_is_a_valid_date():
    options, messages = parse_view_options({"start": "2028-02-29", "end": "2028-03-31"}, TODAY)

    assert (options.window, messages) == (Window(date(2028, 2, 29), date(2028, 3, 31)), [])


def test_an_end_alone_gives_a_window_of_the_default_length_up_to_it():
    options, messages = parse_view_options({"zoom": "weeks", "end": "2026-03-01"}, TODAY)

    assert options.window == Window(date(2025, 12, 8), date(2026, 3, 1))
    assert options.window.days == 12 * 7
    assert messages == []


def test_months_can_be_given_without_a_day():
    options, messages = parse_view_options({"start": "2028-02", "end": "2028-02"}, TODAY)

    assert (options.window, messages) == (Window(date(2028, 2, 1), date(2028, 2, 29)), [])


def test_reversed_dates_are_swapped_with_a_message():
    options, messages = parse_view_options({"start": "2026-09-30", "end": "2026-03-01"}, TODAY)

    assert options.window == Window(date(2026, 3, 1), date(2026, 9, 30))
    assert messages == ["The end date was before the start date; swapped them."]


def test_a_window_of_exactly_ten_years_is_allowed():
    options, messages = parse_view_options({"start": "2026-01-01", "end": "2035-12-31"}, TODAY)

    assert (options.window, messages) == (Window(date(2026, 1, 1), date(2035, 12, 31)), [])


@pytest.mark.parametrize(
    "params",
    [
        pytest.param({"start": "2026-01-01", "end": "2036-01-01"}, id="ten-years-and-a-day"),
        pytest.param({"start": "1900-01-01", "end": "2199-12-31"}, id="three-centuries"),
        pytest.param({"start": "2090-01-01", "end": "2026-01-01", "zoom": "years"}, id="reversed-and-too-long"),
    ],
)
def test_windows_over_ten_years_fall_back_to_the_default_around_today_with_a_message(params):
    options, messages = parse_view_options(params, TODAY)

    assert options.window == default_window(options.zoom, TODAY)
    assert any(f"longer than {MAX_WINDOW_YEARS} years" in message for message in messages)


def test_dates_outside_the_supported_years_are_ignored_with_a_message():
    options, messages = parse_view_options({"start": "0001-01-01", "end": "9999-12-31"}, TODAY)

    assert options.window == default_window(Zoom.MONTHS, TODAY)
    assert len(messages) == 2 and all("outside 1900–2199" in message for message in messages)


def test_empty_parameters_count_as_not_given():
    options, messages = parse_view_options({"zoom": "", "group": " ", "start": "", "end": ""}, TODAY)

    assert (options.zoom, options.window, messages) == (Zoom.MONTHS, default_window(Zoom.MONTHS, TODAY), [])


def test_a_query_dict_is_read_and_the_options_give_their_parameters_back():
    params = QueryDict("zoom=weeks&group=status&start=2026-03-02&end=2026-05-24")

    options, messages = parse_view_options(params, TODAY)

    assert messages == []
    assert options.as_params() == {"zoom": "weeks", "group": "status", "start": "2026-03-02", "end": "2026-05-24"}
    assert parse_view_options(options.as_params(), TODAY) == (options, [])


def test_long_rubbish_is_quoted_shortened_in_messages():
    _, messages = parse_view_options({"zoom": "z" * 500}, TODAY)

    assert len(messages[0]) < 200


def test_a_datetime_given_for_today_is_read_as_its_date():
    now = datetime(2026, 6, 17, 23, 59)

    assert lay_out(today=now).today_x == lay_out(today=TODAY).today_x
    assert parse_view_options({}, now)[0].window == default_window(Zoom.MONTHS, TODAY)
