"""Who gets into the public ideas portal, and how often: signing in by emailed magic link,
and the rate limits on what portal users send (the writes themselves are in `.portal`).

Invariants protected here:
- while a product's portal is closed no link is sent or redeemed for it;
- a magic link is signed with its own salt (`LINK_SALT`), names one product and one email,
  expires after `LINK_MAX_AGE`, and opens once: it carries the portal user's sign-in state
  (`last_signed_in_at`, empty before the first sign-in), which redeeming changes while it
  holds a lock on that address, so a used link, and every older one, no longer matches;
- sign-in links, ideas and comments are counted per address and per email before anything
  is sent or written (`feedback.throttle`); without Redis they are refused, never let through."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from redis.exceptions import RedisError

from strategy.background import queue_after_commit
from strategy.models import Product

from .. import tasks, throttle
from ..models import PortalSettings, PortalUser
from .portal import portal_is_open, portal_user_sign_in

LINK_SALT = "feedback.portal.magic-link"
LINK_MAX_AGE = timedelta(minutes=30)
EMAIL_MAX_LENGTH = 254


class Throttled(Exception):
    """Too many attempts from this address or for this email; try again in `retry_after` s.
    `unavailable` when nothing could be counted (Redis is away) rather than too much was."""

    def __init__(self, message: str, retry_after: int, *, unavailable: bool = False):
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after
        self.unavailable = unavailable


class LinkRefused(ValidationError):
    """A magic link that cannot sign anyone in. `code` says why ("invalid", "expired",
    "used", "closed"); `email` is the address it was for when the signature was good, so
    the page can offer a new link."""

    def __init__(self, message: str, *, code: str, email: str = ""):
        super().__init__(message, code=code)
        self.email = email


# --- limits ------------------------------------------------------------------------------


def _wait_text(seconds: int) -> str:
    if seconds < 60:
        return ngettext("%(n)d second", "%(n)d seconds", seconds) % {"n": seconds}
    minutes = -(-seconds // 60)
    return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}


def _admit(action: str, *, address: str | None, email: str, per_address: throttle.Limit,
           per_email: throttle.Limit, message: str) -> None:
    try:
        verdict = throttle.admit_person(action, address=address, email=email, per_address=per_address,
                                        per_email=per_email)
    except RedisError:
        raise Throttled(_("The portal cannot take this right now. Try again in a few minutes."), 60,
                        unavailable=True) from None
    if not verdict.allowed:
        raise Throttled(message % {"wait": _wait_text(verdict.retry_after)}, verdict.retry_after)


# --- magic links -------------------------------------------------------------------------


def _clean_email(email: str) -> str:
    email = (email or "").strip().lower()
    if not email:
        raise ValidationError({"email": _("Enter your email address.")})
    if len(email) > EMAIL_MAX_LENGTH:
        raise ValidationError({"email": _("That email address is too long.")})
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": _("Enter a valid email address.")}) from None
    return email


def _sign_in_state(portal_user: PortalUser | None) -> str:
    if portal_user is None or portal_user.last_signed_in_at is None:
        return ""
    return portal_user.last_signed_in_at.isoformat()


def _safe_next(product: Product, next_path: str) -> str:
    """`next_path` when it is a page of this product's portal, else ""."""
    home = reverse("portal:home", args=[product.workspace.slug, product.key])
    if not next_path or not next_path.startswith(home) or "//" in next_path or "/sign-in/" in next_path:
        return ""
    return next_path


def portal_link_token(*, product: Product, email: str, next_path: str = "") -> str:
    """A fresh magic-link token for `email` on the product's portal."""
    portal_user = PortalUser.objects.filter(product=product, email__iexact=email).first()
    payload = {"p": product.pk, "e": email, "s": _sign_in_state(portal_user), "n": _safe_next(product, next_path)}
    return signing.dumps(payload, salt=LINK_SALT, compress=True)


def portal_link_url(*, product: Product, token: str) -> str:
    return settings.SITE_URL + reverse("portal:sign_in_link", args=[product.workspace.slug, product.key, token])


def portal_link_request(*, product: Product, email: str, address: str | None, next_path: str = "") -> str:
    """Email a sign-in link for the product's portal to `email` (after commit, by Celery).
    Returns the normalised address. Raises ValidationError (a bad address, the portal is
    closed) or Throttled (too many links for this address or this email)."""
    email = _clean_email(email)
    if not portal_is_open(product):
        raise ValidationError(_("This portal is closed."))
    _admit("link", address=address, email=email, per_address=throttle.LINK_PER_ADDRESS,
           per_email=throttle.LINK_PER_EMAIL,
           message=_("Too many sign-in links were asked for. Try again in %(wait)s."))
    queue_after_commit(tasks.portal_link_email_send_task, product.pk, email, _safe_next(product, next_path))
    return email


