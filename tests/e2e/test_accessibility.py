"""Accessibility in a real browser: axe-core's WCAG 2.1 A and AA rules on every page a member
of the demo workspace reaches from the sidebar, on share links (open and behind a password),
the sign-in page and the error pages; then the page at 320 px wide, with reduced motion, and
in greyscale (colour never the only signal).

The pages are one list, `PAGES`, built from the seeded demo workspace: to check a new page,
add a line there. Rules a page may break, and why, are in `EXCEPTIONS`, the only place
that waives one (docs/accessibility.md).

The demo is seeded once for the module and served by a live server of its own, so the
pages reuse one signed-in browser context; the tables are emptied after the last test."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone

from feedback import demo as feedback_demo
from feedback.models import Customer, Idea
from releases import demo as releases_demo
from releases.models import Feature, LaunchTemplate, Release, ReleaseNote
from roadmap import demo_metrics, demo_usage, throttle
from roadmap import services as roadmap_services
from strategy import demo
from strategy.models import Competitor, Goal, Initiative, KeyResult, Persona, Product, User

from .conftest import ARTIFACTS, sign_in

# The WCAG 2.1 level A and AA rules of axe-core (its best-practice rules are not part of the target).
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

MEMBER, VIEWER, VISITOR = "member", "viewer", "visitor"
SHARE_PASSWORD = "a-share-passphrase"

# pytest-django sets the test database up only when a test of the run asks for it. The tests'
# own transactions stay empty: the pages read the module's committed demo through its live server.
pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Page:
    """A page to check: its name (in the test id), who opens it, its path with {names} filled
    from the demo's ids (`demo_site`), and the status it answers."""

    name: str
    who: str
    path: str
    status: int = 200


W = "/w/{ws}"
SHOP = W + "/products/{product}"
LINE = W + "/products/{line}"

