"""The floor: the least work a page drawing a product's features could do, timed in the same
run as the pages, so that each page is judged by its ratio to it rather than by milliseconds
(these machines are shared, and absolute times swing 2× between runs; see DESIGN.md,
"Performance habits").

`draw(product_id)` reads the product's features (key, title, status category and dates, their
release's dates for the ones without their own) with one SQL query on a plain cursor, and
writes one SVG bar per feature (a rect, its label and a tooltip, escaped) with `str.join`.
No ORM, no template, no middleware, no HTTP: the cost of the rows and of the markup alone."""

from __future__ import annotations

import html
import time
from datetime import date

from django.db import connection

SQL = """
SELECT f.number, f.title, p.key, s.category,
       COALESCE(f.start_date, r.start_date), COALESCE(f.end_date, r.release_date)
FROM releases_feature f
JOIN strategy_product p ON p.id = f.product_id
JOIN releases_workflowstatus s ON s.id = f.status_id
LEFT JOIN releases_release r ON r.id = f.release_id
WHERE f.product_id = %s
ORDER BY f.rank, f.id
"""
ROW_HEIGHT = 24
PX_PER_DAY = 2


def draw(product_id: int) -> str:
    """One query, one SVG: the floor every big page is measured against."""
    with connection.cursor() as cursor:
        cursor.execute(SQL, [product_id])
        rows = cursor.fetchall()
    starts = [row[4] for row in rows if row[4]]
    origin = min(starts).toordinal() if starts else date.today().toordinal()
    escape = html.escape
    parts = []
    for y, (number, title, key, category, start, end) in enumerate(rows):
        x = ((start.toordinal() - origin) * PX_PER_DAY) if start else 0
        width = max(((end.toordinal() - start.toordinal()) * PX_PER_DAY) if start and end else 0, 4)
        label = escape(f"{key}-{number} {title}")
        parts.append(f'<g class="bar bar--{category}"><rect x="{x}" y="{y * ROW_HEIGHT}" width="{width}" '
                     f'height="{ROW_HEIGHT - 4}"/><text x="{x + 4}" y="{y * ROW_HEIGHT + 15}">{label}</text>'
                     f"<title>{label}: {start or ''} – {end or ''}</title></g>")
    return (f'<svg xmlns="http://www.w3.org/2000/svg" height="{len(rows) * ROW_HEIGHT}">'
            + "".join(parts) + "</svg>")


def time_floor(product_id: int, *, warmups: int, requests: int) -> tuple[list[float], int, int]:
    """(samples in ms, rows drawn, bytes written) of `requests` timed calls after `warmups`."""
    samples = []
    markup = ""
    for n in range(warmups + requests):
        started = time.perf_counter()
        markup = draw(product_id)
        took_ms = (time.perf_counter() - started) * 1000
        if n >= warmups:
            samples.append(round(took_ms, 2))
    return samples, markup.count("<g "), len(markup.encode())

