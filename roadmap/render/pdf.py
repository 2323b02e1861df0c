"""Timelines as PDF, drawn from the same standalone SVG as the SVG export.

The SVG (`roadmap.render.timeline.standalone_svg`) is read with the standard library's XML
parser and its few shapes (rect, line, circle, path, text, in translated groups) are drawn
straight onto a ReportLab canvas: no browser, no system library, so the export works offline
and in the slim container. An earlier version converted the SVG with svglib, which took 155 s
for 3,000 bars (it builds a full drawing object tree, and each page drew all of it); drawing
the shapes directly takes a second or two for the same view (bench/pdf.py).

Layout: landscape A4 pages. The drawing is as wide as the page allows, and shrunk further to
stay on one page as long as its text stays legible; a taller one runs on over as many pages as
it needs, cut between rows of bars, each page with the title and date, the time axis, the
legend and "Page n of N".
"""

from __future__ import annotations

import bisect
import io
import re
import xml.etree.ElementTree as ET  # noqa: S405 - parses the SVG Waymark itself drew, never user files
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from reportlab import rl_config
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

# ReportLab's documented switch: page streams compressed, without an ASCII85 layer on top (it
# took a fifth of the time of a long roadmap, for a file a quarter bigger). Waymark has no
# other ReportLab user.
rl_config.useA85 = 0

PAGE = landscape(A4)
MARGIN = 10 * mm
HEADER = 9 * mm  # above the drawing: the title and the date
FOOTER = 7 * mm  # under the drawing: the title and the page number
# The smallest scale that keeps one page (12 px text prints at ~3.6 pt: small, but crisp
# vector text that a reader can zoom into); a taller drawing runs over pages at page width.
ONE_PAGE_MIN_SCALE = 0.3
NS = "{http://www.w3.org/2000/svg}"
# Shapes taller than this (grid lines, the today line, the label column's rule) run through
# every page; shorter ones (bars, labels, marks) are never cut in two by a page break.
_SPANNING = 80.0

# DejaVu Sans (packaged by most Linux distributions) has the status marks (◐ ✓ ✕ ⚠) and arrows;
# without it, ReportLab's built-in Helvetica writes them as plain characters.
_FONT_FILES = ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/dejavu/DejaVuSans.ttf")
_PLAIN = str.maketrans({"◐": "~", "✓": "+", "✕": "x", "⚠": "!", "◂": "<", "▸": ">"})


@cache
def _fonts() -> tuple[str, str, bool]:
    """(regular, bold, whether it has the marks): DejaVu Sans when installed, else Helvetica."""
    for path in _FONT_FILES:
        bold = path.replace("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")
        if Path(path).is_file() and Path(bold).is_file():
            pdfmetrics.registerFont(TTFont("WaymarkSans", path))
            pdfmetrics.registerFont(TTFont("WaymarkSans-Bold", bold))
            return "WaymarkSans", "WaymarkSans-Bold", True
    return "Helvetica", "Helvetica-Bold", False


@cache
def _colour(value: str) -> HexColor | None:
    value = value.strip()
    if not value or value == "none" or not re.fullmatch(r"#[0-9a-fA-F]{6}|#[0-9a-fA-F]{3}", value):
        return None if value in ("", "none") else HexColor("#000000")
    if len(value) == 4:
        value = "#" + "".join(ch * 2 for ch in value[1:])
    return HexColor(value)


_NUMBER = re.compile(r"-?(?:\d+\.?\d*|\.\d+)(?:e-?\d+)?")
_TRANSLATE = re.compile(r"translate\(\s*(-?[\d.]+)[\s,]+(-?[\d.]+)\s*\)")
_PATH_TOKENS = re.compile(r"[MmLlHhVvCcZz]|-?(?:\d+\.?\d*|\.\d+)")


def _num(value: str | None, default: float = 0.0) -> float:
    if not value:
        return default
    found = _NUMBER.match(value.strip())
    return float(found.group()) if found else default