PAGES = [
    # The sidebar of a member (the demo admin): the portfolio, a product's sections, the workspace's pages.
    Page("portfolio", MEMBER, W + "/"),
    Page("product overview", MEMBER, SHOP + "/"),
    Page("product line overview", MEMBER, LINE + "/"),
    Page("strategy", MEMBER, SHOP + "/strategy/"),
    Page("product goals", MEMBER, SHOP + "/strategy/goals/"),
    Page("releases", MEMBER, SHOP + "/releases/"),
    Page("backlog", MEMBER, SHOP + "/backlog/"),
    Page("board", MEMBER, SHOP + "/board/"),
    Page("roadmap timeline", MEMBER, SHOP + "/roadmap/"),
    Page("roadmap timeline with dependencies", MEMBER, SHOP + "/roadmap/?deps=1&colour=initiative"),
    Page("product line timeline", MEMBER, LINE + "/roadmap/"),
    Page("line backlog", MEMBER, LINE + "/backlog/"),
    Page("line board", MEMBER, LINE + "/board/"),
    Page("line releases", MEMBER, LINE + "/releases/?status=all"),
    Page("initiatives", MEMBER, SHOP + "/strategy/initiatives/"),
    Page("workspace goals", MEMBER, W + "/goals/"),
    Page("search results", MEMBER, W + "/search/?q=checkout"),
    Page("search, nothing found", MEMBER, W + "/search/?q=zzzzqq"),
    Page("workflow", MEMBER, W + "/workflow/"),
    Page("launch", MEMBER, W + "/launch/"),
    Page("my work", MEMBER, W + "/my-work/"),
    Page("inbox", MEMBER, W + "/inbox/"),
    Page("members", MEMBER, W + "/members/"),
    Page("workspace settings", MEMBER, W + "/settings/"),
    Page("webhooks", MEMBER, W + "/settings/webhooks/"),
    Page("webhook delivery log", MEMBER, W + "/settings/webhooks/{webhook}/"),
    Page("workspace export", MEMBER, W + "/settings/export/"),
    Page("import", MEMBER, SHOP + "/imports/"),
    Page("import preview with refused rows", MEMBER, SHOP + "/imports/{import_preview}/"),
    Page("account", MEMBER, "/account/"),
    Page("home", MEMBER, "/"),
    # One step further: the tabs and records those pages open.
    Page("now next later", MEMBER, SHOP + "/roadmap/now-next-later/"),
    Page("line now next later", MEMBER, LINE + "/roadmap/now-next-later/"),
    Page("release timeline", MEMBER, SHOP + "/roadmap/releases/"),
    Page("portfolio timeline", MEMBER, LINE + "/roadmap/portfolio/"),
    Page("share links", MEMBER, SHOP + "/roadmap/share/"),
    Page("value effort", MEMBER, SHOP + "/value-effort/"),
    Page("board in swimlanes, compact", MEMBER, SHOP + "/board/?lanes=initiative&cards=compact"),
    Page("saved views", MEMBER, SHOP + "/views/"),
    Page("release", MEMBER, SHOP + "/releases/{release}/"),
    Page("release notes", MEMBER, SHOP + "/releases/{release}/notes/"),
    Page("published release notes", MEMBER, SHOP + "/releases/{noted_release}/notes/"),
    Page("release messaging", MEMBER, SHOP + "/releases/{release}/messaging/"),
    Page("launch template", MEMBER, W + "/launch/templates/{launch_template}/"),
    Page("feature", MEMBER, SHOP + "/features/{feature}/"),
    Page("goal", MEMBER, W + "/goals/{goal}/"),
    Page("key result chart", MEMBER, W + "/goals/{goal}/key-results/{key_result}/check-in/"),
    Page("initiative", MEMBER, SHOP + "/strategy/initiatives/{initiative}/"),
    Page("personas", MEMBER, SHOP + "/strategy/personas/"),
    Page("persona", MEMBER, SHOP + "/strategy/personas/{persona}/"),
    Page("competitors", MEMBER, SHOP + "/strategy/competitors/"),
    Page("competitor", MEMBER, SHOP + "/strategy/competitors/{competitor}/"),
    Page("competitor comparison", MEMBER, SHOP + "/strategy/competitors/compare/"),
    Page("vision", MEMBER, SHOP + "/strategy/vision/"),
    Page("vision history", MEMBER, SHOP + "/strategy/vision/history/"),
    Page("roadmap what changed", MEMBER, SHOP + "/roadmap/?since={since}"),
    Page("release timeline with a release open", MEMBER, SHOP + "/roadmap/releases/?open={release}"),
    Page("delivery", MEMBER, SHOP + "/delivery/"),
    Page("usage", MEMBER, SHOP + "/usage/"),
    Page("ingest keys", MEMBER, SHOP + "/usage/keys/"),
    Page("ideas", MEMBER, SHOP + "/ideas/"),
    Page("idea", MEMBER, SHOP + "/ideas/{idea}/"),
    Page("idea duplicates", MEMBER, SHOP + "/ideas/duplicates/"),
    Page("feedback inbox", MEMBER, SHOP + "/feedback/inbox/"),
    Page("customers", MEMBER, W + "/customers/"),
    Page("customer", MEMBER, W + "/customers/{customer}/"),
    Page("portal settings", MEMBER, SHOP + "/portal/"),
    Page("metrics", MEMBER, SHOP + "/metrics/"),
    Page("dashboard", MEMBER, W + "/dashboard/"),
    Page("key result metric", MEMBER, W + "/goals/{goal}/key-results/{key_result}/metric/"),
    # Forms.
    Page("new product", MEMBER, W + "/products/new/"),
    Page("edit product", MEMBER, SHOP + "/edit/"),
    Page("new feature", MEMBER, SHOP + "/features/new/"),
    Page("edit feature", MEMBER, SHOP + "/features/{feature}/edit/"),
    Page("new release", MEMBER, SHOP + "/releases/new/"),
    Page("new idea", MEMBER, SHOP + "/ideas/new/"),
    Page("new goal", MEMBER, W + "/goals/new/"),
    Page("new workspace", MEMBER, "/workspaces/new/"),
    # A viewer sees the pages without their editing controls.
    Page("board as a viewer", VIEWER, SHOP + "/board/"),
    Page("roadmap timeline as a viewer", VIEWER, SHOP + "/roadmap/"),
    Page("release as a viewer", VIEWER, SHOP + "/releases/{release}/"),
    Page("my work as a viewer", VIEWER, W + "/my-work/"),
    # Without an account: signing in, share links, error pages.
    Page("sign in", VISITOR, "/accounts/login/"),
    Page("password reset", VISITOR, "/accounts/password_reset/"),
    Page("shared timeline", VISITOR, "/s/{share_timeline}/"),
    Page("shared portfolio timeline", VISITOR, "/s/{share_portfolio}/"),
    Page("shared now next later", VISITOR, "/s/{share_now_next_later}/"),
    Page("shared release timeline", VISITOR, "/s/{share_release_timeline}/"),
    Page("shared link password", VISITOR, "/s/{share_password}/"),
    Page("portal", VISITOR, "/portal/{ws}/{product}/"),
    Page("portal top ideas", VISITOR, "/portal/{ws}/{product}/?sort=top"),
    Page("portal idea", VISITOR, "/portal/{ws}/{product}/ideas/{public_idea}/"),
    Page("portal roadmap", VISITOR, "/portal/{ws}/{product}/roadmap/"),
    Page("portal changelog", VISITOR, "/portal/{ws}/{product}/changelog/"),
    Page("portal sign in", VISITOR, "/portal/{ws}/{product}/sign-in/"),
    Page("shared link not found", VISITOR, "/s/not-a-valid-token-at-all-0000/", 404),
    Page("not found", VISITOR, "/no-such-page/", 404),
    Page("not found signed in", MEMBER, W + "/products/NOPE/", 404),
    Page("forbidden", VIEWER, W + "/products/new/", 403),
]

