"""Share links: tokens stored only as digests, who may create and revoke, the one view a link
grants (never more, whatever the URL says), passwords, expiry, the generic 404, view counts,
no internal fields on the public page, and a flat query count."""

import hashlib
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from releases import services as release_services
from releases.models import Feature
from roadmap import services, throttle
from roadmap.models import ShareLink
from strategy.models import Product, Role
from tests.conftest import count_queries
from tests.factories import MembershipFactory, ProductFactory

pytestmark = pytest.mark.django_db

NNL = ShareLink.View.NOW_NEXT_LATER


def days(n):
    return timezone.localdate() + timedelta(days=n)


@pytest.fixture
def plan(editor, workspace, product, workflow):
    """A current release of MOB with a feature full of internal fields."""
    engineer = MembershipFactory(workspace=workspace, role=Role.EDITOR, user__full_name="Grace Hopper",
                                 user__email="grace.secret@acme.test").user
    current = release_services.release_create(actor=editor, product=product, name="Summer", version_label="1.1",
                                               start_date=days(-30), release_date=days(20), status="in_progress")
    feature = release_services.feature_create(
        actor=editor, product=product, title="Tap to pay", status=workflow["In development"], release=current,
        assignee=engineer, estimate=Decimal("5"), description="SECRET-DESC lives here")
    release_services.requirement_create(actor=editor, feature=feature, text="SECRET-REQUIREMENT text")
    release_services.comment_create(actor=editor, feature=feature, body="SECRET-COMMENT from the team")
    release_services.feature_create(actor=editor, product=product, title="Loyalty tiers",
                                    status=workflow["Planned"], start_date=days(30), end_date=days(60))
    return {"current": current, "feature": feature, "engineer": engineer}


@pytest.fixture(autouse=True)
def clear_share_throttle():
    """Every test starts with no password attempts counted, and leaves none behind."""
    client = cache._cache.get_client(write=True)
    pattern = cache.make_key(f"{throttle.KEY_PREFIX}:*")

    def clear():
        for key in client.scan_iter(match=pattern):
            client.delete(key)

    clear()
    yield
    clear()


def make(editor, product, view=NNL, **kwargs):
    return services.share_link_create(actor=editor, product=product, view=view, **kwargs)


def shared(client, token, **query):
    return client.get(reverse("roadmap:shared_view", args=[token]), query)


SECRETS = ("SECRET-DESC", "SECRET-REQUIREMENT", "SECRET-COMMENT", "grace.secret", "Grace Hopper", ">GH<")


# --- tokens ---------------------------------------------------------------------------


def test_token_is_long_random_and_only_its_digest_is_stored(editor, product):
    link, token = make(editor, product)
    other_link, other = make(editor, product)
    assert len(token) >= 43 and token != other
    link.refresh_from_db()
    assert link.token_digest == hashlib.sha256(token.encode()).hexdigest()
    assert link.token_prefix == token[:6]
    with connection.cursor() as cursor:
        cursor.execute("SELECT row_to_json(l)::text FROM roadmap_sharelink l")
        dumped = " ".join(row[0] for row in cursor.fetchall())
    assert token not in dumped and other not in dumped
    assert services.resolve(token) == link


# --- who may create ---------------------------------------------------------------------


def test_viewer_cannot_create_or_revoke_share_links(viewer, editor, product):
    with pytest.raises(PermissionDenied):
        make(viewer, product)
    link, _token = make(editor, product)
    with pytest.raises(PermissionDenied):
        services.share_link_revoke(actor=viewer, link=link)


def test_admin_and_editor_can_create_share_links(admin, editor, product):
    assert make(admin, product)[0].created_by == admin
    assert make(editor, product)[0].created_by == editor


def test_viewer_sees_the_list_read_only_and_cannot_post(client_as_viewer, editor, product):
    make(editor, product)
    url = reverse("roadmap:share_link_list", args=["acme", product.key])
    response = client_as_viewer.get(url)
    assert response.status_code == 200
    assert b"New share link" not in response.content and b"Revoke" not in response.content
    assert client_as_viewer.post(url, {"view": NNL}).status_code == 403
    assert ShareLink.objects.count() == 1