def _path_points(d: str) -> list[tuple]:
    """An SVG path's absolute segments: ("M", x, y), ("L", x, y), ("C", x1, y1, x2, y2, x, y), ("Z",)."""
    tokens = _PATH_TOKENS.findall(d)
    out: list[tuple] = []
    x = y = start_x = start_y = 0.0
    command = ""
    i = 0
    while i < len(tokens):
        if tokens[i].isalpha():
            command = tokens[i]
            i += 1
            if command in "Zz":
                out.append(("Z",))
                x, y = start_x, start_y
                continue
        rel = command.islower()
        op = command.upper()
        need = {"M": 2, "L": 2, "H": 1, "V": 1, "C": 6}.get(op, 0)
        if not need or i + need > len(tokens):
            break
        args = [float(t) for t in tokens[i:i + need]]
        i += need
        if op == "M":
            x, y = (x + args[0], y + args[1]) if rel else (args[0], args[1])
            start_x, start_y = x, y
            out.append(("M", x, y))
            command = "l" if rel else "L"  # further pairs are lines
        elif op == "L":
            x, y = (x + args[0], y + args[1]) if rel else (args[0], args[1])
            out.append(("L", x, y))
        elif op == "H":
            x = x + args[0] if rel else args[0]
            out.append(("L", x, y))
        elif op == "V":
            y = y + args[0] if rel else args[0]
            out.append(("L", x, y))
        else:
            pts = [(x + args[k] if rel else args[k], y + args[k + 1] if rel else args[k + 1]) for k in (0, 2, 4)]
            out.append(("C", *pts[0], *pts[1], *pts[2]))
            x, y = pts[2]
    return out


@dataclass(slots=True)
class _Op:
    """One shape in document coordinates (y down), with the paint it inherited."""

    kind: str  # rect, line, circle, path, text
    top: float
    bottom: float
    geometry: tuple
    fill: str
    stroke: str
    stroke_width: float
    dash: tuple[float, ...]
    fill_opacity: float
    font_size: float = 12.0
    bold: bool = False
    anchor: str = "start"
    text: str = ""


_INHERITED = ("fill", "stroke", "stroke-width", "font-size", "font-weight", "text-anchor", "fill-opacity",
              "stroke-dasharray")


def _shapes(element: ET.Element, dx: float, dy: float, paint: dict) -> Iterator[_Op]:
    """Every drawable shape under `element`, moved by the groups' translations."""
    for child in element:
        tag = child.tag.removeprefix(NS)
        if tag in ("title", "defs", "desc", "marker"):
            continue
        attrs = child.attrib
        inherited = paint
        if any(name in attrs for name in _INHERITED):
            inherited = {**paint, **{name: attrs[name] for name in _INHERITED if name in attrs}}
        if tag in ("g", "a", "svg"):  # groups, and the links around bars (members' exports)
            move = _TRANSLATE.search(attrs.get("transform", ""))
            yield from _shapes(child, dx + (float(move.group(1)) if move else 0.0),
                               dy + (float(move.group(2)) if move else 0.0), inherited)
            continue
        dash = tuple(_num(part) for part in inherited.get("stroke-dasharray", "").replace(",", " ").split()) \
            if inherited.get("stroke-dasharray", "none") != "none" else ()
        common = {"fill": inherited.get("fill", "#000000"), "stroke": inherited.get("stroke", "none"),
                  "stroke_width": _num(inherited.get("stroke-width"), 1.0), "dash": dash,
                  "fill_opacity": _num(inherited.get("fill-opacity"), 1.0)}
        if tag == "rect":
            if attrs.get("width", "").endswith("%"):
                continue  # the white background
            x, y = dx + _num(attrs.get("x")), dy + _num(attrs.get("y"))
            w, h = _num(attrs.get("width")), _num(attrs.get("height"))
            yield _Op("rect", y, y + h, (x, y, w, h, _num(attrs.get("rx"))), **common)
        elif tag == "line":
            x1, x2 = dx + _num(attrs.get("x1")), dx + _num(attrs.get("x2"))
            y1, y2 = dy + _num(attrs.get("y1")), dy + _num(attrs.get("y2"))
            yield _Op("line", min(y1, y2), max(y1, y2), (x1, y1, x2, y2), **common)
        elif tag == "circle":
            cx, cy, r = dx + _num(attrs.get("cx")), dy + _num(attrs.get("cy")), _num(attrs.get("r"))
            yield _Op("circle", cy - r, cy + r, (cx, cy, r), **common)
        elif tag == "path":
            points = [(seg[0], *[v + (dx if k % 2 == 0 else dy) for k, v in enumerate(seg[1:])])
                      for seg in _path_points(attrs.get("d", ""))]
            ys = [v for seg in points for v in seg[2::2]]
            if ys:
                yield _Op("path", min(ys), max(ys), tuple(points), **common)
        elif tag == "text":
            words = "".join([child.text or ""] + [(part.tail or "") for part in child]).strip()
            if not words:
                continue
            size = _num(inherited.get("font-size"), 12.0)
            y = dy + _num(attrs.get("y"))
            yield _Op("text", y - size, y + size * 0.25, (dx + _num(attrs.get("x")), y), **common,
                      font_size=size, bold=inherited.get("font-weight", "") in ("600", "650", "700", "bold"),
                      anchor=inherited.get("text-anchor", "start"), text=words)