# The one place a rule may be waived: {(page name, or "*" for every page, axe rule id): why}.
# Every entry needs a reason a reviewer accepts; the test fails on any violation not listed.
EXCEPTIONS: dict[tuple[str, str], str] = {}


# --- the demo site, once per module ----------------------------------------------------------


@dataclass
class DemoSite:
    url: str
    ids: dict[str, object]

    def path(self, page: Page) -> str:
        return page.path.format(**self.ids)


def _share_links(admin: User, product: Product, line: Product) -> dict[str, str]:
    def token(view: str, on: Product = product, **options) -> str:
        return roadmap_services.share_link_create(actor=admin, product=on, view=view, **options)[1]

    return {
        "share_timeline": token("timeline", params={"deps": "1"}),
        "share_portfolio": token("portfolio", on=line),
        "share_now_next_later": token("now_next_later"),
        "share_release_timeline": token("release_timeline", show_estimates=True),
        "share_password": token("timeline", password=SHARE_PASSWORD,
                                expires_at=timezone.now() + timedelta(days=7)),
    }


def _demo_ids() -> dict[str, object]:
    workspace = demo.seed_workspace()
    demo.seed_strategy(workspace)
    releases_demo.seed_releases(workspace)
    demo_usage.seed_usage(workspace)
    feedback_demo.seed_feedback(workspace)
    demo_metrics.seed_metrics(workspace)
    products = demo.products_by_key(workspace)
    product, line = products["SHOP"], products["NWC"]
    admin = User.objects.get(email=demo.DEMO_EMAIL)
    release = Release.objects.filter(product=product, status=Release.Status.IN_PROGRESS).first()
    key_result = KeyResult.objects.filter(workspace=workspace, check_ins__isnull=False).order_by("pk").first()
    return {
        "ws": workspace.slug, "product": product.key, "line": line.key, "release": release.pk,
        "feature": Feature.objects.filter(product=product).order_by("number").first().number,
        "goal": key_result.goal_id, "key_result": key_result.pk,
        "initiative": Initiative.objects.filter(product=product).first().pk,
        # The product shows its line's personas and competitors too.
        "persona": Persona.objects.filter(product__in=[product, line]).order_by("pk").first().pk,
        "competitor": Competitor.objects.filter(product__in=[product, line]).order_by("pk").first().pk,
        "idea": Idea.objects.filter(product=product).order_by("pk").first().pk,
        "public_idea": Idea.objects.filter(product=product, visibility=Idea.Visibility.PUBLIC, merged_into=None)
                               .order_by("pk").first().pk,
        "customer": Customer.objects.filter(workspace=workspace).order_by("pk").first().pk,
        "launch_template": LaunchTemplate.objects.filter(workspace=workspace).order_by("pk").first().pk,
        "noted_release": ReleaseNote.objects.get(release__product=product, published_at__isnull=False).release_id,
        "since": (timezone.localdate() - timedelta(days=30)).isoformat(),
        **_share_links(admin, product, line),
        "webhook": _webhook_with_log(workspace, admin).pk,
        "import_preview": _import_preview(product, admin).pk,
    }


