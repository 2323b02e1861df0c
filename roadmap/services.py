"""Writes of the top layer. Invariants: one heartbeat row per worker, overwritten each run;
a share link stores only its token's digest, shows one view of one product, is made and
revoked only by editors and admins, and never expires in the past."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from strategy import access
from strategy.models import Product, User

from . import share
from .models import ShareLink, WorkerHeartbeat


@transaction.atomic
def heartbeat_record(*, hostname: str) -> WorkerHeartbeat:
    """Record that the worker `hostname` is alive now. Idempotent."""
    heartbeat, _ = WorkerHeartbeat.objects.update_or_create(
        hostname=hostname, defaults={"beat_at": timezone.now()}
    )
    return heartbeat


@transaction.atomic
def share_link_create(*, actor: User, product: Product, view: str, params=None,
                      expires_at: datetime | None = None, password: str = "") -> tuple[ShareLink, str]:
    """A new share link and its token (shown once; only the digest is kept).
    Raises PermissionDenied or ValidationError (unknown view, portfolio of a single product,
    expiry not in the future)."""
    access.ensure_can(actor, "releases.edit", product)
    if view not in ShareLink.View.values:
        raise ValidationError({"view": _("Choose one of the roadmap views.")})
    if view == ShareLink.View.PORTFOLIO and not product.is_line:
        raise ValidationError({"view": _("Only a product line has a portfolio timeline.")})
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": _("Choose an expiry date in the future.")})
    token = share.new_token()
    link = ShareLink.objects.create(
        workspace_id=product.workspace_id, product=product, view=view,
        params=share.sanitise_params(view, params or {}), token_digest=share.digest(token),
        token_prefix=token[:share.PREFIX_LENGTH], password_hash=make_password(password) if password else "",
        expires_at=expires_at, created_by=actor,
    )
    return link, token


@transaction.atomic
def share_link_revoke(*, actor: User, link: ShareLink) -> ShareLink:
    """Stop the link from opening anything, from now on. Idempotent. Raises PermissionDenied."""
    access.ensure_can(actor, "releases.edit", link.product)
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
    return link


def share_link_record_view(*, link: ShareLink) -> None:
    """Count one view of the link, in one UPDATE (safe under concurrent views)."""
    ShareLink.objects.filter(pk=link.pk).update(view_count=F("view_count") + 1, last_viewed_at=timezone.now())
