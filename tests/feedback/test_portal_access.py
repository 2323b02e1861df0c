"""Signing in to the public ideas portal by magic link, and the portal's rate limits, at the
service level (no HTTP): a link is emailed, signs in once, expires, and is refused when
tampered with, signed with another salt, or meant for another portal."""

import re

import pytest
from django.core import mail, signing
from django.core.exceptions import ValidationError

from feedback import throttle
from feedback.models import PortalUser
from feedback.services import portal_access
from feedback.services.portal_access import LinkRefused, Throttled
from tests.factories import ProductFactory

from . import portal_data

pytestmark = pytest.mark.django_db

LINK = re.compile(r"http://testserver/portal/acme/MOB/sign-in/(?P<token>[^/\s]+)/")


@pytest.fixture(autouse=True)
def fresh_limits():
    throttle.reset()
    yield
    throttle.reset()


@pytest.fixture
def portal(product):
    return portal_data.open_portal(product)


def request_link(product, email, django_capture_on_commit_callbacks, address="203.0.113.5", next_path=""):
    with django_capture_on_commit_callbacks(execute=True):
        portal_access.portal_link_request(product=product, email=email, address=address, next_path=next_path)
    return LINK.search(mail.outbox[-1].body).group("token")


def test_a_requested_link_arrives_by_email_and_signs_in_once(portal, product, django_capture_on_commit_callbacks):
    token = request_link(product, "  Fan@Example.COM ", django_capture_on_commit_callbacks)

    assert mail.outbox[-1].to == ["fan@example.com"]
    assert "Mobile App" in mail.outbox[-1].subject
    portal_user, next_path = portal_access.portal_link_redeem(token=token, product=product, name="Fran Fan")
    assert (portal_user.email, portal_user.product_id, portal_user.name) == ("fan@example.com", product.pk, "Fran Fan")
    assert portal_user.last_signed_in_at is not None
    assert next_path == ""

    with pytest.raises(LinkRefused) as refused:
        portal_access.portal_link_redeem(token=token, product=product)
    assert refused.value.code == "used"
    assert refused.value.email == "fan@example.com"
    assert PortalUser.objects.count() == 1


def test_checking_a_link_does_not_use_it_up(portal, product, django_capture_on_commit_callbacks):
    token = request_link(product, "fan@example.com", django_capture_on_commit_callbacks)

    claim = portal_access.portal_link_check(token=token, product=product)
    portal_access.portal_link_check(token=token, product=product)

    assert claim.email == "fan@example.com"
    assert not PortalUser.objects.exists()
    portal_access.portal_link_redeem(token=token, product=product)


def test_a_returning_portal_user_signs_in_again_with_a_new_link_and_older_links_die(
        portal, product, django_capture_on_commit_callbacks):
    first = request_link(product, "fan@example.com", django_capture_on_commit_callbacks)
    portal_access.portal_link_redeem(token=first, product=product)
    older = request_link(product, "fan@example.com", django_capture_on_commit_callbacks)
    newer = request_link(product, "fan@example.com", django_capture_on_commit_callbacks)

    again, _next = portal_access.portal_link_redeem(token=newer, product=product)

    assert again.pk == PortalUser.objects.get().pk
    with pytest.raises(LinkRefused) as refused:
        portal_access.portal_link_redeem(token=older, product=product)
    assert refused.value.code == "used"


def test_an_expired_link_is_refused_and_says_for_whom(portal, product, monkeypatch):
    issued_at = signing.time.time() - portal_access.LINK_MAX_AGE.total_seconds() - 60
    monkeypatch.setattr(signing.time, "time", lambda: issued_at)
    token = portal_access.portal_link_token(product=product, email="fan@example.com")
    monkeypatch.undo()

    with pytest.raises(LinkRefused) as refused:
        portal_access.portal_link_redeem(token=token, product=product)

    assert refused.value.code == "expired"
    assert refused.value.email == "fan@example.com"
    assert not PortalUser.objects.exists()