def test_viewer_gets_403_on_revoke(client_as_viewer, editor, product):
    link, _token = make(editor, product)
    url = reverse("roadmap:share_link_revoke", args=["acme", product.key, link.pk])
    assert client_as_viewer.post(url).status_code == 403


def test_other_workspace_cannot_see_the_list(client, other_workspace, product):
    boss = other_workspace.memberships.first().user
    client.force_login(boss)
    assert client.get(reverse("roadmap:share_link_list", args=["acme", product.key])).status_code == 404


def test_portfolio_view_only_for_product_lines(editor, workspace, product):
    with pytest.raises(ValidationError) as caught:
        make(editor, product, view=ShareLink.View.PORTFOLIO)
    assert "view" in caught.value.message_dict
    line = ProductFactory(workspace=workspace, name="Northwind", key="NWC", kind=Product.Kind.LINE)
    assert make(editor, line, view=ShareLink.View.PORTFOLIO)[0].view == "portfolio"


def test_unknown_view_is_refused(editor, product):
    with pytest.raises(ValidationError):
        make(editor, product, view="backlog")


def test_past_expiry_is_refused(editor, product):
    with pytest.raises(ValidationError) as caught:
        make(editor, product, expires_at=timezone.now() - timedelta(minutes=1))
    assert "expires_at" in caught.value.message_dict


def test_params_are_sanitised_to_the_views_known_keys(editor, product):
    link, _token = make(editor, product, view=ShareLink.View.TIMELINE,
                        params={"zoom": "weeks", "group": "initiative", "evil": "x", "status": ["1", "2"]})
    assert link.params == {"zoom": "weeks", "group": "initiative", "status": ["1", "2"]}
    assignee, _token = make(editor, product, view=ShareLink.View.TIMELINE, params={"group": "assignee"})
    assert assignee.params == {}
    assert make(editor, product, params={"zoom": "weeks"})[0].params == {}


# --- the public page ------------------------------------------------------------------------


@pytest.mark.parametrize("view", [NNL, ShareLink.View.RELEASE_TIMELINE, ShareLink.View.TIMELINE])
def test_shared_page_renders_anonymously_with_noindex_and_no_store(client, editor, product, plan, view):
    _link, token = make(editor, product, view=view)
    response = shared(client, token)
    html = response.content.decode()
    assert response.status_code == 200
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "no-referrer"
    assert "Mobile App — Roadmap" in html and "as of" in html and "<time" in html
    assert "Tap to pay" in html


@pytest.mark.parametrize("view", [NNL, ShareLink.View.RELEASE_TIMELINE, ShareLink.View.TIMELINE])
def test_shared_page_shows_no_internal_fields_links_or_controls(client, editor, product, plan, view):
    _link, token = make(editor, product, view=view)
    html = shared(client, token).content.decode()
    for secret in SECRETS:
        assert secret not in html, secret
    assert 'href="/w/' not in html and "/w/acme" not in html
    assert "csrfmiddlewaretoken" not in html and "X-CSRFToken" not in html
    # The one form is the reader's "what changed since" date, a GET back to this same page.
    assert "data-feature-url" not in html and 'method="post"' not in html
    assert html.count("<form") == 1 and 'class="rt-since" method="get"' in html
    assert 'class="avatar' not in html


def test_portfolio_link_renders_the_lines_products_without_links(client, editor, workspace, product, plan):
    line = ProductFactory(workspace=workspace, name="Northwind", key="NWC", kind=Product.Kind.LINE)
    product.parent = line
    product.save(update_fields=["parent"])
    _link, token = make(editor, line, view=ShareLink.View.PORTFOLIO, params={"zoom": "quarters"})
    html = shared(client, token).content.decode()
    assert "Northwind — Roadmap" in html and "Mobile App" in html and "Summer" in html
    assert 'href="/w/' not in html


