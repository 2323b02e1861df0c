"""The small SVG charts of goals and key results: well-formed, accessible, escaped, and
sensible at the edges (no check-ins, one, all equal, downward targets). Pure: no database."""

import math
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from strategy import charts

SVG = "{http://www.w3.org/2000/svg}"


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(str(svg))


def _all(root: ET.Element, tag: str) -> list[ET.Element]:
    return root.findall(f".//{SVG}{tag}")


def _points(polyline: ET.Element) -> list[tuple[float, float]]:
    return [tuple(float(n) for n in pair.split(",")) for pair in polyline.get("points").split()]


def _days(*values, start=date(2026, 10, 1), step=7):
    return [(start + timedelta(days=i * step), Decimal(str(v))) for i, v in enumerate(values)]


# --- numbers ----------------------------------------------------------------


def test_values_are_formatted_with_their_unit_where_people_expect_it():
    assert charts.format_value(Decimal("1234.50"), "€") == "€1,234.5"
    assert charts.format_value(Decimal("42.00"), "%") == "42%"
    assert charts.format_value(130, "users") == "130 users"
    assert charts.format_value(Decimal("-12"), "$") == "-$12"
    assert charts.format_value(None, "%") == "—"


def test_progress_reads_as_whole_percents_except_a_sliver():
    assert charts.format_percent(Decimal("42.4")) == "42%"
    assert charts.format_percent(Decimal("42.5")) == "43%"
    assert charts.format_percent(Decimal("0.4")) == "0.4%"
    assert charts.format_percent(None) == "—"


def test_axis_labels_are_compact():
    assert charts.format_axis(20000) == "20k"
    assert charts.format_axis(12500) == "12.5k"
    assert charts.format_axis(2500000, "€") == "€2.5M"
    assert charts.format_axis(1800) == "1,800"


# --- progress bar -----------------------------------------------------------


def test_progress_bar_is_an_accessible_svg_filled_to_the_progress():
    root = _parse(charts.progress_bar(Decimal("42.5"), expected=Decimal(50), status="on_track"))

    assert root.get("role") == "img"
    assert root.get("aria-label") == "Progress 43%, expected 50%"
    assert "chart-progress--on_track" in root.get("class")
    fill = [r for r in _all(root, "rect") if r.get("class") == "chart-progress__fill"]
    assert fill[0].get("width") == "42.5%"
    tick = _all(root, "line")
    assert tick[0].get("x1") == "50%"


def test_progress_bar_clamps_and_handles_no_progress():
    over = _parse(charts.progress_bar(150))
    fill = [r for r in _all(over, "rect") if r.get("class") == "chart-progress__fill"]
    assert fill[0].get("width") == "100%"
    assert not _all(over, "line")  # no expected tick unless asked for

    none = _parse(charts.progress_bar(None))
    assert [r.get("class") for r in _all(none, "rect")] == ["chart-progress__track"]
    assert none.get("aria-label") == "Progress —"


def test_progress_bar_label_is_escaped():
    svg = charts.progress_bar(10, label='Goal "<b>" & co')
    assert "<b>" not in svg
    assert _parse(svg).get("aria-label") == 'Goal "<b>" & co'


# --- sparkline --------------------------------------------------------------


def test_sparkline_draws_one_point_per_check_in_and_the_target_dashed():
    root = _parse(charts.sparkline(_days(100, 110, 130), target=200, unit="", name="MAU"))

    assert root.get("role") == "img"
    assert root.get("aria-label") == "MAU from 100 to 130, target 200"
    (line,) = _all(root, "polyline")
    assert len(_points(line)) == 3
    assert [el.get("class") for el in _all(root, "line")] == ["chart-target"]
    assert len(_all(root, "circle")) == 1  # the latest value


def test_sparkline_without_check_ins_still_shows_the_target():
    root = _parse(charts.sparkline([], target=200, name="MAU"))

    assert not _all(root, "polyline")
    assert not _all(root, "circle")
    assert _all(root, "line")
    assert root.get("aria-label") == "MAU: no check-ins yet, target 200"


def test_sparkline_with_one_check_in_is_a_dot():
    root = _parse(charts.sparkline(_days(100), target=200, name="MAU"))

    assert not _all(root, "polyline")
    assert len(_all(root, "circle")) == 1
    assert root.get("aria-label") == "MAU at 100, target 200"


