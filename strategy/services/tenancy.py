"""Write operations for workspaces, members, invitations, products and API tokens.

Invariants protected here:
- every workspace keeps at least one admin (the last admin cannot be removed or demoted);
- a user has at most one membership per workspace, and at most one pending invitation per email;
- product keys are unique in a workspace; a product's line is an active product line of the
  same workspace, and lines never contain themselves, directly or through other lines;
- a product edited from a stale copy is refused (optimistic locking on `Product.version`);
- API tokens are stored as SHA-256 digests only.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from contextlib import contextmanager

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from .. import access, signals, tasks
from ..background import queue_after_commit
from ..history import version_ahead_error
from ..models import ApiToken, Goal, Invitation, Membership, Product, Role, User, Workspace

INVITATION_SALT = "waymark.invitation"
API_TOKEN_PREFIX = "wmk_"


@contextmanager
def _unique(constraint: str, field: str, message: str):
    """Turn a violation of the named uniqueness `constraint` into a field error. Services
    check uniqueness first; this covers the race where two requests pass that check at once."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError as exc:
        if getattr(getattr(exc.__cause__, "diag", None), "constraint_name", None) == constraint:
            raise ValidationError({field: message}) from exc
        raise


# --- workspaces -------------------------------------------------------------


def _unique_workspace_slug(name: str) -> str:
    base = slugify(name)[:50] or "workspace"
    slug, n = base, 1
    while Workspace.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def workspace_create(*, actor: User, name: str) -> Workspace:
    """Create a workspace with `actor` as its first admin."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the workspace a name.")})
    workspace = Workspace.objects.create(name=name, slug=_unique_workspace_slug(name))
    Membership.objects.create(workspace=workspace, user=actor, role=Role.ADMIN)
    access.forget_roles(actor)
    signals.workspace_created.send(sender=Workspace, workspace=workspace, actor=actor)
    return workspace


LOGO_MAX_BYTES = 100_000
# The image types a logo may have, by the bytes they start with (what a browser checks too).
_LOGO_TYPES = ((b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"))


def _logo_type(data: bytes) -> str:
    for magic, content_type in _LOGO_TYPES:
        if data.startswith(magic):
            return content_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return ""


@transaction.atomic
def workspace_update(*, actor: User, workspace: Workspace, name: str, logo: bytes | None = None,
                     remove_logo: bool = False) -> Workspace:
    """Rename a workspace (its slug, and so its URLs, stay), and set or remove its logo (a
    PNG, JPEG or WebP image of at most `LOGO_MAX_BYTES`). Raises PermissionDenied, or
    ValidationError (no name, a logo too big or not an image of those types)."""
    access.ensure_can(actor, "workspace.manage", workspace)
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the workspace a name.")})
    fields = ["name", "updated_at"]
    if logo:
        content_type = _logo_type(logo)
        if not content_type:
            raise ValidationError({"logo": _("Choose a PNG, JPEG or WebP image.")})
        if len(logo) > LOGO_MAX_BYTES:
            raise ValidationError({"logo": _("Choose an image of at most %(kb)d KB.") % {
                "kb": LOGO_MAX_BYTES // 1000}})
        workspace.logo = f"data:{content_type};base64,{base64.b64encode(logo).decode('ascii')}"
        fields.append("logo")
    elif remove_logo:
        workspace.logo = ""
        fields.append("logo")
    workspace.name = name
    workspace.save(update_fields=fields)
    return workspace


# --- members and invitations ------------------------------------------------


def _ensure_an_admin_remains(membership: Membership) -> None:
    # Lock the workspace's admin rows so two admins demoting each other cannot both succeed.
    admins = list(
        Membership.objects.select_for_update(of=("self",))
        .filter(workspace_id=membership.workspace_id, role=Role.ADMIN)
        .order_by()
        .values_list("pk", flat=True)
    )
    if membership.role == Role.ADMIN and admins == [membership.pk]:
        raise ValidationError(
            {"role": _("A workspace needs at least one admin. Make someone else an admin first.")}
        )


@transaction.atomic
def membership_change_role(*, actor: User, membership: Membership, role: str) -> Membership:
    """Give a member another role. Raises PermissionDenied, or ValidationError for the last admin."""
    access.ensure_can(actor, "workspace.manage", membership.workspace)
    if role not in Role.values:
        raise ValidationError({"role": _("Choose admin, editor or viewer.")})
    if role != Role.ADMIN:
        _ensure_an_admin_remains(membership)
    membership.role = role
    membership.save(update_fields=["role", "updated_at"])
    access.forget_roles(actor)
    access.forget_roles(membership.user)
    return membership


@transaction.atomic
def membership_remove(*, actor: User, membership: Membership) -> None:
    """Remove a member (admins), or leave a workspace (anyone, for themselves).
    Raises PermissionDenied, or ValidationError for the last admin."""
    if membership.user_id != actor.pk:
        access.ensure_can(actor, "workspace.manage", membership.workspace)
    _ensure_an_admin_remains(membership)
    # What they owned stays, unowned, so nobody is left editing records owned by a stranger.
    Product.objects.filter(workspace_id=membership.workspace_id, owner_id=membership.user_id).update(owner=None)
    Goal.objects.filter(workspace_id=membership.workspace_id, owner_id=membership.user_id).update(owner=None)
    membership.delete()
    access.forget_roles(actor)


@transaction.atomic
def membership_add(*, actor: User, workspace: Workspace, user: User, role: str) -> Membership:
    """Add an existing account directly (demo data and operators' scripts; people are
    otherwise invited). Raises PermissionDenied, or ValidationError if already a member."""
    access.ensure_can(actor, "workspace.manage", workspace)
    if role not in Role.values:
        raise ValidationError({"role": _("Choose admin, editor or viewer.")})
    if workspace.memberships.filter(user=user).exists():
        raise ValidationError({"email": _("%(email)s is already a member of this workspace.") % {
            "email": user.email}})
    membership = Membership.objects.create(workspace=workspace, user=user, role=role)
    access.forget_roles(user)
    return membership


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps(invitation.pk, salt=INVITATION_SALT)


def invitation_url(invitation: Invitation) -> str:
    return settings.SITE_URL + reverse("strategy:invitation_accept", args=[invitation_token(invitation)])


def invitation_email_send(*, invitation_id: int) -> None:
    """Email the invitation's link, if it is still pending (it may have been withdrawn or
    accepted since it was queued). Raises SMTP errors so the task can retry."""
    invitation = Invitation.objects.pending().select_related("workspace", "invited_by").filter(
        pk=invitation_id).first()
    if invitation is None:
        return
    context = {"invitation": invitation, "url": invitation_url(invitation)}
    send_mail(
        subject=_("%(name)s invited you to %(workspace)s on Waymark")
        % {"name": invitation.invited_by or "Someone", "workspace": invitation.workspace.name},
        message=render_to_string("strategy/email/invitation.txt", context),
        from_email=None,
        recipient_list=[invitation.email],
    )


@transaction.atomic
def invitation_create(*, actor: User, workspace: Workspace, email: str, role: str) -> Invitation:
    """Invite `email` to join with `role` and email them a signed link.
    Raises PermissionDenied, or ValidationError for members and already-invited addresses."""
    access.ensure_can(actor, "workspace.manage", workspace)
    email = email.strip().lower()
    errors = {}
    if role not in Role.values:
        errors["role"] = _("Choose admin, editor or viewer.")
    if workspace.memberships.filter(user__email__iexact=email).exists():
        errors["email"] = _("%(email)s is already a member of this workspace.") % {"email": email}
    elif workspace.invitations.pending().filter(email__iexact=email).exists():
        errors["email"] = _("%(email)s already has a pending invitation. Resend it from the list.") % {
            "email": email
        }
    if errors:
        raise ValidationError(errors)
    with _unique("strategy_invitation_one_pending_per_email", "email",
                 _("%(email)s already has a pending invitation.") % {"email": email}):
        invitation = Invitation.objects.create(workspace=workspace, email=email, role=role, invited_by=actor)
    # With the broker down the invitation still stands; an admin can resend it later.
    queue_after_commit(tasks.invitation_email_send_task, invitation.pk)
    return invitation


@transaction.atomic
def invitation_resend(*, actor: User, invitation: Invitation) -> Invitation:
    """Restart the invitation's expiry and email the link again."""
    access.ensure_can(actor, "workspace.manage", invitation.workspace)
    if invitation.accepted_at or invitation.revoked_at:
        raise ValidationError(_("This invitation is no longer pending."))
    # The signed link carries its own timestamp; created_at restarts the displayed expiry.
    Invitation.objects.filter(pk=invitation.pk).update(created_at=timezone.now())
    invitation.refresh_from_db()
    # With the broker down the invitation still stands; an admin can resend it later.
    queue_after_commit(tasks.invitation_email_send_task, invitation.pk)
    return invitation