def test_unknown_revoked_expired_and_tampered_tokens_all_answer_the_same_404(client, editor, product, plan):
    revoked, revoked_token = make(editor, product)
    services.share_link_revoke(actor=editor, link=revoked)
    expired, expired_token = make(editor, product, expires_at=timezone.now() + timedelta(hours=1))
    ShareLink.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    _live, live_token = make(editor, product)
    tampered = live_token[:-1] + ("A" if live_token[-1] != "A" else "B")
    bodies = set()
    for token in (revoked_token, expired_token, tampered, "x" * 43, "short", live_token.upper()):
        response = shared(client, token)
        assert response.status_code == 404, token
        assert response["X-Robots-Tag"] == "noindex, nofollow"
        bodies.add(response.content)
    assert len(bodies) == 1
    assert b"Tap to pay" not in bodies.pop()
    assert shared(client, live_token).status_code == 200


def test_revoke_page_revokes_and_the_link_stops_opening(client_as_editor, editor, product, plan):
    link, token = make(editor, product)
    response = client_as_editor.post(reverse("roadmap:share_link_revoke", args=["acme", product.key, link.pk]))
    assert response.status_code == 302
    link.refresh_from_db()
    assert link.revoked_at is not None
    client_as_editor.logout()
    assert shared(client_as_editor, token).status_code == 404


def test_password_flow(client, editor, product, plan):
    link, token = make(editor, product, password="open sesame")
    other, other_token = make(editor, product, password="another one")
    url = reverse("roadmap:shared_view", args=[token])
    first = client.get(url)
    assert first.status_code == 200 and b'type="password"' in first.content and b"Tap to pay" not in first.content
    assert first["X-Robots-Tag"] == "noindex, nofollow"
    wrong = client.post(url, {"password": "nope"})
    assert b"That password is not right." in wrong.content and b"Tap to pay" not in wrong.content
    right = client.post(url, {"password": "open sesame"})
    assert right.status_code == 302
    assert b"Tap to pay" in client.get(url).content
    # the other link of the same product still asks
    again = client.get(reverse("roadmap:shared_view", args=[other_token]))
    assert b'type="password"' in again.content and b"Tap to pay" not in again.content
    link.refresh_from_db()
    assert link.password_hash and "open sesame" not in link.password_hash
    assert link.view_count == 1


def unlock(link, password, address="203.0.113.7"):
    """The service's answer as a word: "open", "wrong" or the refusal message."""
    try:
        services.share_link_unlock(link=link, password=password, address=address)
    except ValidationError as exc:
        message = exc.message_dict["password"][0]
        return "wrong" if message == "That password is not right." else message
    return "open"


def test_forty_parallel_guesses_from_one_address_get_exactly_the_limit_checked(editor, product):
    link, _token = make(editor, product, password="open sesame")
    start = threading.Barrier(40)

    def guess(i):
        start.wait()
        return unlock(link, f"guess {i}")

    with ThreadPoolExecutor(max_workers=40) as pool:
        answers = list(pool.map(guess, range(40)))

    assert answers.count("wrong") == throttle.ADDRESS_ATTEMPTS
    assert sum("Too many wrong passwords" in a for a in answers) == 40 - throttle.ADDRESS_ATTEMPTS


def test_an_address_out_of_tries_waits_and_each_further_lockout_doubles(editor, product):
    link, _token = make(editor, product, password="open sesame")
    for _ in range(throttle.ADDRESS_ATTEMPTS):
        assert unlock(link, "guess") == "wrong"
    assert unlock(link, "open sesame") == "Too many wrong passwords. Try again in 15 minutes."

    tries_key = throttle._keys(link.pk, "203.0.113.7")[0]
    cache._cache.get_client(write=True).delete(tries_key)  # the 15 minutes have passed
    for _ in range(throttle.ADDRESS_ATTEMPTS):
        assert unlock(link, "guess") == "wrong"
    assert unlock(link, "open sesame") == "Too many wrong passwords. Try again in 30 minutes."


def test_a_stranger_out_of_tries_does_not_lock_out_anyone_else(editor, product):
    link, _token = make(editor, product, password="open sesame")
    for _ in range(throttle.ADDRESS_ATTEMPTS + 5):
        unlock(link, "guess", address="198.51.100.66")
    assert unlock(link, "open sesame", address="203.0.113.7") == "open"