@dataclass
class _Drawing:
    width: float
    title: str
    subtitle: str
    axis: list[_Op]
    axis_top: float
    axis_bottom: float
    body: list[_Op]
    body_top: float
    body_bottom: float
    legend: list[_Op]
    legend_top: float
    legend_bottom: float
    labels: list[_Op]  # the group names in the left column, top to bottom


def _read(svg: str) -> _Drawing:
    root = ET.fromstring(svg.encode("utf-8"))  # noqa: S314 - our own SVG, see the import
    width = _num(root.get("width"), 1000.0)
    paint = {name: root.get(name) for name in _INHERITED if root.get(name)}
    texts = [child for child in root if child.tag == NS + "text"]
    groups = [child for child in root if child.tag == NS + "g"]
    legend_groups = [g for g in groups if "rt-legend-svg" in g.get("class", "")]
    others = [g for g in groups if g not in legend_groups]

    def offset(group: ET.Element) -> tuple[float, float]:
        move = _TRANSLATE.search(group.get("transform", ""))
        return (float(move.group(1)), float(move.group(2))) if move else (0.0, 0.0)

    body_y = max((offset(g)[1] for g in others), default=0.0)
    axis, body, legend, labels = [], [], [], []
    for group in others:
        dx, dy = offset(group)
        shapes = list(_shapes(group, dx, dy, {**paint, **group.attrib}))
        (body if dy == body_y else axis).extend(shapes)
        if dy == body_y and dx == 0:
            labels.extend(op for op in shapes if op.kind == "text")
    for group in legend_groups:
        dx, dy = offset(group)
        legend.extend(_shapes(group, dx, dy, {**paint, **group.attrib}))

    def span(ops: list[_Op], default: float) -> tuple[float, float]:
        return (min((op.top for op in ops), default=default), max((op.bottom for op in ops), default=default))

    axis_top = min((offset(g)[1] for g in others if offset(g)[1] != body_y), default=body_y)
    legend_top, legend_bottom = span(legend, 0.0)
    body_bottom = max(span(body, body_y)[1], body_y)
    return _Drawing(width=width, title=(texts[0].text or "") if texts else "",
                    subtitle=(texts[1].text or "") if len(texts) > 1 else "", axis=axis, axis_top=axis_top,
                    axis_bottom=body_y, body=body, body_top=body_y, body_bottom=body_bottom, legend=legend,
                    legend_top=min(legend_top, legend_bottom), legend_bottom=legend_bottom,
                    labels=sorted(labels, key=lambda op: op.top))


