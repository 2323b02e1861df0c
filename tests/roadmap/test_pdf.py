"""The timeline's PDF, drawn from its standalone SVG straight onto ReportLab's canvas: a big
view (3,000 bars) runs over numbered pages, each with the title, the date, the axis and the
legend, cut between rows, a group carried over named "(continued)"; and the SVG's shapes
(rectangles, paths, text in translated groups and links) are read as a browser would."""

import io
from datetime import date, timedelta

import pypdf
import pytest

from roadmap.render import pdf
from roadmap.render import timeline as draw
from roadmap.timeline import FeatureItem, Window, Zoom, layout_timeline

TODAY = date(2026, 6, 15)


def big_svg(count: int) -> str:
    window = Window(date(2026, 1, 1), date(2026, 12, 31))
    features = [FeatureItem(id=n, key=f"BIG-{n}", title=f"Plan item number {n}", start=window.start + timedelta(
        days=n % 300), end=window.start + timedelta(days=n % 300 + 20), group_key=f"g{n // 1500}",
        group_label=f"Group {n // 1500}", colour_key="in_progress", category="in_progress") for n in range(count)]
    layout = layout_timeline(features=features, window=window, zoom=Zoom.MONTHS, today=TODAY)
    sections = [draw.Section(group=group) for group in layout.all_groups]
    return draw.standalone_svg(sections=sections, width=layout.width, height=layout.height, axis=layout.axis,
                               today_x=layout.today_x, window=layout.window, zoom=layout.zoom,
                               options=draw.DrawOptions(), title="Big roadmap · 2026", subtitle="Acme · as of today",
                               legend=draw.Legend(draw.status_legend()), layout=layout)


def test_a_view_of_3000_bars_runs_over_numbered_pages_each_with_title_axis_and_legend():
    reader = pypdf.PdfReader(io.BytesIO(pdf.svg_to_pdf(big_svg(3000), title="Big roadmap")))

    count = len(reader.pages)
    assert count > 10
    texts = [page.extract_text() for page in reader.pages]
    for number, text in enumerate(texts, start=1):
        assert "Big roadmap · 2026" in text and "Acme · as of today" in text and "Jan 2026" in text
        assert "Legend" in text and "In progress" in text and f"Page {number} of {count}" in text
    assert "Group 1 (continued)" in "".join(texts) and "Group 0 (continued)" in texts[1]
    every_label = "\n".join(texts)
    assert all(f"Plan item number {n}\n" in every_label or f"Plan item number {n} " in every_label
               for n in (0, 1499, 1500, 2999))  # first and last of each group, on some page, whole


def test_page_breaks_fall_between_rows():
    drawing = pdf._read(big_svg(300))
    slices = pdf._pages(drawing, per_page=500)
    assert len(slices) > 1 and slices[0][0] == drawing.body_top and slices[-1][1] == drawing.body_bottom
    bars = [op for op in drawing.body if op.kind == "rect" and op.bottom - op.top == 20]
    for _top, bottom in slices[:-1]:
        assert not any(op.top < bottom < op.bottom for op in bars)


@pytest.mark.parametrize(("d", "points"), [
    ("M10 20 h10 l-5 6 z", [("M", 10, 20), ("L", 20, 20), ("L", 15, 26), ("Z",)]),
    ("M1 2 H5 V9 L3 3", [("M", 1, 2), ("L", 5, 2), ("L", 5, 9), ("L", 3, 3)]),
    ("M0 0 c1 1 2 2 3 3", [("M", 0, 0), ("C", 1, 1, 2, 2, 3, 3)]),
    ("nonsense", []),
])
def test_svg_paths_are_read_as_absolute_segments(d, points):
    assert pdf._path_points(d) == points


def test_links_and_groups_are_followed_and_tooltips_left_out():
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100" font-size="12">'
           '<text x="1" y="10">Title</text><g transform="translate(10 20)"><line x1="0" x2="5" y1="0" y2="0" '
           'stroke="#000000"/></g><g transform="translate(10 40)"><a href="/x"><g><title>Tooltip</title>'
           '<rect x="5" y="5" width="30" height="20" fill="#e3edff"/><text x="40" y="19">Bar label</text></g></a>'
           '</g></svg>')
    drawing = pdf._read(svg)
    assert [op.kind for op in drawing.body] == ["rect", "text"]
    assert drawing.body[0].geometry == (15.0, 45.0, 30.0, 20.0, 0.0) and drawing.body[1].text == "Bar label"
    text = pypdf.PdfReader(io.BytesIO(pdf.svg_to_pdf(svg, title="T"))).pages[0].extract_text()
    assert "Bar label" in text and "Tooltip" not in text