@transaction.atomic
def invitation_revoke(*, actor: User, invitation: Invitation) -> Invitation:
    access.ensure_can(actor, "workspace.manage", invitation.workspace)
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at", "updated_at"])
    return invitation


def invitation_from_token(token: str) -> Invitation:
    """The pending invitation a link points to. Raises ValidationError when the link
    is malformed, expired, revoked or already used."""
    try:
        pk = signing.loads(token, salt=INVITATION_SALT, max_age=settings.INVITATION_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise ValidationError(_("This invitation has expired. Ask an admin to send a new one.")) from exc
    except signing.BadSignature as exc:
        raise ValidationError(_("This invitation link is not valid.")) from exc
    invitation = Invitation.objects.select_related("workspace", "invited_by").filter(pk=pk).first()
    if invitation is None or invitation.revoked_at:
        raise ValidationError(_("This invitation was withdrawn. Ask an admin to send a new one."))
    if invitation.accepted_at:
        raise ValidationError(_("This invitation has already been used."))
    if invitation.is_expired:
        raise ValidationError(_("This invitation has expired. Ask an admin to send a new one."))
    return invitation


@transaction.atomic
def invitation_accept(*, user: User, invitation: Invitation) -> Membership:
    """Make `user` a member with the invited role. Raises ValidationError when the
    invitation is for another email address or no longer pending."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at or invitation.revoked_at:
        raise ValidationError(_("This invitation is no longer pending."))
    if user.email.lower() != invitation.email.lower():
        raise ValidationError(
            _("This invitation is for %(email)s. Sign in with that address to accept it.")
            % {"email": invitation.email}
        )
    membership, created = Membership.objects.get_or_create(
        workspace_id=invitation.workspace_id, user=user, defaults={"role": invitation.role}
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by", "updated_at"])
    access.forget_roles(user)
    return membership


@transaction.atomic
def invitation_accept_with_signup(*, invitation: Invitation, full_name: str, password: str) -> Membership:
    """Create the invited person's account and accept the invitation in one step."""
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise ValidationError(_("An account with this email exists. Sign in to accept the invitation."))
    with _unique("strategy_user_email_unique_any_case", "email",
                 _("An account with this email exists. Sign in to accept the invitation.")):
        user = User.objects.create_user(invitation.email, password, full_name=full_name.strip())
    return invitation_accept(user=user, invitation=invitation)


# --- products ---------------------------------------------------------------

PRODUCT_FIELDS = ("name", "key", "kind", "parent", "description", "stage", "owner", "external_id", "external_url")


def _key_taken(key: str) -> str:
    return _("Another product in this workspace already uses the key %(key)s.") % {"key": key}


def _validate_product(product: Product, *, owner_changed: bool = True) -> None:
    errors: dict[str, str] = {}
    product.key = (product.key or "").strip().upper()
    clash = Product.objects.filter(workspace_id=product.workspace_id, key=product.key).exclude(pk=product.pk)
    if product.key and clash.exists():
        errors["key"] = _key_taken(product.key)
    parent = product.parent
    if parent is not None:
        if parent.workspace_id != product.workspace_id or not parent.is_line:
            errors["parent"] = _("Choose a product line of this workspace.")
        elif parent.is_archived:
            errors["parent"] = _("That product line is archived.")
        elif product.pk and _is_self_or_descendant(candidate=parent, product=product):
            errors["parent"] = _("A product line cannot sit inside itself.")
    # A former member may still own the product; that blocks nothing until the owner changes.
    if owner_changed and product.owner_id and not Membership.objects.filter(
        workspace_id=product.workspace_id, user_id=product.owner_id
    ).exists():
        errors["owner"] = _("The owner must be a member of this workspace.")
    if product.pk and product.kind == Product.Kind.PRODUCT and product.children.exists():
        errors["kind"] = _("This product line still contains products (archived ones count too); "
                           "move them to another line first.")
    try:
        product.full_clean(exclude=["workspace", "version", "updated_by"], validate_constraints=False)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, messages[0])
    if errors:
        raise ValidationError(errors)