def test_guesses_from_one_ipv6_block_count_together(editor, product):
    link, _token = make(editor, product, password="open sesame")
    for i in range(throttle.ADDRESS_ATTEMPTS):
        assert unlock(link, "guess", address=f"2001:db8:1:2::{i + 1:x}") == "wrong"
    assert "Too many" in unlock(link, "open sesame", address="2001:db8:1:2::ffff")
    assert unlock(link, "open sesame", address="2001:db8:1:3::1") == "open"


def test_many_addresses_slow_the_link_down_without_locking_the_right_password_out(editor, product):
    link, _token = make(editor, product, password="open sesame")
    for i in range(throttle.LINK_SLOWDOWN_AFTER):
        assert unlock(link, "guess", address=f"198.51.100.{i + 1}") == "wrong"

    # Under the slow-down each address gets one try per interval, however few it used...
    assert unlock(link, "guess", address="192.0.2.10") == "wrong"
    refused = unlock(link, "open sesame", address="192.0.2.10")
    assert "each address may try only now and then. Try again in 1 minute." in refused
    # ...but whoever holds the password opens the link at the first try from their address.
    assert unlock(link, "open sesame", address="192.0.2.11") == "open"


def test_the_slow_down_interval_doubles_as_wrong_guesses_go_on(editor, product):
    link, _token = make(editor, product, password="open sesame")
    guesses = throttle.LINK_SLOWDOWN_AFTER + throttle.LINK_SLOWDOWN_STEP
    for i in range(guesses):
        assert unlock(link, "guess", address=f"10.0.{i // 200}.{i % 200 + 1}") == "wrong"
    assert unlock(link, "guess", address="192.0.2.10") == "wrong"
    assert "Try again in 2 minutes." in unlock(link, "open sesame", address="192.0.2.10")


def test_right_passwords_count_against_no_limit(editor, product):
    """An office behind one address opens the link together."""
    link, _token = make(editor, product, password="open sesame")
    for _ in range(throttle.LINK_SLOWDOWN_AFTER + 10):
        assert unlock(link, "open sesame") == "open"
    assert unlock(link, "guess") == "wrong"


def test_password_attempts_through_the_page_are_throttled(client, editor, product, plan):
    link, token = make(editor, product, password="open sesame")
    url = reverse("roadmap:shared_view", args=[token])
    for _ in range(throttle.ADDRESS_ATTEMPTS):
        assert b"That password is not right." in client.post(url, {"password": "guess"}).content
    refused = client.post(url, {"password": "open sesame"})
    assert b"Too many wrong passwords" in refused.content
    assert b"Tap to pay" not in client.get(url).content


def test_password_page_sends_only_its_origin_as_referrer_and_the_roadmap_none(client, editor, product, plan):
    _link, token = make(editor, product, password="open sesame")
    url = reverse("roadmap:shared_view", args=[token])
    locked = client.get(url)
    assert locked["Referrer-Policy"] == "strict-origin"
    assert b'<meta name="referrer" content="strict-origin">' in locked.content
    client.post(url, {"password": "open sesame"})
    opened = client.get(url)
    assert b"Tap to pay" in opened.content
    assert opened["Referrer-Policy"] == "no-referrer"
    assert b'<meta name="referrer" content="no-referrer">' in opened.content


@pytest.mark.parametrize(("origin", "opens"), [("http://testserver", True), ("null", False),
                                               ("https://evil.example", False)])
def test_password_form_accepts_its_own_origin_and_refuses_others(editor, product, plan, origin, opens):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    _link, token = make(editor, product, password="open sesame")
    url = reverse("roadmap:shared_view", args=[token])
    page = browser.get(url)
    csrf = page.cookies["csrftoken"].value
    response = browser.post(url, {"password": "open sesame", "csrfmiddlewaretoken": csrf}, HTTP_ORIGIN=origin)
    assert (response.status_code == 302) is opens
    assert (response.status_code == 403) is not opens