def test_a_link_just_within_its_age_still_works(portal, product, monkeypatch):
    issued_at = signing.time.time() - portal_access.LINK_MAX_AGE.total_seconds() + 60
    monkeypatch.setattr(signing.time, "time", lambda: issued_at)
    token = portal_access.portal_link_token(product=product, email="fan@example.com")
    monkeypatch.undo()

    portal_user, _next = portal_access.portal_link_redeem(token=token, product=product)

    assert portal_user.email == "fan@example.com"


@pytest.mark.parametrize("tamper", [
    lambda token: token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb"),  # the signature
    lambda token: "x" + token[1:],  # the payload
    lambda token: "",
    lambda token: "not-a-token",
])
def test_a_tampered_link_is_refused(portal, product, tamper):
    token = portal_access.portal_link_token(product=product, email="fan@example.com")

    with pytest.raises(LinkRefused) as refused:
        portal_access.portal_link_redeem(token=tamper(token), product=product)

    assert refused.value.code == "invalid"
    assert not PortalUser.objects.exists()


def test_a_token_signed_with_another_salt_is_refused(portal, product):
    # The same payload signed for another purpose (say, an unsubscribe link) opens nothing here.
    payload = {"p": product.pk, "e": "fan@example.com", "s": "", "n": ""}
    for salt in ("feedback.unsubscribe", "strategy.invitation", ""):
        with pytest.raises(LinkRefused) as refused:
            portal_access.portal_link_redeem(token=signing.dumps(payload, salt=salt, compress=True), product=product)
        assert refused.value.code == "invalid"


def test_a_link_for_one_portal_does_not_open_another(portal, product, workspace):
    other = ProductFactory(workspace=workspace, name="Web App", key="WEB")
    portal_data.open_portal(other)
    token = portal_access.portal_link_token(product=product, email="fan@example.com")

    with pytest.raises(LinkRefused) as refused:
        portal_access.portal_link_redeem(token=token, product=other)

    assert refused.value.code == "invalid"


def test_no_link_is_sent_or_redeemed_while_the_portal_is_closed(portal, product, django_capture_on_commit_callbacks):
    token = portal_access.portal_link_token(product=product, email="fan@example.com")
    portal.enabled = False
    portal.save()

    with pytest.raises(ValidationError), django_capture_on_commit_callbacks(execute=True):
        portal_access.portal_link_request(product=product, email="fan@example.com", address="203.0.113.5")
    with pytest.raises(LinkRefused) as refused:
        portal_access.portal_link_redeem(token=token, product=product)

    assert refused.value.code == "closed"
    assert mail.outbox == []


def test_a_malformed_address_gets_no_link(portal, product, django_capture_on_commit_callbacks):
    for email in ("", "fan", "fan@", "a" * 250 + "@example.com"):
        with pytest.raises(ValidationError) as refused, django_capture_on_commit_callbacks(execute=True):
            portal_access.portal_link_request(product=product, email=email, address="203.0.113.5")
        assert "email" in refused.value.message_dict
    assert mail.outbox == []


def test_signing_in_ties_the_portal_user_to_the_contact_with_their_address(
        portal, product, workspace, django_capture_on_commit_callbacks):
    contact = portal_data.contact(portal_data.customer(workspace), email="buyer@client.example")
    token = request_link(product, "Buyer@Client.example", django_capture_on_commit_callbacks)

    portal_user, _next = portal_access.portal_link_redeem(token=token, product=product)

    assert portal_user.contact == contact


def test_the_link_keeps_only_a_page_of_its_own_portal_to_go_to(portal, product, django_capture_on_commit_callbacks):
    own = request_link(product, "fan@example.com", django_capture_on_commit_callbacks,
                       next_path="/portal/acme/MOB/ideas/new/")
    _user, next_path = portal_access.portal_link_redeem(token=own, product=product)
    assert next_path == "/portal/acme/MOB/ideas/new/"

    for elsewhere in ("https://evil.example/", "//evil.example/portal/acme/MOB/", "/w/acme/"):
        token = request_link(product, f"fan{len(elsewhere)}@example.com", django_capture_on_commit_callbacks,
                             next_path=elsewhere)
        assert portal_access.portal_link_redeem(token=token, product=product)[1] == ""