def _cuts(ops: list[_Op]) -> list[float]:
    """The y's where a page may end without cutting a bar, a label or a mark in two."""
    spans = sorted((op.top, op.bottom) for op in ops if op.bottom - op.top <= _SPANNING)
    cuts: list[float] = []
    end = None
    for top, bottom in spans:
        if end is not None and top >= end:
            cuts.append(end)
        end = bottom if end is None else max(end, bottom)
    if end is not None:
        cuts.append(end)
    return cuts


def _pages(drawing: _Drawing, per_page: float) -> list[tuple[float, float]]:
    """The body's slices, [top, bottom) in document y, each at most `per_page` tall."""
    cuts = _cuts(drawing.body)
    slices, top = [], drawing.body_top
    while top < drawing.body_bottom - 0.5:
        limit = top + per_page
        if limit >= drawing.body_bottom:
            slices.append((top, drawing.body_bottom))
            break
        index = bisect.bisect_right(cuts, limit) - 1
        bottom = cuts[index] if index >= 0 and cuts[index] > top + per_page / 2 else limit
        slices.append((top, bottom))
        top = bottom
    return slices or [(drawing.body_top, drawing.body_bottom)]


class _Painter:
    """Draws shapes onto the canvas: x' = ox + x·s, y' = oy − (y − base)·s."""

    def __init__(self, canvas: Canvas, fonts: tuple[str, str, bool]):
        self.canvas = canvas
        self.regular, self.bold, self.marks = fonts
        self.state: tuple = ()

    def draw(self, ops: list[_Op], *, ox: float, oy: float, base: float, s: float,
             top: float | None = None, bottom: float | None = None) -> None:
        canvas = self.canvas
        for op in ops:
            if top is not None and (op.bottom <= top or op.top >= bottom) and op.bottom > op.top:
                continue  # wholly on another page (lines along a page's edge are drawn on both)
            fill, stroke = _colour(op.fill), _colour(op.stroke)
            paint_state = (op.fill, op.stroke, op.stroke_width, op.dash, op.fill_opacity)
            if paint_state != self.state:
                if fill is not None:
                    canvas.setFillColor(fill, alpha=op.fill_opacity)
                if stroke is not None:
                    canvas.setStrokeColor(stroke)
                    canvas.setLineWidth(op.stroke_width * s)
                    canvas.setDash([v * s for v in op.dash] if op.dash else [])
                self.state = paint_state
            do_fill, do_stroke = int(fill is not None), int(stroke is not None)
            geometry = op.geometry
            if op.kind == "rect":
                x, y, w, h, r = geometry
                if r:
                    canvas.roundRect(ox + x * s, oy - (y + h - base) * s, w * s, h * s, min(r, w / 2, h / 2) * s,
                                     stroke=do_stroke, fill=do_fill)
                else:
                    canvas.rect(ox + x * s, oy - (y + h - base) * s, w * s, h * s, stroke=do_stroke, fill=do_fill)
            elif op.kind == "line":
                if stroke is not None:
                    x1, y1, x2, y2 = geometry
                    canvas.line(ox + x1 * s, oy - (y1 - base) * s, ox + x2 * s, oy - (y2 - base) * s)
            elif op.kind == "circle":
                cx, cy, r = geometry
                canvas.circle(ox + cx * s, oy - (cy - base) * s, r * s, stroke=do_stroke, fill=do_fill)
            elif op.kind == "path":
                path = canvas.beginPath()
                for seg in geometry:
                    if seg[0] == "M":
                        path.moveTo(ox + seg[1] * s, oy - (seg[2] - base) * s)
                    elif seg[0] == "L":
                        path.lineTo(ox + seg[1] * s, oy - (seg[2] - base) * s)
                    elif seg[0] == "C":
                        path.curveTo(*[ox + v * s if k % 2 == 0 else oy - (v - base) * s
                                       for k, v in enumerate(seg[1:])])
                    else:
                        path.close()
                canvas.drawPath(path, stroke=do_stroke, fill=do_fill)
            elif op.kind == "text" and fill is not None:
                text = op.text if self.marks else op.text.translate(_PLAIN)
                canvas.setFont(self.bold if op.bold else self.regular, op.font_size * s)
                x, y = ox + geometry[0] * s, oy - (geometry[1] - base) * s
                if op.anchor == "end":
                    canvas.drawRightString(x, y, text)
                elif op.anchor == "middle":
                    canvas.drawCentredString(x, y, text)
                else:
                    canvas.drawString(x, y, text)