def _import_preview(product: Product, admin: User):
    """A previewed import with rows created, updated and refused (and a new release)."""
    from releases.services import import_preview

    first = Feature.objects.filter(product=product).order_by("number").first()
    Feature.objects.filter(pk=first.pk).update(external_id="A11Y-0")
    rows = ("key,title,status,release,release_date,end_date\n"
            "A11Y-0,Renamed by the import,Planned,,,\n"
            "A11Y-1,Offline lists,Planned,Autumn import,2031-10-15,\n"
            "A11Y-2,Widgets,Planned,0.0,,\n"
            "A11Y-3,Dark mode,Someday,,,2031-03\n")
    return import_preview(actor=admin, product=product, name="messy.csv", content=rows.encode())


def _webhook_with_log(workspace, admin: User):
    """A webhook with one delivered and one failed delivery (rows written directly: the demo
    has no receiver to call)."""
    from roadmap.models import Webhook, WebhookAttempt, WebhookDelivery

    hook = Webhook.objects.create(workspace=workspace, url="https://hooks.example.com/waymark", secret="s" * 43,
                                  events=["feature.created", "feature.moved"], created_by=admin,
                                  description="Release notes bot")
    now = timezone.now()
    for n, (state, code) in enumerate([("succeeded", 200), ("failed", 500)]):
        delivery = WebhookDelivery.objects.create(
            webhook=hook, uid=f"00000000-0000-4000-8000-00000000000{n}", event="feature.moved",
            payload={"event": "feature.moved"}, state=state, attempt_count=1, last_status_code=code)
        WebhookAttempt.objects.create(delivery=delivery, attempted_at=now, status_code=code, duration_ms=42,
                                      response_excerpt="ok" if code == 200 else "Internal error")
    return hook


@pytest.fixture(scope="module")
def demo_site(django_db_setup, django_db_blocker):
    """The demo workspace, committed, served by a live server of this module; every table
    emptied at the end, as a transactional test leaves them."""
    from pytest_django.live_server_helper import LiveServer

    with django_db_blocker.unblock():
        _clear_share_throttle()
        ids = _demo_ids()
        assert Goal.objects.exists()
        server = LiveServer("localhost")
        server._live_server_modified_settings.enable()
        try:
            yield DemoSite(url=server.url, ids=ids)
        finally:
            server._live_server_modified_settings.disable()
            server.stop()
            call_command("flush", interactive=False, verbosity=0)


def _clear_share_throttle() -> None:
    client = cache._cache.get_client(write=True)
    for key in client.scan_iter(match=cache.make_key(f"{throttle.KEY_PREFIX}:*")):
        client.delete(key)


@pytest.fixture(scope="module")
def contexts(browser, demo_site):
    """One browser context per kind of person, signed in once: {MEMBER, VIEWER, VISITOR: Page}."""
    opened = {}
    for who, email, password in ((MEMBER, demo.DEMO_EMAIL, demo.DEMO_PASSWORD),
                                 (VIEWER, "jordan@waymark.test", demo.DEMO_PASSWORD), (VISITOR, "", "")):
        context = browser.new_context(base_url=demo_site.url, viewport={"width": 1440, "height": 900})
        page = context.new_page()
        page.set_default_timeout(15_000)
        if email:
            sign_in(page, email, password)
            page.wait_for_url(lambda url: "/accounts/login/" not in url)
        opened[who] = page
    yield opened
    for page in opened.values():
        page.context.close()


# --- axe --------------------------------------------------------------------------------------

AXE = Axe()


def axe_violations(page) -> list[dict]:
    """axe-core's WCAG 2.1 A/AA violations on the page as it is now."""
    results = AXE.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS},
                                     "resultTypes": ["violations"]})
    return results.response["violations"]


def unexcused(violations: list[dict], page_name: str) -> list[dict]:
    return [v for v in violations
            if (page_name, v["id"]) not in EXCEPTIONS and ("*", v["id"]) not in EXCEPTIONS]


def describe(violations: list[dict], page_name: str, path: str) -> str:
    lines = [f"{len(violations)} WCAG 2.1 A/AA violation(s) on “{page_name}” ({path}):"]
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:10]:
            detail = (node.get("any") or node.get("all") or node.get("none") or [{}])[0].get("message", "")
            lines.append(f"    {' '.join(map(str, node['target']))}  {detail}")
        if len(violation["nodes"]) > 10:
            lines.append(f"    … and {len(violation['nodes']) - 10} more")
    return "\n".join(lines)