def test_without_redis_password_attempts_are_refused_rather_than_unthrottled(client, editor, product, plan,
                                                                            settings):
    link, token = make(editor, product, password="open sesame")
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": "redis://127.0.0.1:1/0"}}

    response = client.post(reverse("roadmap:shared_view", args=[token]), {"password": "open sesame"})

    assert b"Passwords cannot be checked right now" in response.content
    assert b"Tap to pay" not in client.get(reverse("roadmap:shared_view", args=[token])).content


def test_view_count_and_last_view_are_recorded(client, editor, product, plan):
    link, token = make(editor, product)
    assert link.view_count == 0 and link.last_viewed_at is None
    shared(client, token)
    shared(client, token)
    link.refresh_from_db()
    assert link.view_count == 2 and link.last_viewed_at is not None


def test_query_params_in_the_url_change_nothing(client, editor, product, workspace, plan, workflow):
    other = ProductFactory(workspace=workspace, name="Payments", key="PAY")
    release_services.feature_create(actor=editor, product=other, title="OTHER-PRODUCT feature",
                                    status=workflow["Planned"])
    _link, token = make(editor, product, view=ShareLink.View.TIMELINE, params={"zoom": "quarters"})
    plain = shared(client, token).content
    for query in ({"zoom": "weeks"}, {"group": "assignee"}, {"product": "PAY"}, {"key": "PAY"},
                  {"view": "now_next_later"}, {"format": "csv"}, {"status": "999"}):
        response = shared(client, token, **query)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/html")
        body = response.content
        assert b"OTHER-PRODUCT" not in body and b"Grace" not in body
        assert _strip_time(body) == _strip_time(plain), query


def _strip_time(body: bytes) -> bytes:
    import re

    return re.sub(rb"<time[^>]*>.*?</time>", b"", body)


def test_a_token_opens_nothing_but_its_own_page(client, editor, product, plan):
    _link, token = make(editor, product)
    for path in (f"/s/{token}/timeline/", f"/s/{token}/../w/acme/", f"/w/acme/products/MOB/roadmap/?t={token}"):
        response = client.get(path)
        assert response.status_code in (302, 404), path
        assert b"Tap to pay" not in response.content


def test_the_api_never_accepts_a_share_token(client, editor, product, plan):
    _link, token = make(editor, product)
    for scheme in ("Bearer", "Token"):
        response = client.get("/api/v1/w/acme/features/", HTTP_AUTHORIZATION=f"{scheme} {token}")
        assert response.status_code == 401, scheme