# --- limits ----------------------------------------------------------------------------------


def test_sign_in_links_are_limited_per_email_whatever_the_address(portal, product, django_capture_on_commit_callbacks):
    allowed = throttle.LINK_PER_EMAIL.count
    for n in range(allowed):
        request_link(product, "fan@example.com", django_capture_on_commit_callbacks, address=f"203.0.113.{n}")

    with pytest.raises(Throttled) as refused, django_capture_on_commit_callbacks(execute=True):
        portal_access.portal_link_request(product=product, email="FAN@example.com", address="198.51.100.1")

    assert 0 < refused.value.retry_after <= throttle.LINK_PER_EMAIL.window
    assert "Try again in" in refused.value.message
    assert len(mail.outbox) == allowed


def test_sign_in_links_are_limited_per_address_whatever_the_email(portal, product, django_capture_on_commit_callbacks):
    allowed = throttle.LINK_PER_ADDRESS.count
    for n in range(allowed):
        request_link(product, f"fan{n}@example.com", django_capture_on_commit_callbacks, address="2001:db8::1")

    # The same /64 is the same subscriber.
    with pytest.raises(Throttled), django_capture_on_commit_callbacks(execute=True):
        portal_access.portal_link_request(product=product, email="new@example.com", address="2001:db8::ffff")

    assert len(mail.outbox) == allowed
    request_link(product, "new@example.com", django_capture_on_commit_callbacks, address="2001:db8:1::1")
    assert len(mail.outbox) == allowed + 1


def test_a_refused_attempt_does_not_count(portal, product, django_capture_on_commit_callbacks):
    limit = throttle.Limit(count=2, window=60)
    buckets = [("ip:x", limit), ("email:y", throttle.Limit(count=1, window=60))]
    assert throttle.admit("test", buckets).allowed
    assert not throttle.admit("test", buckets).allowed
    # The address bucket counted only the admitted attempt: another email still gets in once.
    assert throttle.admit("test", [("ip:x", limit), ("email:z", throttle.Limit(count=1, window=60))]).allowed


def test_ideas_and_comments_are_limited_per_portal_user_and_per_address(portal, product):
    fan = portal_data.portal_user(product)
    for n in range(throttle.IDEA_PER_EMAIL.count):
        portal_access.portal_idea_admit(portal_user=fan, address=f"203.0.113.{n}")
    with pytest.raises(Throttled):
        portal_access.portal_idea_admit(portal_user=fan, address="198.51.100.7")

    crowd = [portal_data.portal_user(product, email=f"person{n}@outside.example")
             for n in range(throttle.COMMENT_PER_ADDRESS.count // throttle.COMMENT_PER_EMAIL.count + 1)]
    admitted = 0
    with pytest.raises(Throttled):
        for person in crowd:
            for _ in range(throttle.COMMENT_PER_EMAIL.count):
                portal_access.portal_comment_admit(portal_user=person, address="192.0.2.1")
                admitted += 1
    assert admitted == throttle.COMMENT_PER_ADDRESS.count



@pytest.mark.django_db(transaction=True)
def test_a_link_redeemed_twice_at_the_same_moment_signs_in_once(product):
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    portal_data.open_portal(product)
    token = portal_access.portal_link_token(product=product, email="fan@example.com")
    start = threading.Barrier(2)

    def redeem(_):
        start.wait()
        try:
            return portal_access.portal_link_redeem(token=token, product=product)[0].pk
        except LinkRefused as refused:
            return refused.code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = list(pool.map(redeem, range(2)))

    assert sorted(outcomes, key=str) == sorted([PortalUser.objects.get().pk, "used"], key=str)