@pytest.mark.parametrize("spec", PAGES, ids=[page.name.replace(" ", "-") for page in PAGES])
def test_the_page_has_no_wcag_violations(contexts, demo_site, spec):
    page = contexts[spec.who]
    path = demo_site.path(spec)
    response = page.goto(path)
    assert response.status == spec.status, f"{spec.name}: {path} answered {response.status}"
    found = unexcused(axe_violations(page), spec.name)
    assert not found, describe(found, spec.name, path)


def _any_product(path: str) -> str:
    return re.sub(r"/products/[A-Z0-9]+/", "/products/*/", path.split("?")[0])


def test_the_list_covers_every_link_of_the_members_sidebar(contexts, demo_site):
    """A section added to the sidebar fails here until `PAGES` checks it (for one product:
    every product's sections are the same pages)."""
    listed = {_any_product(demo_site.path(spec)) for spec in PAGES if spec.who == MEMBER}
    page = contexts[MEMBER]
    missing = set()
    for product in (demo_site.ids["product"], demo_site.ids["line"]):
        page.goto(f"/w/{demo_site.ids['ws']}/products/{product}/")
        links = page.locator("#sidebar a[href^='/']").evaluate_all("links => links.map(a => a.pathname)")
        assert len(links) > 10
        missing |= {_any_product(href) for href in links} - listed
    assert not missing, f"Sidebar links without an accessibility check in PAGES: {sorted(missing)}"


def test_exceptions_name_listed_pages_and_give_a_reason():
    names = {page.name for page in PAGES} | {"*"}
    for (name, rule), reason in EXCEPTIONS.items():
        assert name in names, f"EXCEPTIONS names an unknown page: {name}"
        assert rule and len(reason.split()) >= 5, f"Give the reason for waiving {rule} on {name}"


# --- zoom, motion, colour ----------------------------------------------------------------------

# Pages people use every day, looked at narrow: 320 CSS px is a 1280 px window at 400 % zoom
# (WCAG 1.4.10), so it covers 200 % zoom of any window 640 px wide or more.
NARROW_PAGES = ["portfolio", "product overview", "strategy", "product goals", "releases", "backlog", "board",
                "roadmap timeline", "now next later", "release timeline", "portfolio timeline", "release",
                "feature", "goal", "members", "sign in", "shared timeline", "shared now next later", "my work", "inbox"]
BY_NAME = {page.name: page for page in PAGES}


@pytest.fixture(scope="module")
def narrow(contexts):
    """A second tab of each person's context, 320 CSS px wide: {MEMBER, VIEWER, VISITOR: Page}."""
    pages = {}
    for who, page in contexts.items():
        pages[who] = page.context.new_page()
        pages[who].set_viewport_size({"width": 320, "height": 800})
    return pages


