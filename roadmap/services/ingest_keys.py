"""Ingest keys: the secrets products send their usage events with.

Invariants: only a key's SHA-256 digest is stored (the key is shown once, at creation); only
workspace admins create, rotate and revoke keys; a key is valid while `revoked_at` is empty or
still ahead. Revoking sets `revoked_at` to now, so the next request with the key gets a 401:
nothing caches whether a key is valid, every request looks its digest up. Rotating makes a new
key of the same name and lets the old one work for USAGE_INGEST_KEY_ROTATION_GRACE_HOURS more
(24 by default), so the product can switch to the new key without dropping events.

A key is "wmk_" and 43 URL-safe characters (256 random bits); the first 12 characters are kept
to tell keys apart on the page."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from strategy import access
from strategy.models import Product, User

from ..models import IngestKey

KEY_PREFIX = "wmk_"
PREFIX_LENGTH = 12
# Touch `last_used_at` at most this often: every batch writing the same row would make
# concurrent requests wait on each other's row lock.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def rotation_grace() -> timedelta:
    return timedelta(hours=settings.USAGE_INGEST_KEY_ROTATION_GRACE_HOURS)


def ingest_key_status(key: IngestKey, now) -> str:
    """"active", "rotating" (revoked at a moment still ahead) or "revoked"."""
    if key.revoked_at is None:
        return "active"
    return "rotating" if key.revoked_at > now else "revoked"


def ingest_key_authenticate(raw_key: str) -> IngestKey | None:
    """The valid key `raw_key` names (with its product loaded), or None: unknown, malformed,
    revoked. One query; `last_used_at` is written at most once a minute."""
    if not raw_key or not raw_key.startswith(KEY_PREFIX) or len(raw_key) > 100:
        return None
    key = (IngestKey.objects.select_related("product")
           .filter(key_digest=key_digest(raw_key)).first())
    now = timezone.now()
    if key is None or ingest_key_status(key, now) == "revoked":
        return None
    if key.last_used_at is None or now - key.last_used_at > LAST_USED_RESOLUTION:
        IngestKey.objects.filter(pk=key.pk).update(last_used_at=now)
    return key


@transaction.atomic
def ingest_key_create(*, actor: User, product: Product, name: str) -> tuple[IngestKey, str]:
    """A new key for `product` and its secret (shown once; only the digest is kept).
    Raises PermissionDenied or ValidationError (no name)."""
    access.ensure_can(actor, "ingest_keys.manage", product)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Name the key after what sends events with it, e.g. “Web app”.")})
    if product.is_line:
        raise ValidationError({"name": _("A product line has no events of its own: create the key on one of "
                                         "its products.")})
    raw = new_key()
    key = IngestKey.objects.create(product=product, name=name[:100], key_digest=key_digest(raw),
                                   key_prefix=raw[:PREFIX_LENGTH], created_by=actor)
    return key, raw


@transaction.atomic
def ingest_key_rotate(*, actor: User, key: IngestKey) -> tuple[IngestKey, str]:
    """A new key of the same name; the old one keeps working for the rotation grace period,
    then stops. Raises PermissionDenied, or ValidationError for a key already revoked."""
    access.ensure_can(actor, "ingest_keys.manage", key.product)
    key = IngestKey.objects.select_for_update().select_related("product").get(pk=key.pk)
    now = timezone.now()
    if ingest_key_status(key, now) != "active":
        raise ValidationError(_("Only an active key can be rotated."))
    new, raw = ingest_key_create(actor=actor, product=key.product, name=key.name)
    key.revoked_at = now + rotation_grace()
    key.save(update_fields=["revoked_at"])
    return new, raw


@transaction.atomic
def ingest_key_revoke(*, actor: User, key: IngestKey) -> IngestKey:
    """Stop `key` now (also a key in its rotation grace period). Revoking twice keeps the
    first moment."""
    access.ensure_can(actor, "ingest_keys.manage", key.product)
    now = timezone.now()
    IngestKey.objects.filter(pk=key.pk).filter(revoked_at__isnull=True).update(revoked_at=now)
    IngestKey.objects.filter(pk=key.pk, revoked_at__gt=now).update(revoked_at=now)
    key.refresh_from_db(fields=["revoked_at"])
    return key
