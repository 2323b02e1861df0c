"""Timelines as PDF, drawn from the same standalone SVG as the SVG export.

svglib reads the SVG into a ReportLab drawing and ReportLab writes the PDF: both are plain
Python wheels, with no browser and no system library, so the export works offline and in the
slim container. The drawing is scaled to the width of a landscape A4 page, and shrunk further
to stay on one page as long as its text stays legible; a taller one runs on over as many pages
as it needs at page width, each numbered.
"""

from __future__ import annotations

import io
import math
import re

from reportlab.graphics import renderPDF
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from svglib.svglib import svg2rlg

PAGE = landscape(A4)
MARGIN = 10 * mm
FOOTER = 7 * mm  # under the drawing: the page number
# The smallest scale that keeps one page (12 px text prints at ~3.6 pt: small, but crisp
# vector text that a reader can zoom into); a taller drawing runs over pages at page width.
ONE_PAGE_MIN_SCALE = 0.3
# The standard PDF fonts cover Western European text but not these arrows; their meaning
# ("earlier", "later") survives as plain angle brackets.
_PLAIN = str.maketrans({"◂": "&lt;", "▸": "&gt;"})
# Tooltips (<title>) are for pointers; svglib would print the ones inside <text> as text.
_TOOLTIP = re.compile(r"<title>.*?</title>", re.S)


def svg_to_pdf(svg: str, *, title: str) -> bytes:
    """A PDF of `svg`: landscape A4 pages, the drawing as wide as the page allows, numbered
    "Page 1 of N" at the foot of each page."""
    drawing = svg2rlg(io.BytesIO(_TOOLTIP.sub("", svg).translate(_PLAIN).encode("utf-8")))
    width, height = PAGE
    room_w, room_h = width - 2 * MARGIN, height - 2 * MARGIN - FOOTER
    scale = min(room_w / drawing.width, 1.0)
    if drawing.height * scale > room_h and room_h / drawing.height >= ONE_PAGE_MIN_SCALE:
        scale = room_h / drawing.height  # shrink it onto one page while its text stays legible
    slice_h = room_h / scale  # drawing units shown per page
    pages = max(1, math.ceil(drawing.height / slice_h - 1e-9))
    drawing.scale(scale, scale)
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=PAGE, pageCompression=1)
    canvas.setTitle(title)
    canvas.setCreator("Waymark")
    for page in range(pages):
        canvas.saveState()
        clip = canvas.beginPath()
        clip.rect(MARGIN, MARGIN + FOOTER, room_w, room_h)
        canvas.clipPath(clip, stroke=0, fill=0)
        # The top of slice `page` sits at the top of the page's room.
        top = MARGIN + FOOTER + room_h
        y = top - (drawing.height - page * slice_h) * scale
        renderPDF.draw(drawing, canvas, MARGIN, y)
        canvas.restoreState()
        canvas.setFont("Helvetica", 8)
        canvas.setFillColorRGB(0.4, 0.44, 0.52)
        canvas.drawString(MARGIN, MARGIN, title)
        canvas.drawRightString(width - MARGIN, MARGIN, f"Page {page + 1} of {pages}")
        canvas.showPage()
    canvas.save()
    return out.getvalue()
