"""How long Chromium takes to show a page and make it usable, for the pages of bench.run's
PAGES marked `browser=True` (the product timeline, the backlog and the board of the largest
product).

Playwright drives Debian's Chromium (/usr/bin/chromium, or $WAYMARK_CHROMIUM; never a
downloaded browser), headless, at 1440 × 900, signed in through the sign-in form as the bench
user. Each page is loaded `SAMPLES` times after one warm-up load (which fills the static-file
cache, as a returning visitor has it), each time by a fresh navigation, and read from the
browser's own Navigation and Paint Timing entries, measured from the start of the navigation:

- first paint: `first-contentful-paint` (the first text or graphic on screen);
- interactive: `domContentLoadedEventEnd` (the document is parsed, the deferred scripts have run
  and bound their handlers: drag, htmx, menus respond);
- loaded: `loadEventEnd`.

Medians go into the table; every sample into the JSON."""

from __future__ import annotations

import os
import statistics
from pathlib import Path

CHROMIUM = Path(os.environ.get("WAYMARK_CHROMIUM", "/usr/bin/chromium"))
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SAMPLES = 5
TIMEOUT_MS = 60_000

_READ_TIMINGS = """() => {
    const nav = performance.getEntriesByType("navigation")[0];
    const paint = performance.getEntriesByName("first-contentful-paint")[0];
    return {first_paint_ms: paint ? paint.startTime : null,
            interactive_ms: nav.domContentLoadedEventEnd, loaded_ms: nav.loadEventEnd,
            transfer_bytes: nav.transferSize, body_bytes: nav.decodedBodySize};
}"""


def time_pages(base_url: str, pages, *, email: str, password: str, samples: int = SAMPLES) -> dict[str, dict]:
    """{page name: {"first_paint_ms", "interactive_ms", "loaded_ms" (medians), "samples": [...]}}
    for `pages` ((Page, path) pairs); {name: {"error": …}} for a page that could not be timed."""
    if not CHROMIUM.exists():
        return {page.name: {"error": f"no Chromium at {CHROMIUM}"} for page, _path in pages}
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    found: dict[str, dict] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        try:
            context = browser.new_context(base_url=base_url, viewport={"width": 1440, "height": 900})
            tab = context.new_page()
            tab.set_default_timeout(TIMEOUT_MS)
            tab.goto("/accounts/login/")
            tab.fill("input[name=username]", email)
            tab.fill("input[name=password]", password)
            with tab.expect_navigation():
                tab.locator("form button[type=submit], form input[type=submit]").first.click()
            for page, path in pages:
                try:
                    tab.goto(path, wait_until="load")  # warm-up: static files cached
                    runs = []
                    for _ in range(samples):
                        tab.goto(path, wait_until="load")
                        tab.wait_for_function("performance.getEntriesByType('navigation')[0].loadEventEnd > 0")
                        runs.append({k: (round(v, 1) if isinstance(v, float) else v)
                                     for k, v in tab.evaluate(_READ_TIMINGS).items()})
                    if any(run["first_paint_ms"] is None for run in runs):
                        raise RuntimeError("Chromium reported no first contentful paint")
                    found[page.name] = {
                        **{key: round(statistics.median(run[key] for run in runs), 1)
                           for key in ("first_paint_ms", "interactive_ms", "loaded_ms")},
                        "samples": runs,
                    }
                except (PlaywrightError, RuntimeError) as exc:
                    found[page.name] = {"error": str(exc).splitlines()[0][:200]}
        finally:
            browser.close()
    return found