def test_list_page_shows_the_new_link_once(client_as_editor, editor, product, plan):
    url = reverse("roadmap:share_link_list", args=["acme", product.key])
    response = client_as_editor.post(url + "?view=timeline&zoom=weeks&group=initiative&evil=1",
                                     {"view": "timeline", "expires_on": days(7).isoformat(), "password": "pw"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    link = ShareLink.objects.get()
    assert link.params == {"zoom": "weeks", "group": "initiative"}
    assert link.has_password and link.expires_at.date() == days(7)
    page = response.content.decode()
    assert "http://testserver/s/" in page and link.token_prefix in page
    assert "Copy it now" in page
    again = client_as_editor.get(url).content.decode()
    assert "http://testserver/s/" not in again and f"{link.token_prefix}…" in again
    assert "Active" in again and "Yes" in again


def test_list_page_refuses_a_past_expiry_with_a_field_error(client_as_editor, product):
    url = reverse("roadmap:share_link_list", args=["acme", product.key])
    response = client_as_editor.post(url, {"view": NNL, "expires_on": days(-2).isoformat()})
    assert response.status_code == 400
    assert "Choose an expiry date in the future." in response.content.decode()
    assert not ShareLink.objects.exists()


# --- cost -------------------------------------------------------------------------------------


@pytest.mark.parametrize("view", [NNL, ShareLink.View.RELEASE_TIMELINE, ShareLink.View.TIMELINE])
def test_shared_page_query_count_is_flat(client, editor, product, plan, workflow, view):
    _link, token = make(editor, product, view=view)

    def add(n):
        last = Feature.objects.filter(product=product).order_by("-number").first()
        Feature.objects.bulk_create([
            Feature(workspace_id=product.workspace_id, product=product, number=last.number + i + 1,
                    title=f"Bulk {i}", status=workflow["Planned"], release=plan["current"],
                    rank=f"{last.rank}{i:04d}", assignee=plan["engineer"])
            for i in range(n)])

    add(8)
    few = count_queries(lambda: shared(client, token))
    add(190)
    many = count_queries(lambda: shared(client, token))
    assert many == few


# The hot pages' exact counts: a change that adds a query to them changes this number on purpose.
def test_the_shared_timeline_costs_exactly_its_pinned_queries(client, editor, product, plan,
                                                              django_assert_num_queries):
    _link, token = make(editor, product, view=ShareLink.View.TIMELINE)
    shared(client, token)
    Feature.objects.filter(product=product).order_by("-number").first().delete()  # a changed plan
    # Drawn afresh: the view cache's fingerprint, and the releases bring their milestones along.
    with django_assert_num_queries(5):
        assert shared(client, token).status_code == 200
    with django_assert_num_queries(3):  # an unchanged plan: from the view cache
        assert shared(client, token).status_code == 200


# --- small things: HEAD, estimates, headers -------------------------------------------------


def test_head_answers_like_get_without_counting_a_view(client, editor, product, plan):
    link, token = make(editor, product)
    response = client.head(reverse("roadmap:shared_view", args=[token]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    link.refresh_from_db()
    assert link.view_count == 0 and link.last_viewed_at is None


def test_shared_release_timeline_leaves_estimates_out_unless_the_link_shows_them(client, editor, product, plan):
    _hidden, hidden_token = make(editor, product, view=ShareLink.View.RELEASE_TIMELINE)
    _shown, shown_token = make(editor, product, view=ShareLink.View.RELEASE_TIMELINE, show_estimates=True)
    hidden = shared(client, hidden_token).content.decode()
    shown = shared(client, shown_token).content.decode()
    assert "Tap to pay" in hidden and "Tap to pay" in shown
    assert "Est.</th>" not in hidden and " pts" not in hidden and "Points" not in hidden
    assert "Est.</th>" in shown and "0/5 pts" in shown and "Points" in shown


def test_list_page_creates_a_link_that_shows_estimates_when_asked(client_as_editor, product):
    url = reverse("roadmap:share_link_list", args=["acme", product.key])
    client_as_editor.post(url, {"view": ShareLink.View.RELEASE_TIMELINE})
    client_as_editor.post(url, {"view": ShareLink.View.RELEASE_TIMELINE, "show_estimates": "on"})
    assert sorted(ShareLink.objects.values_list("show_estimates", flat=True)) == [False, True]


@pytest.mark.parametrize("password", ["", "open sesame"])
def test_shared_pages_carry_a_strict_content_security_policy(client, editor, product, plan, password):
    _link, token = make(editor, product, password=password)
    response = shared(client, token)
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy and "object-src 'none'" in policy
    assert "'unsafe-inline'" not in policy.split("style-src-attr")[0]
    assert "camera=()" in response["Permissions-Policy"]
    assert '<link rel="icon" href="/static/favicon.svg"' in response.content.decode()


def test_app_pages_carry_the_same_policy_and_favicon(client_as_viewer, product):
    response = client_as_viewer.get(reverse("roadmap:product_timeline", args=["acme", product.key]))
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "microphone=()" in response["Permissions-Policy"]
    assert '<link rel="icon" href="/static/favicon.svg"' in response.content.decode()


def test_favicon_ico_redirects_to_the_svg_icon_for_untemplated_pages(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 301
    assert response["Location"] == "/static/favicon.svg"


def test_an_expiry_outside_the_accepted_dates_is_refused_on_the_field(client_as_editor, product):
    url = reverse("roadmap:share_link_list", args=[product.workspace.slug, product.key])

    response = client_as_editor.post(url, {"view": "now_next_later", "expires_on": "9999-12-31"})

    assert response.status_code == 400
    assert "1900-01-01" in str(response.context["form"].errors["expires_on"])
    assert not ShareLink.objects.exists()
