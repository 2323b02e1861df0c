"""The release charts as pure functions: the burn-up parses as XML in every shape (no history,
one day, all done), says what it shows in its aria-label, escapes every label; the bars
show over capacity in the warning colour; dates read as people write them."""

import xml.etree.ElementTree as ET
from datetime import date, timedelta
from decimal import Decimal

from releases import charts

D = Decimal
SVG = "{http://www.w3.org/2000/svg}"
OCT_1, DEC_31 = date(2026, 10, 1), date(2026, 12, 31)


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(str(svg))
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-label")
    return root


def classes(root: ET.Element) -> set[str]:
    return {cls for element in root.iter() for cls in (element.get("class") or "").split()}


def texts(root: ET.Element) -> list[str]:
    return [element.text for element in root.iter(f"{SVG}text") if element.text]


def series(start: date, days: int, done, scope) -> list[tuple]:
    return [(start + timedelta(days=i), D(done(i)), D(scope(i))) for i in range(days)]


# --- burn-up ----------------------------------------------------------------


def test_burn_up_draws_scope_done_today_and_milestones_with_readable_axes():
    data = series(OCT_1, 40, done=lambda i: i // 2, scope=lambda i: 30 + i // 4)

    svg = charts.burn_up_chart(data, start=OCT_1, end=DEC_31, today=OCT_1 + timedelta(days=39),
                               milestones=[(date(2026, 11, 13), "Beta"), (date(2026, 12, 4), "Code freeze")],
                               name="Autumn wallet 4.1")

    root = parse(svg)
    found = classes(root)
    assert {"burnup__scope", "burnup__done", "burnup__area", "burnup__today", "burnup__diamond"} <= found
    labels = texts(root)
    assert "1 Oct" in labels and "31 Dec 2026" in labels and "1 Nov" in labels and "1 Dec" in labels
    assert "Today" in labels and "Beta" in labels and "Code freeze" in labels
    assert "0" in labels and "pts" in labels
    assert "19 pts done" in labels
    label = root.get("aria-label")
    assert label.startswith("Burn-up of Autumn wallet 4.1, 1 Oct – 31 Dec 2026: 19 of 39 pts done on 9 Nov 2026")
    assert "scope grew from 30 pts" in label and "milestones: Beta 13 Nov, Code freeze 4 Dec" in label


def test_burn_up_before_the_release_starts_has_no_lines_and_says_so():
    root = parse(charts.burn_up_chart([], start=OCT_1, end=DEC_31, today=date(2026, 9, 1)))

    assert "burnup__done" not in classes(root) and "burnup__today" not in classes(root)
    assert "Starts 1 Oct 2026: nothing to chart yet" in texts(root)
    assert "no history yet" in root.get("aria-label")


def test_burn_up_with_empty_history_draws_no_lines():
    data = series(OCT_1, 10, done=lambda i: 0, scope=lambda i: 0)

    root = parse(charts.burn_up_chart(data, start=OCT_1, end=DEC_31, today=OCT_1 + timedelta(days=9)))

    assert "No estimated features in this release yet" in texts(root)
    assert "burnup__done" not in classes(root)


def test_burn_up_of_a_one_day_release():
    day = date(2026, 10, 15)
    data = [(day, D(2), D(5))]

    root = parse(charts.burn_up_chart(data, start=day, end=day, today=day, milestones=[(day, "Launch")]))

    assert "15 Oct 2026" in texts(root)
    assert {"burnup__done-dot", "burnup__scope-dot"} <= classes(root)
    assert "2 of 5 pts done on 15 Oct 2026" in root.get("aria-label")
    coordinates = [float(c.get("cx")) for c in root.iter(f"{SVG}circle")]
    assert all(0 < x < 760 for x in coordinates)


def test_burn_up_when_everything_is_done():
    data = series(OCT_1, 92, done=lambda i: min(i, 40), scope=lambda i: 40)

    root = parse(charts.burn_up_chart(data, start=OCT_1, end=DEC_31, today=date(2027, 1, 15)))

    assert "40 of 40 pts done on 31 Dec 2026" in root.get("aria-label")
    assert "burnup__today" not in classes(root)  # today is after the release
    assert "40 pts done" in texts(root)


def test_burn_up_escapes_every_label():
    data = series(OCT_1, 5, done=lambda i: i, scope=lambda i: 10)
    evil = '<script>alert("x")</script> & co'

    svg = str(charts.burn_up_chart(data, start=OCT_1, end=DEC_31, today=OCT_1 + timedelta(days=4),
                                   milestones=[(OCT_1 + timedelta(days=20), evil)], name=evil))

    assert "<script>" not in svg
    root = parse(svg)
    assert evil in root.get("aria-label")
    assert any(evil[:21] in text for text in texts(root))  # shortened on the chart, whole in its title
    assert any(evil in (t.text or "") for t in root.iter(f"{SVG}title"))


def test_burn_up_leaves_out_milestones_outside_the_release():
    data = series(OCT_1, 5, done=lambda i: i, scope=lambda i: 10)

    root = parse(charts.burn_up_chart(data, start=OCT_1, end=DEC_31, today=OCT_1 + timedelta(days=4),
                                      milestones=[(date(2027, 2, 1), "Retro")]))

    assert "Retro" not in texts(root) and "burnup__diamond" not in classes(root)


def test_burn_up_staggers_crowded_milestone_names():
    data = series(OCT_1, 5, done=lambda i: i, scope=lambda i: 10)
    close = [(date(2026, 11, 10), "Beta"), (date(2026, 11, 11), "Press preview"), (date(2026, 11, 12), "Freeze")]

    root = parse(charts.burn_up_chart(data, start=OCT_1, end=DEC_31, today=OCT_1, milestones=close))

    rows = {t.get("y") for t in root.iter(f"{SVG}text") if "burnup__milestone-label" in (t.get("class") or "")}
    assert len(rows) == 3


def test_burn_up_of_a_short_release_labels_days_and_across_years_names_both_years():
    short = parse(charts.burn_up_chart([], start=OCT_1, end=OCT_1 + timedelta(days=12), today=OCT_1))
    assert len([t for t in texts(short) if t.endswith("Oct") or t.endswith("2026")]) >= 4

    across = parse(charts.burn_up_chart([], start=date(2026, 12, 1), end=date(2027, 2, 26), today=OCT_1))
    assert "1 Dec 2026" in texts(across) and "26 Feb 2027" in texts(across) and "1 Jan" in texts(across)


# --- bars and words ---------------------------------------------------------


def test_bar_is_clamped_and_labelled():
    root = parse(charts.bar(140, label="7 of 5 done", tone="done"))

    fill = next(r for r in root.iter(f"{SVG}rect") if r.get("class") == "rel-bar__fill")
    assert fill.get("width") == "100%"
    assert root.get("aria-label") == "7 of 5 done" and "rel-bar--done" in root.get("class")
    assert not [r for r in parse(charts.bar(0, label="none")).iter(f"{SVG}rect") if r.get("class") == "rel-bar__fill"]


def test_capacity_bar_within_over_and_without_capacity():
    within = parse(charts.capacity_bar(D(40), D(80)))
    assert "rel-bar--warning" not in within.get("class")
    assert within.get("aria-label") == "40 pts planned of a capacity of 80 pts"

    over = parse(charts.capacity_bar(D("92.5"), D(80)))
    assert "rel-bar--warning" in over.get("class")
    assert over.get("aria-label").endswith("12.5 pts over")
    limit = next(over.iter(f"{SVG}line"))
    assert limit.get("x1") == "86.49%"  # where 80 of 92.5 ends

    none = parse(charts.capacity_bar(D(12), None))
    assert "rel-bar--muted" in none.get("class") and "no capacity set" in none.get("aria-label")

    zero = parse(charts.capacity_bar(D(3), D(0)))
    assert "rel-bar--warning" in zero.get("class")


def test_dates_and_points_read_as_people_write_them():
    assert charts.date_range(OCT_1, DEC_31) == "1 Oct – 31 Dec 2026"
    assert charts.date_range(date(2026, 11, 1), date(2027, 1, 15)) == "1 Nov 2026 – 15 Jan 2027"
    assert charts.date_range(OCT_1, OCT_1) == "1 Oct 2026"
    assert charts.points(D("1.0")) == "1 pt"
    assert charts.points(D("12.0")) == "12 pts"
    assert charts.points(D("2.5")) == "2.5 pts"
    assert charts.points(None) == "—"


# --- forecast cone, throughput and cycle time ------------------------------------------


def test_burn_up_draws_the_forecast_cone_and_stretches_past_the_release_date():
    today = OCT_1 + timedelta(days=60)
    data = series(OCT_1, 61, done=lambda i: i // 4, scope=lambda i: 40)
    forecast = [(50, DEC_31 - timedelta(days=10)), (85, DEC_31 + timedelta(days=14)), (95, DEC_31 + timedelta(days=30))]

    root = parse(charts.burn_up_chart(data, start=OCT_1, end=DEC_31, today=today, forecast=forecast))

    assert {"burnup__cone", "burnup__forecast-line", "burnup__release"} <= classes(root)
    labels = texts(root)
    assert {"50%", "85%", "95%", "Release date"} <= set(labels)
    assert "30 Jan 2027" in labels  # the axis reaches the 95 % date
    assert "forecast: 50% likely done by 21 Dec 2026" in root.get("aria-label")


def test_burn_up_without_a_forecast_or_history_draws_no_cone():
    without = parse(charts.burn_up_chart(series(OCT_1, 5, lambda i: i, lambda i: 9), start=OCT_1, end=DEC_31,
                                         today=OCT_1 + timedelta(days=4)))
    no_history = parse(charts.burn_up_chart([], start=OCT_1, end=DEC_31, today=OCT_1,
                                            forecast=[(50, DEC_31)]))

    assert "burnup__cone" not in classes(without) | classes(no_history)
    assert "31 Dec 2026" in texts(no_history)  # the axis keeps the release window


def test_throughput_chart_draws_a_bar_per_week_with_counts_and_the_mean():
    today = date(2026, 3, 18)
    weeks = [(date(2026, 2, 16) + timedelta(days=7 * i), count) for i, count in enumerate([2, 0, 5, 1, 3])]

    root = parse(charts.throughput_chart(weeks, today=today, mean=2.0))

    bars = [e for e in root.iter(f"{SVG}rect") if "throughput__bar" in (e.get("class") or "")]
    assert len(bars) == 4  # the empty week has no bar
    assert "throughput__bar--open" in bars[-1].get("class")  # the current week, still open
    assert {"2", "5", "1", "3"} <= set(texts(root)) and "metric-chart__mean" in classes(root)
    titles = [e.text for e in root.iter(f"{SVG}title")]
    assert "Week of 23 Feb 2026: 0 finished" in titles and "Week of 16 Mar 2026: 3 finished so far" in titles
    assert "11 in all" in root.get("aria-label")


def test_throughput_chart_without_finishes_says_so():
    weeks = [(date(2026, 2, 16) + timedelta(days=7 * i), 0) for i in range(4)]

    assert "No feature finished in these weeks" in texts(parse(charts.throughput_chart(weeks, today=date(2026, 3, 9))))


def test_cycle_time_chart_draws_a_dot_per_feature_and_the_percentile_lines():
    points = [("MOB-1", "Saved <carts>", date(2026, 3, 2), 4), ("MOB-2", "Offline", date(2026, 3, 9), 12)]

    root = parse(charts.cycle_time_chart(points, start=date(2026, 1, 5), end=date(2026, 3, 18), p50=8, p85=10.8))

    assert len([e for e in root.iter(f"{SVG}circle")]) == 2
    assert {"cycle__line--p50", "cycle__line--p85"} <= classes(root)
    assert {"p50 8d", "p85 10.8d", "days"} <= set(texts(root))
    titles = [e.text for e in root.iter(f"{SVG}title")]
    assert "MOB-1 Saved <carts>: 4 days, finished 2 Mar 2026" in titles  # escaped in the SVG, text here
    assert "half took 8 days or less" in root.get("aria-label")


def test_cycle_time_chart_without_points_says_so():
    root = parse(charts.cycle_time_chart([], start=date(2026, 1, 5), end=date(2026, 3, 18), p50=None, p85=None))

    assert any("No finished feature" in text for text in texts(root))