def _is_self_or_descendant(*, candidate: Product, product: Product) -> bool:
    node, seen = candidate, set()
    while node is not None and node.pk not in seen:
        if node.pk == product.pk:
            return True
        seen.add(node.pk)
        node = node.parent
    return False


@transaction.atomic
def product_create(
    *, actor: User, workspace: Workspace, name: str, key: str, kind: str = Product.Kind.PRODUCT,
    parent: Product | None = None, description: str = "", stage: str = Product.Stage.DEVELOPMENT,
    owner: User | None = None, external_id: str = "", external_url: str = "",
) -> Product:
    """Add a product or product line to the portfolio. Raises PermissionDenied or ValidationError."""
    access.ensure_can(actor, "products.edit", workspace)
    product = Product(
        workspace=workspace, name=name.strip(), key=key, kind=kind, parent=parent,
        description=description, stage=stage, owner=owner, updated_by=actor,
        external_id=external_id.strip(), external_url=external_url.strip(),
    )
    _validate_product(product)
    with _unique("strategy_product_key_unique_in_workspace", "key",
                 _key_taken(product.key)):
        product.save()
    return product


@transaction.atomic
def product_update(*, actor: User, product: Product, version: int | None = None, **changes) -> Product:
    """Change a product's fields. `version` is the version the editor started from:
    if someone saved since, the change is refused with who and when.
    Raises PermissionDenied or ValidationError."""
    access.ensure_can(actor, "products.edit", product)
    unknown = set(changes) - set(PRODUCT_FIELDS)
    if unknown:
        raise ValidationError({field: _("This field cannot be changed.") for field in sorted(unknown)})
    current = Product.objects.select_for_update(of=("self",)).select_related("updated_by").get(pk=product.pk)
    if version is not None and version > current.version:
        raise version_ahead_error(current.version, version)
    if version is not None and current.version != version:
        raise ValidationError(
            _("%(who)s changed this product at %(when)s, after you opened it. "
              "Your changes are kept below: check theirs, then save again.")
            % {
                "who": current.updated_by.display_name if current.updated_by else _("Someone"),
                "when": timezone.localtime(current.updated_at).strftime("%H:%M on %d %b"),
            },
            code="stale",
        )
    previous_owner_id = current.owner_id
    for field, value in changes.items():
        setattr(current, field, value)
    if "name" in changes:
        current.name = current.name.strip()
    _validate_product(current, owner_changed=current.owner_id != previous_owner_id)
    current.version = F("version") + 1
    current.updated_by = actor
    with _unique("strategy_product_key_unique_in_workspace", "key",
                 _key_taken(current.key)):
        current.save()
    current.refresh_from_db()
    return current