@pytest.mark.parametrize("name", NARROW_PAGES, ids=[name.replace(" ", "-") for name in NARROW_PAGES])
def test_the_page_fits_320_css_pixels_without_scrolling_sideways(narrow, demo_site, name):
    """The page itself never scrolls sideways; a timeline or a wide table scrolls in its own frame."""
    spec = BY_NAME[name]
    page = narrow[spec.who]
    page.goto(demo_site.path(spec))
    widths = page.evaluate("[document.scrollingElement.scrollWidth, document.scrollingElement.clientWidth]")
    wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
        .filter(el => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1
                      && !el.closest('.table-wrap, .rt__scroll, .kboard, .sr-only'))
        .slice(0, 5).map(el => el.tagName.toLowerCase() + '.' + [...el.classList].join('.'))""")
    assert widths[0] <= widths[1], f"{name} scrolls sideways at 320 px: {widths[0]} > {widths[1]}; too wide: {wide}"


MOVING_PAGES = ["board", "roadmap timeline", "goal"]


def _moving(page) -> list[str]:
    """Elements with a transition or animation longer than 10 ms."""
    return page.evaluate("""() => {
        const seconds = text => Math.max(...text.split(',').map(
            part => parseFloat(part) * (part.trim().endsWith('ms') ? 0.001 : 1)));
        return [...document.querySelectorAll('*')].filter(el => {
            const style = getComputedStyle(el);
            return seconds(style.transitionDuration) > 0.01
                || (style.animationName !== 'none' && seconds(style.animationDuration) > 0.01);
        }).slice(0, 5).map(el => el.tagName.toLowerCase() + '.' + [...el.classList].join('.'));
    }""")


@pytest.mark.parametrize("name", MOVING_PAGES, ids=[name.replace(" ", "-") for name in MOVING_PAGES])
def test_nothing_moves_when_reduced_motion_is_asked_for(contexts, demo_site, name):
    page = contexts[MEMBER].context.new_page()
    try:
        page.goto(demo_site.path(BY_NAME[name]))
        assert _moving(page), "the page has no transition at all, so this test would prove nothing"
        page.emulate_media(reduced_motion="reduce")
        still_moving = _moving(page)
    finally:
        page.close()
    assert not still_moving, f"{name} still animates with reduced motion: {still_moving}"


@pytest.mark.parametrize("name", ["board", "roadmap timeline", "portfolio timeline", "workspace goals"])
def test_status_and_conflicts_read_in_greyscale_at_200_percent(contexts, demo_site, name):
    """Screenshots in greyscale, at 100 % and 200 % zoom (a 1280 px window at 200 % lays out
    640 CSS px wide), for a person to look at (test-artifacts/a11y-*.png); the page's statuses
    and conflicts also say so in words."""
    page = contexts[MEMBER].context.new_page()
    try:
        page.goto(demo_site.path(BY_NAME[name]))
        # Set through the CSSOM: the Content-Security-Policy refuses an injected <style>.
        page.evaluate("document.documentElement.style.filter = 'grayscale(1)'")
        ARTIFACTS.mkdir(exist_ok=True)
        slug = name.replace(" ", "-")
        page.screenshot(path=str(ARTIFACTS / f"a11y-{slug}-greyscale.png"), full_page=True)
        page.set_viewport_size({"width": 640, "height": 450})
        page.screenshot(path=str(ARTIFACTS / f"a11y-{slug}-greyscale-200.png"), full_page=True)
        colour_only = page.evaluate(COLOUR_ONLY)
    finally:
        page.close()
    assert not colour_only, f"{name}: signals carried by colour alone: {colour_only}"


# Status badges, conflict marks and goal health: each must carry words (its text, or its
# accessible name for an icon) besides its colour.
COLOUR_ONLY = """() => [...document.querySelectorAll(
        '.badge--dot, [class*="badge--status"], .flag, .rt-bar--conflict, .health, [class*="--conflict"]')]
    .filter(el => !el.closest('[aria-hidden="true"]'))
    .filter(el => !(el.textContent.trim() || el.getAttribute('aria-label') || el.getAttribute('title')
                    || el.closest('a[aria-label], [role="img"][aria-label]')))
    .slice(0, 5).map(el => el.tagName.toLowerCase() + '.' + [...el.classList].join('.'))"""


# --- timelines without a mouse or without the drawing ------------------------------------------

BAR_NAME = re.compile(r"^(Feature|Release) .+, [a-z' ]+, (\d+ \w+ \d{4}|no start date) – (\d+ \w+ \d{4}|no end date)")


@pytest.mark.parametrize("name", ["roadmap timeline", "shared timeline", "portfolio timeline"])
def test_timeline_bars_take_the_focus_and_say_title_status_and_dates(contexts, demo_site, name):
    """From one bar, Tab goes to the next; each says what it is (links on a member's page,
    focusable images on a share link)."""
    spec = BY_NAME[name]
    page = contexts[spec.who]
    page.goto(demo_site.path(spec))
    page.locator(".rt-body a.rt-link, .rt-body [tabindex='0']").first.focus()
    names = [page.evaluate("document.activeElement.getAttribute('aria-label') || ''")]
    for _ in range(2):
        page.keyboard.press("Tab")
        names.append(page.evaluate("document.activeElement.getAttribute('aria-label') || ''"))
    assert all(BAR_NAME.match(label) for label in names), names
    assert len(set(names)) == 3


def test_the_timeline_table_opens_from_the_keyboard_and_always_prints(contexts, demo_site):
    page = contexts[MEMBER]
    page.goto(demo_site.path(BY_NAME["roadmap timeline"]))
    first_row = page.locator(".rt-table tbody tr").first
    assert not first_row.is_visible()

    page.emulate_media(media="print")
    try:
        assert first_row.is_visible(), "the closed table must print"
    finally:
        page.emulate_media(media="screen")

    page.locator(".rt-table > summary").focus()
    page.keyboard.press("Enter")
    assert first_row.is_visible()
    rows = page.locator(".rt-table tbody tr").count()
    bars = page.locator(".rt-body a.rt-link").count()
    assert rows == bars > 0