def test_sparkline_with_equal_values_and_target_stays_finite_and_inside():
    root = _parse(charts.sparkline(_days(5, 5, 5), target=5, name="Flat"))

    for x, y in _points(_all(root, "polyline")[0]):
        assert math.isfinite(x) and math.isfinite(y)
        assert 0 <= y <= 32
    assert root.get("aria-label") == "Flat at 5, target 5"


def test_sparkline_of_a_downward_target_puts_the_target_below_the_start():
    root = _parse(charts.sparkline(_days(72, 70, 67), target=60, unit="%", name="Churn"))

    points = _points(_all(root, "polyline")[0])
    target_y = float(_all(root, "line")[0].get("y1"))
    assert target_y > points[0][1]  # SVG y grows downwards: lower value, lower on the chart
    assert points[-1][1] > points[0][1]
    assert root.get("aria-label") == "Churn from 72% to 67%, target 60%"


def test_sparkline_name_is_escaped():
    svg = charts.sparkline(_days(1, 2), target=3, name="<script>alert(1)</script>")

    assert "<script>" not in svg
    assert _parse(svg).get("aria-label").startswith("<script>alert(1)</script> from 1")


def test_sparkline_of_check_ins_at_the_same_moment_spreads_them():
    moment = datetime(2026, 11, 1, 12, tzinfo=UTC)
    root = _parse(charts.sparkline([(moment, 1), (moment, 2), (moment, 3)], target=4))

    xs = [x for x, _ in _points(_all(root, "polyline")[0])]
    assert xs == sorted(xs) and len(set(xs)) == 3


# --- line chart -------------------------------------------------------------


def test_line_chart_has_a_dot_with_a_tooltip_per_check_in_and_dates_on_the_x_axis():
    points = _days(100, 120, 130, start=date(2026, 9, 1), step=30)
    root = _parse(charts.line_chart(points, target=200, start=100, name="MAU", unit="users",
                                    notes=["Start", "Launch & promo", ""]))

    assert root.get("role") == "img"
    assert root.get("aria-label") == "MAU from 100 users to 130 users, target 200 users, 3 check-ins"
    circles = _all(root, "circle")
    assert len(circles) == 3
    titles = [c.find(f"{SVG}title").text for c in circles]
    assert titles[1] == "1 Oct 2026: 120 users — Launch & promo"
    x_labels = [t.text for t in root.findall(f".//{SVG}g[@class='chart-axis chart-axis--x']/{SVG}text")]
    assert x_labels[0] == "1 Sep" and x_labels[-1] == "31 Oct"
    assert len(_points(_all(root, "polyline")[0])) == 3
    assert any(t.text == "Target 200 users" for t in _all(root, "text"))


def test_line_chart_without_check_ins_says_so():
    root = _parse(charts.line_chart([], target=200, name="MAU"))

    assert not _all(root, "circle")
    assert any(t.text == "No check-ins yet" for t in _all(root, "text"))
    assert root.get("aria-label") == "MAU: no check-ins yet, target 200"


def test_line_chart_with_one_check_in_and_equal_values():
    one = _parse(charts.line_chart(_days(50), target=50, name="Score"))
    assert len(_all(one, "circle")) == 1
    assert not _all(one, "polyline")

    flat = _parse(charts.line_chart(_days(7, 7, 7), target=7, start=7))
    for circle in _all(flat, "circle"):
        assert math.isfinite(float(circle.get("cy")))


def test_line_chart_escapes_notes_and_names():
    svg = charts.line_chart(_days(1, 2), target=3, name="A <b>", notes=["<img src=x onerror=alert(1)>", ""])

    assert "<img" not in svg and "<b>" not in svg
    root = _parse(svg)
    assert root.get("aria-label").startswith("A <b> from 1")
    assert "<img src=x onerror=alert(1)>" in _all(root, "title")[0].text


def test_line_chart_of_a_downward_target_draws_the_target_lower_than_the_start():
    root = _parse(charts.line_chart(_days(2400, 2100, 1900), target=1200, start=2400, unit="ms"))

    target = [el for el in _all(root, "line") if el.get("class") == "chart-target"][0]
    first_dot = _all(root, "circle")[0]
    assert float(target.get("y1")) > float(first_dot.get("cy"))