@transaction.atomic
def product_archive(*, actor: User, product: Product) -> Product:
    """Hide a product from the portfolio without deleting anything.
    Raises ValidationError for a product line that still has active products."""
    access.ensure_can(actor, "products.edit", product)
    if product.is_archived:
        return product
    if product.children.active().exists():
        raise ValidationError(_("Archive or move the products of this line first."))
    Product.objects.filter(pk=product.pk).update(
        archived_at=timezone.now(), version=F("version") + 1, updated_by=actor
    )
    product.refresh_from_db()
    return product


@transaction.atomic
def product_unarchive(*, actor: User, product: Product) -> Product:
    """Bring an archived product back. Raises ValidationError while its line is archived."""
    access.ensure_can(actor, "products.edit", product)
    if not product.is_archived:
        return product
    if product.parent_id and product.parent.is_archived:
        raise ValidationError(_("Restore its product line %(line)s first.") % {"line": product.parent.name})
    Product.objects.filter(pk=product.pk).update(
        archived_at=None, version=F("version") + 1, updated_by=actor
    )
    product.refresh_from_db()
    return product


# --- API tokens -------------------------------------------------------------


def api_token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, actor: User, name: str, workspace: Workspace | None = None,
                     read_only: bool = False) -> tuple[ApiToken, str]:
    """Create a personal API token; returns it with its secret, which is never stored.
    `workspace` limits it to one of the actor's workspaces (a request for another is refused,
    403); `read_only` to reading. Raises ValidationError for a name left empty or a
    workspace the actor is not a member of."""
    name = name.strip()
    errors = {}
    if not name:
        errors["name"] = _("Name the token after where it will be used.")
    if workspace is not None and not Membership.objects.filter(user=actor, workspace=workspace).exists():
        errors["workspace"] = _("Choose one of your workspaces.")
    if errors:
        raise ValidationError(errors)
    secret = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=actor, name=name, prefix=secret[: len(API_TOKEN_PREFIX) + 6], digest=api_token_digest(secret),
        workspace=workspace, read_only=read_only,
    )
    return token, secret


@transaction.atomic
def api_token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    """Revoke one of the actor's own tokens; it stops working at once."""
    if token.user_id != actor.pk:
        raise ValidationError(_("You can only revoke your own tokens."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at", "updated_at"])
    return token


def api_token_authenticate(secret: str) -> ApiToken | None:
    """The usable token for `secret`, recording its use, or None."""
    if not secret.startswith(API_TOKEN_PREFIX):
        return None
    token = ApiToken.objects.usable().select_related("user").filter(digest=api_token_digest(secret)).first()
    if token is not None:
        # Record use at most once a minute: a busy client should not write on every request.
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
    return token


# --- account ----------------------------------------------------------------


@transaction.atomic
def user_update_profile(*, actor: User, full_name: str) -> User:
    """Change the signed-in user's display name."""
    actor.full_name = full_name.strip()
    actor.save(update_fields=["full_name"])
    return actor
