"""Share links: tokens, lookup, the parameters each view keeps, and the writes.

Invariants: a share link stores only its token's digest, shows one view of one product, is
made and revoked only by editors and admins, and never expires in the past; a share-link
password is checked only within the guessing limits of `roadmap.throttle`, each attempt
counted first.

A token is `secrets.token_urlsafe(32)` (43 characters, 256 bits). Only its SHA-256 digest is
stored, so a database dump opens nothing. `resolve` finds a link by digest and compares the
digests with `hmac.compare_digest`; unknown, revoked and expired links all answer None, and
the public view turns every None into the same plain 404."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import re
import secrets
from datetime import datetime

from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from redis.exceptions import RedisError

from strategy import access
from strategy.models import Product, User

from .. import throttle
from ..models import ShareLink
from ..timeline import GroupBy

TOKEN_BYTES = 32
TITLE_MAX = 120
INTRO_MAX = 600
PREFIX_LENGTH = 6
_TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{20,100}$")

# The query parameters each view keeps; anything else is dropped at creation.
TIMELINE_KEYS = ("zoom", "group", "start", "end", "colour", "status", "initiative", "tag", "release")
PARAM_KEYS: dict[str, tuple[str, ...]] = {
    ShareLink.View.TIMELINE: TIMELINE_KEYS,
    ShareLink.View.PORTFOLIO: ("zoom", "start", "end"),
    ShareLink.View.NOW_NEXT_LATER: (),
    ShareLink.View.RELEASE_TIMELINE: (),
}
# Grouping by assignee would print people's names on a public page.
_PRIVATE_GROUPS = {GroupBy.ASSIGNEE.value}


# --- tokens -----------------------------------------------------------------------------


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def resolve(token: str, *, now=None) -> ShareLink | None:
    """The active link of `token`, or None when it is unknown, revoked or expired."""
    if not token or not _TOKEN_SHAPE.match(token):
        return None
    wanted = digest(token)
    link = ShareLink.objects.select_related("product", "workspace").filter(token_digest=wanted).first()
    if link is None or not hmac.compare_digest(link.token_digest, wanted):
        return None
    return link if link.status_at(now or timezone.now()) == "active" else None


def sanitise_params(view: str, params) -> dict:
    """Only the view's known keys, as short strings (lists for `status`)."""
    clean: dict = {}
    for key in PARAM_KEYS.get(view, ()):
        if hasattr(params, "getlist"):
            values = [v for v in params.getlist(key) if v]
        else:
            raw = params.get(key)
            values = [str(v) for v in (raw if isinstance(raw, list | tuple) else [raw]) if v not in (None, "")]
        values = [str(v).strip()[:40] for v in values][:20]
        if not values:
            continue
        if key == "group" and values[0].lower() in _PRIVATE_GROUPS:
            continue
        clean[key] = values if key == "status" else values[0]
    return clean


# --- writes -----------------------------------------------------------------------------


@transaction.atomic
def share_link_create(*, actor: User, product: Product, view: str, params=None,
                      expires_at: datetime | None = None, password: str = "",
                      show_estimates: bool = False, show_messaging: bool = False, title: str = "",
                      intro: str = "") -> tuple[ShareLink, str]:
    """A new share link and its token (shown once; only the digest is kept).
    Raises PermissionDenied or ValidationError (unknown view, portfolio of a single product,
    expiry not in the future)."""
    access.ensure_can(actor, "share_links.manage", product)
    if view not in ShareLink.View.values:
        raise ValidationError({"view": _("Choose one of the roadmap views.")})
    if view == ShareLink.View.PORTFOLIO and not product.is_line:
        raise ValidationError({"view": _("Only a product line has a portfolio timeline.")})
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": _("Choose an expiry date in the future.")})
    title, intro = (title or "").strip(), (intro or "").strip()
    if len(title) > TITLE_MAX:
        raise ValidationError({"title": _("Keep the title to %(n)d characters.") % {"n": TITLE_MAX}})
    if len(intro) > INTRO_MAX:
        raise ValidationError({"intro": _("Keep the introduction to %(n)d characters.") % {"n": INTRO_MAX}})
    token = new_token()
    link = ShareLink.objects.create(
        workspace_id=product.workspace_id, product=product, view=view,
        params=sanitise_params(view, params or {}), token_digest=digest(token),
        token_prefix=token[:PREFIX_LENGTH], password_hash=make_password(password) if password else "",
        expires_at=expires_at, created_by=actor, show_estimates=show_estimates, show_messaging=show_messaging,
        title=title, intro=intro,
    )
    return link, token


@transaction.atomic
def share_link_revoke(*, actor: User, link: ShareLink) -> ShareLink:
    """Stop the link from opening anything, from now on. Idempotent. Raises PermissionDenied."""
    access.ensure_can(actor, "share_links.manage", link.product)
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
    return link


def share_link_record_view(*, link: ShareLink) -> None:
    """Count one view of the link, in one UPDATE (safe under concurrent views). The reader does
    not wait for the count to reach the disk (`synchronous_commit` off for this transaction
    only): a crash may forget the last views, never corrupt anything."""
    table = connection.ops.quote_name(ShareLink._meta.db_table)
    update = (f"SET LOCAL synchronous_commit TO OFF; UPDATE {table} SET view_count = view_count + 1, "  # noqa: S608 - a model's table name
              "last_viewed_at = %s WHERE id = %s")
    # One round trip: a transaction of its own in one string, or, inside a caller's transaction,
    # that transaction (whose commit then does not wait for the disk either).
    sql = update if connection.in_atomic_block else f"BEGIN; {update}; COMMIT"
    with connection.cursor() as cursor:
        cursor.execute(sql, [timezone.now(), link.pk])


def _wait_text(seconds: int) -> str:
    if seconds < 60:
        return ngettext("%(n)d second", "%(n)d seconds", seconds) % {"n": seconds}
    minutes = -(-seconds // 60)
    return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}


def share_link_unlock(*, link: ShareLink, password: str, address: str | None) -> ShareLink:
    """Check `password` for the link, counting the attempt first (see `roadmap.throttle`).
    Raises ValidationError on `password` when the attempt is refused, when Redis is away
    (nothing could be counted), or when the password is wrong."""
    try:
        verdict = throttle.admit(link_id=link.pk, address=address)
    except RedisError:
        raise ValidationError({"password": _(
            "Passwords cannot be checked right now. Try again in a few minutes.")}) from None
    if not verdict.allowed:
        wait = _wait_text(verdict.retry_after)
        if verdict.slowed:
            message = _("This link has had many wrong passwords lately, so each address may try only now "
                        "and then. Try again in %(wait)s.") % {"wait": wait}
        else:
            message = _("Too many wrong passwords. Try again in %(wait)s.") % {"wait": wait}
        raise ValidationError({"password": message})
    if not check_password(password, link.password_hash):
        raise ValidationError({"password": _("That password is not right.")})
    # If Redis went away meanwhile the attempt stays counted, which errs on the strict side.
    with contextlib.suppress(RedisError):
        throttle.give_back(link_id=link.pk, address=address)
    return link
