"""The Content-Security-Policy in a real browser: share pages and the main pages of the app,
signed in as a member, raise no `securitypolicyviolation` and log no CSP error. A page that
breaks the policy (an inline script, an inline handler, htmx's injected style) fails here."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from releases import services as release_services
from releases.models import WorkflowStatus
from roadmap import services as roadmap_services
from strategy import services
from strategy.models import Product, User

from .conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

LISTEN = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  const where = `${e.sourceFile}:${e.lineNumber}`;
  window.__violations.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} at ${where}`);
});
"""


@pytest.fixture
def plan():
    pm = User.objects.create_user("pm@example.com", "a-long-passphrase", full_name="Pat Manager")
    workspace = services.workspace_create(actor=pm, name="Initech")
    line = services.product_create(actor=pm, workspace=workspace, name="Consumer", key="CON",
                                   kind=Product.Kind.LINE)
    product = services.product_create(actor=pm, workspace=workspace, name="Mobile App", key="MOB", parent=line)
    today = timezone.localdate()
    release = release_services.release_create(actor=pm, product=product, name="Summer", version_label="1.1",
                                               start_date=today - timedelta(days=20),
                                               release_date=today + timedelta(days=25), status="in_progress")
    doing = WorkflowStatus.objects.get(workspace=workspace, name="In development")
    feature = release_services.feature_create(actor=pm, product=product, title="One-tap pay", release=release,
                                              status=doing, estimate=Decimal(3), start_date=today,
                                              end_date=today + timedelta(days=10))
    release_services.feature_create(actor=pm, product=product, title="Wish lists")
    return pm, line, product, release, feature


def watch(page):
    """Collect CSP violations (event and console) and failed requests of `page`."""
    problems = []
    page.add_init_script(LISTEN)
    page.on("console", lambda m: problems.append(m.text)
            if m.type == "error" and ("Content Security Policy" in m.text or "Permissions-Policy" in m.text)
            else None)
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    return problems


def visit(page, problems, url):
    page.goto(url)
    page.wait_for_load_state("networkidle")
    return problems + page.evaluate("window.__violations")


def test_share_pages_raise_no_policy_violation(browser, live_server, plan):
    pm, line, product, _release, _feature = plan
    links = [roadmap_services.share_link_create(actor=pm, product=product, view=view)[1]
             for view in ("timeline", "now_next_later", "release_timeline")]
    links.append(roadmap_services.share_link_create(actor=pm, product=line, view="portfolio")[1])
    locked = roadmap_services.share_link_create(actor=pm, product=product, view="timeline", password="pw")[1]
    context = browser.new_context(base_url=live_server.url)
    try:
        page = context.new_page()
        problems = watch(page)
        for token in links:
            assert visit(page, problems, f"/s/{token}/") == [], token
        assert visit(page, problems, f"/s/{locked}/") == []
        page.get_by_label("Password").fill("pw")
        page.get_by_role("button", name="Open roadmap").click()
        page.wait_for_load_state("networkidle")
        assert problems + page.evaluate("window.__violations") == []
        # The not-found page too (its 404 is the page itself, not a problem).
        page.goto(f"/s/{'x' * 43}/")
        assert page.evaluate("window.__violations") == []
    finally:
        context.close()


def test_app_pages_raise_no_policy_violation_for_a_member(page, plan):
    _pm, line, product, release, feature = plan
    problems = watch(page)
    sign_in(page, "pm@example.com", "a-long-passphrase")
    ws, key = "initech", product.key
    urls = [
        reverse("strategy:portfolio", args=[ws]),
        reverse("strategy:product_detail", args=[ws, key]),
        reverse("strategy:strategy_overview", args=[ws, key]),
        reverse("roadmap:product_timeline", args=[ws, key]),
        reverse("roadmap:portfolio_timeline", args=[ws, line.key]),
        reverse("roadmap:now_next_later", args=[ws, key]),
        reverse("roadmap:release_timeline", args=[ws, key]),
        reverse("releases:backlog", args=[ws, key]),
        reverse("releases:board", args=[ws, key]),
        reverse("releases:release_detail", args=[ws, key, release.pk]),
        reverse("releases:feature_detail", args=[ws, key, feature.number]),
        reverse("roadmap:share_link_list", args=[ws, key]),
    ]
    for url in urls:
        assert visit(page, problems, url) == [], url
    # htmx at work: a filtered backlog swaps its results in without a violation.
    page.goto(reverse("releases:backlog", args=[ws, key]))
    with page.expect_response(lambda r: "q=pay" in r.url):
        page.locator("#backlog-q").fill("pay")
    page.wait_for_load_state("networkidle")
    assert page.locator("#backlog-results").get_by_text("Wish lists").count() == 0
    assert problems + page.evaluate("window.__violations") == []


def test_api_docs_render_under_the_policy(page, plan):
    problems = watch(page)
    sign_in(page, "pm@example.com", "a-long-passphrase")
    assert visit(page, problems, reverse("roadmap:api_docs")) == []
    assert page.get_by_text("Waymark API").first.is_visible()
