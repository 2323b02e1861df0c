"""How long Chromium takes to show a page and make it usable, for the pages of bench.run's
PAGES marked `browser=True` (the product timeline, the backlog and the board of the largest
product).

Playwright drives Debian's Chromium (/usr/bin/chromium, or $WAYMARK_CHROMIUM; never a
downloaded browser), headless, at 1440 × 900, signed in through the sign-in form as the bench
user. Each page is loaded `SAMPLES` times after one warm-up load (which fills the static-file
cache, as a returning visitor has it), each time by a fresh navigation, and read from the
browser's own Navigation and Paint Timing entries, measured from the start of the navigation:

- first paint: `first-contentful-paint` (the first text or graphic on screen; Chromium may
  record it a frame after the load event, so the reading waits up to 5 s for it);
- interactive: `domContentLoadedEventEnd` (the document is parsed, the deferred scripts have run
  and bound their handlers: drag, htmx, menus respond);
- loaded: `loadEventEnd`.

Medians go into the table; every sample into the JSON. A page that does not reach its load
event within TIMEOUT_MS is reported as such (its error says so, its figures are None)."""

from __future__ import annotations

import os
import statistics
from pathlib import Path

CHROMIUM = Path(os.environ.get("WAYMARK_CHROMIUM", "/usr/bin/chromium"))
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SAMPLES = 5
TIMEOUT_MS = 60_000
PAINT_POLLS, PAINT_POLL_MS = 50, 100  # after the load event, wait up to 5 s for the first paint

_PAINTED = "() => performance.getEntriesByName('first-contentful-paint').length > 0"

_READ_TIMINGS = """() => {
    const nav = performance.getEntriesByType("navigation")[0];
    const paint = performance.getEntriesByName("first-contentful-paint")[0];
    return {first_paint_ms: paint ? paint.startTime : null,
            interactive_ms: nav.domContentLoadedEventEnd, loaded_ms: nav.loadEventEnd,
            transfer_bytes: nav.transferSize, body_bytes: nav.decodedBodySize};
}"""


def _load(tab, path: str) -> dict:
    """Navigate to `path` and read its timings once the load event has ended. A page that does
    not get there within TIMEOUT_MS is read as it is then: what it has not reached is None."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    timed_out = False
    try:
        tab.goto(path, wait_until="commit")
        tab.wait_for_load_state("load")  # no script in the page: its CSP forbids eval
        tab.wait_for_timeout(50)  # loadEventEnd is set just after the load handlers return
        # Chromium may paint the first content a frame after the load event (a light page
        # loads before its first frame); wait for it rather than read it as never painted.
        for _attempt in range(PAINT_POLLS):
            if tab.evaluate(_PAINTED):
                break
            tab.wait_for_timeout(PAINT_POLL_MS)
    except PlaywrightTimeout:
        timed_out = True
    read = tab.evaluate(_READ_TIMINGS)
    run = {key: (round(value, 1) if isinstance(value, float | int) and value else None) for key, value in read.items()}
    run["timed_out"] = timed_out
    return run


def _median(runs: list[dict], key: str) -> float | None:
    values = [run[key] for run in runs if run[key] is not None]
    return round(statistics.median(values), 1) if len(values) == len(runs) else None


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
                    if _load(tab, path)["timed_out"]:  # warm-up: static files cached
                        found[page.name] = {"first_paint_ms": None, "interactive_ms": None, "loaded_ms": None,
                                            "timeout_ms": TIMEOUT_MS, "samples": [], "error":
                                            f"not loaded within {TIMEOUT_MS / 1000:g} s"}
                        continue
                    runs = [_load(tab, path)]
                    # A page that never finishes loading is read once, not SAMPLES minutes long.
                    if not runs[0]["timed_out"]:
                        runs += [_load(tab, path) for _ in range(samples - 1)]
                    found[page.name] = {
                        **{key: _median(runs, key) for key in ("first_paint_ms", "interactive_ms", "loaded_ms")},
                        "timeout_ms": TIMEOUT_MS, "samples": runs,
                    }
                except (PlaywrightError, RuntimeError) as exc:
                    found[page.name] = {"error": str(exc).splitlines()[0][:200]}
        finally:
            browser.close()
    return found