def portal_link_email_send(*, product_id: int, email: str, next_path: str = "") -> None:
    """Build a fresh link and email it, if the portal is still open (it may have closed since
    the request was queued). Raises SMTP errors so the task can retry."""
    product = Product.objects.select_related("workspace").filter(pk=product_id).first()
    if product is None or not portal_is_open(product):
        return
    token = portal_link_token(product=product, email=email, next_path=next_path)
    portal = PortalSettings.objects.filter(product=product).first()
    context = {"product": product, "title": (portal and portal.title) or product.name, "url": portal_link_url(
        product=product, token=token), "minutes": int(LINK_MAX_AGE.total_seconds() // 60)}
    send_mail(
        subject=_("Your sign-in link for %(title)s") % {"title": context["title"]},
        message=render_to_string("feedback/email/portal_link.txt", context),
        from_email=None,
        recipient_list=[email],
    )


@dataclass(frozen=True)
class LinkClaim:
    """What a good-looking link says: the product, the email and where to go next."""

    product: Product
    email: str
    state: str
    next_path: str


def portal_link_check(*, token: str, product: Product | None = None) -> LinkClaim:
    """What `token` would sign in, without using it up. Raises LinkRefused: "invalid"
    (tampered, another salt, another product), "expired", "used" or "closed"."""
    try:
        payload = signing.loads(token, salt=LINK_SALT, max_age=LINK_MAX_AGE)
    except signing.SignatureExpired:
        email = ""
        # The signature is good, only old: say for whom, so the page can offer a new link.
        with contextlib.suppress(signing.BadSignature, AttributeError):
            email = str(signing.loads(token, salt=LINK_SALT).get("e", ""))
        raise LinkRefused(_("This sign-in link has expired."), code="expired", email=email) from None
    except signing.BadSignature:
        raise LinkRefused(_("This sign-in link is not valid."), code="invalid") from None
    if not isinstance(payload, dict) or not {"p", "e", "s"} <= payload.keys():
        raise LinkRefused(_("This sign-in link is not valid."), code="invalid")
    if product is not None and payload["p"] != product.pk:
        raise LinkRefused(_("This sign-in link is for another portal."), code="invalid")
    found = product or Product.objects.select_related("workspace").filter(pk=payload["p"]).first()
    if found is None or not portal_is_open(found):
        raise LinkRefused(_("This portal is closed."), code="closed")
    email = str(payload["e"])
    portal_user = PortalUser.objects.filter(product=found, email__iexact=email).first()
    if _sign_in_state(portal_user) != payload["s"]:
        raise LinkRefused(_("This sign-in link was already used."), code="used", email=email)
    return LinkClaim(product=found, email=email, state=str(payload["s"]), next_path=str(payload.get("n") or ""))


@transaction.atomic
def portal_link_redeem(*, token: str, product: Product | None = None, name: str = "") -> tuple[PortalUser, str]:
    """Sign in with a magic link, once: the portal user it names (created on their first
    sign-in by `portal_user_sign_in`, with `name` if they have none yet) and the portal page
    to go to. Raises LinkRefused as `portal_link_check` does; a link redeemed twice, even at
    the same moment, is "used" the second time (redemptions of one address take turns, and
    each compares the sign-in state the one before it left)."""
    claim = portal_link_check(token=token, product=product)
    used = LinkRefused(_("This sign-in link was already used."), code="used", email=claim.email)
    # One redemption per address at a time, until this transaction ends: a second one waits,
    # then reads the sign-in state the first one wrote (a row lock cannot cover a first
    # sign-in, whose row does not exist yet).
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
                       [f"{LINK_SALT}:{claim.product.pk}:{claim.email.lower()}"])
    current = PortalUser.objects.filter(product=claim.product, email__iexact=claim.email).first()
    if _sign_in_state(current) != claim.state:
        raise used
    portal_user = portal_user_sign_in(product=claim.product, email=claim.email, name=name)
    return portal_user, claim.next_path


# --- what portal users send ---------------------------------------------------------------


def portal_idea_admit(*, portal_user: PortalUser, address: str | None) -> None:
    """Count one idea submission by `portal_user` from `address`. Raises Throttled."""
    _admit("idea", address=address, email=portal_user.email, per_address=throttle.IDEA_PER_ADDRESS,
           per_email=throttle.IDEA_PER_EMAIL,
           message=_("You have sent many ideas in a short time. Try again in %(wait)s."))


def portal_comment_admit(*, portal_user: PortalUser, address: str | None) -> None:
    """Count one public comment by `portal_user` from `address`. Raises Throttled."""
    _admit("comment", address=address, email=portal_user.email, per_address=throttle.COMMENT_PER_ADDRESS,
           per_email=throttle.COMMENT_PER_EMAIL,
           message=_("You have written many comments in a short time. Try again in %(wait)s."))
