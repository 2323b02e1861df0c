"""Time the timeline's PDF export on the bench's largest product (SHOP, ~3,200 features).

    python -m bench.pdf                  # the default view, by status, and a year view
    python -m bench.pdf --repeat 3       # more samples

For each view it composes the timeline once (as the export view does), then times the
standalone SVG and the PDF drawn from it (`roadmap.render.pdf.svg_to_pdf`), and prints the bars
drawn, the pages, the size and the seconds. The PDF export draws every view, however big, so
this is the number to watch: a PDF must come back well inside a worker's timeout."""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time

import pypdf

from bench import seed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.pdf", description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    seed.setup()
    from django.utils import timezone

    from roadmap import compose
    from roadmap.render.pdf import svg_to_pdf
    from strategy.models import Product

    product = Product.objects.get(workspace__slug=seed.WORKSPACE_SLUG, key="SHOP")
    today = timezone.localdate()

    class Params(dict):
        def getlist(self, key, default=None):
            return [self[key]] if key in self else (default or [])

    views = {"default (fitted, by release)": {}, "by status": {"group": "status"},
             "year view": {"zoom": "years"}, "5 years by status": {"zoom": "years", "group": "status",
                                                                   "start": f"{today.year - 2}-01",
                                                                   "end": f"{today.year + 2}-12"}}
    print(f"{'view':32} {'bars':>6} {'pages':>6} {'KB':>7} {'svg s':>7} {'pdf s':>7}")
    for name, params in views.items():
        timeline = compose.product_timeline(product, params=Params(params), today=today,
                                            audience=compose.Audience.member(product.workspace))
        bars = sum(len(group.bars) for group in timeline.layout.all_groups)
        svg_times, pdf_times, document = [], [], b""
        for _ in range(args.repeat):
            started = time.perf_counter()
            svg = timeline.svg(title=f"{product.name} roadmap", subtitle="bench")
            svg_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            document = svg_to_pdf(svg, title=f"{product.name} roadmap")
            pdf_times.append(time.perf_counter() - started)
        pages = len(pypdf.PdfReader(io.BytesIO(document)).pages)
        print(f"{name:32} {bars:>6} {pages:>6} {len(document) // 1024:>7} {statistics.median(svg_times):>7.2f} "
              f"{statistics.median(pdf_times):>7.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