def _continued(labels: list[_Op], top: float) -> list[_Op]:
    """The name of the group a page starts inside of, "(continued)", at the page's top left."""
    tops = [op.top for op in labels]
    index = bisect.bisect_left(tops, top) - 1
    if index < 0 or (index + 1 < len(labels) and labels[index + 1].top < top + 20):
        return []  # the page starts with a group of its own
    label = labels[index]
    y = top + label.font_size + 4
    return [_Op("text", y - label.font_size, y, (label.geometry[0], y), label.fill, label.stroke, label.stroke_width,
                label.dash, label.fill_opacity, font_size=label.font_size, bold=label.bold, anchor=label.anchor,
                text=f"{label.text} (continued)")]


def svg_to_pdf(svg: str, *, title: str) -> bytes:
    """A PDF of `svg`: landscape A4 pages, the drawing as wide as the page allows, each page
    with the title and date, the axis, the legend and "Page n of N" at its foot."""
    drawing = _read(svg)
    fonts = _fonts()
    width, height = PAGE
    room_w = width - 2 * MARGIN
    room_h = height - 2 * MARGIN - HEADER - FOOTER
    axis_h = drawing.axis_bottom - drawing.axis_top
    legend_h = (drawing.legend_bottom - drawing.legend_top + 6) if drawing.legend else 0.0
    body_h = drawing.body_bottom - drawing.body_top
    scale = min(room_w / drawing.width, 1.0)
    whole = axis_h + body_h + legend_h
    if whole * scale > room_h and room_h / whole >= ONE_PAGE_MIN_SCALE:
        scale = room_h / whole  # shrink it onto one page while its text stays legible
    per_page = max(room_h / scale - axis_h - legend_h, 40.0)  # body units shown per page
    slices = _pages(drawing, per_page)
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=PAGE, pageCompression=1)
    canvas.setTitle(title)
    canvas.setCreator("Waymark")
    painter = _Painter(canvas, fonts)
    regular, bold, _marks = fonts
    top = height - MARGIN - HEADER
    for number, (first, last) in enumerate(slices, start=1):
        painter.state = ()
        canvas.setFillColor(HexColor("#111827"))
        canvas.setFont(bold, 11)
        canvas.drawString(MARGIN, height - MARGIN - 11, drawing.title or title)
        if drawing.subtitle:
            canvas.setFont(regular, 8)
            canvas.setFillColor(HexColor("#475467"))
            canvas.drawRightString(width - MARGIN, height - MARGIN - 10, drawing.subtitle)
        painter.draw(drawing.axis, ox=MARGIN, oy=top, base=drawing.axis_top, s=scale)
        body_oy = top - axis_h * scale
        canvas.saveState()
        clip = canvas.beginPath()
        clip.rect(MARGIN, body_oy - (last - first) * scale, room_w, (last - first) * scale + 0.5)
        canvas.clipPath(clip, stroke=0, fill=0)
        painter.state = ()
        painter.draw(drawing.body, ox=MARGIN, oy=body_oy, base=first, s=scale, top=first, bottom=last)
        canvas.restoreState()
        painter.state = ()
        painter.draw(_continued(drawing.labels, first), ox=MARGIN, oy=body_oy, base=first, s=scale)
        painter.state = ()
        if drawing.legend:
            legend_oy = body_oy - (last - first) * scale - 6 * scale
            painter.draw(drawing.legend, ox=MARGIN, oy=legend_oy, base=drawing.legend_top, s=scale)
        canvas.setFont(regular, 8)
        canvas.setFillColor(HexColor("#667085"))
        canvas.drawString(MARGIN, MARGIN, title)
        canvas.drawRightString(width - MARGIN, MARGIN, f"Page {number} of {len(slices)}")
        canvas.showPage()
    canvas.save()
    return out.getvalue()
