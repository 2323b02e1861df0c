"""Writes of the public ideas portal: its settings (admins), and what portal users do there.

Invariants protected here:
- only admins open or close a product's portal;
- portal users exist only for a product whose portal is open, one per address (any case),
  tied to the contact with the same address when there is one;
- what a portal user submits is a public idea of the portal's product, voted for by them;
  what they comment is public; they touch nothing that is internal."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from strategy import access
from strategy.limits import COMMENT_MAX_LENGTH
from strategy.models import Product, User

from ..models import Contact, Idea, IdeaComment, IdeaEvent, PortalSettings, PortalUser
from .records import check
from .voting import portal_vote_add

PORTAL_FIELDS = ("enabled", "title", "welcome")


@transaction.atomic
def portal_settings_update(*, actor: User, product: Product, **changes) -> PortalSettings:
    """Open or close a product's portal, or change its title and welcome text (admins).
    Raises PermissionDenied or ValidationError."""
    access.ensure_can(actor, "feedback.portal", product)
    unknown = set(changes) - set(PORTAL_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in sorted(unknown)})
    portal, _created = PortalSettings.objects.select_for_update().get_or_create(
        product=product, defaults={"workspace_id": product.workspace_id})
    for name, value in changes.items():
        setattr(portal, name, value.strip() if isinstance(value, str) else value)
    portal.updated_by = actor
    check(portal, exclude=("product", "updated_by"))
    portal.save()
    return portal


def portal_is_open(product: Product) -> bool:
    return PortalSettings.objects.filter(product=product, enabled=True).exists()


@transaction.atomic
def portal_user_sign_in(*, product: Product, email: str, name: str = "") -> PortalUser:
    """The portal user with this address on the product's portal, created on first sign-in
    (the magic link proved the address), linked to the contact with the same address.
    Raises ValidationError when the portal is closed or the address is malformed."""
    if not portal_is_open(product):
        raise ValidationError({"email": _("This portal is closed.")})
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ValidationError({"email": _("Enter a valid email address.")}) from exc
    user = PortalUser.objects.select_for_update().filter(product=product, email__iexact=email).first()
    if user is None:
        contact = Contact.objects.filter(workspace_id=product.workspace_id, email__iexact=email).first()
        user = PortalUser(workspace_id=product.workspace_id, product=product, email=email,
                          name=(name or "").strip()[:120], contact=contact)
    elif name and not user.name:
        user.name = name.strip()[:120]
    user.last_signed_in_at = timezone.now()
    user.save()
    return user


@transaction.atomic
def portal_user_preferences_set(*, portal_user: PortalUser, unsubscribed: bool,
                                name: str | None = None) -> PortalUser:
    """A portal user switches emails on or off, or changes their name."""
    portal_user.unsubscribed = unsubscribed
    if name is not None:
        portal_user.name = name.strip()[:120]
    portal_user.save(update_fields=["unsubscribed", "name", "updated_at"])
    return portal_user


@transaction.atomic
def portal_idea_submit(*, portal_user: PortalUser, title: str, description: str = "",
                       category: str = "") -> Idea:
    """A portal user's idea: public, new, on the portal's product, with their vote.
    Raises ValidationError."""
    if not portal_is_open(portal_user.product):
        raise ValidationError({"title": _("This portal is closed.")})
    idea = Idea(workspace_id=portal_user.workspace_id, product_id=portal_user.product_id,
                submitted_by_portal_user=portal_user, visibility=Idea.Visibility.PUBLIC,
                title=(title or "").strip(), description=(description or "").replace("\r\n", "\n").strip(),
                category=(category or "").strip())
    errors = {} if idea.title else {"title": _("Give the idea a title.")}
    check(idea, errors, exclude=("product", "created_by", "submitted_by_user", "submitted_by_contact",
                                 "submitted_by_portal_user"))
    idea.save()
    IdeaEvent.objects.create(idea=idea, kind=IdeaEvent.Kind.CREATED, to_status=idea.status)
    portal_vote_add(portal_user=portal_user, idea=idea)
    idea.refresh_from_db()
    return idea


@transaction.atomic
def portal_comment_create(*, portal_user: PortalUser, idea: Idea, body: str) -> IdeaComment:
    """A portal user's public comment on a public idea of their portal. Raises ValidationError."""
    if idea.product_id != portal_user.product_id or idea.visibility != Idea.Visibility.PUBLIC or idea.merged_into_id:
        raise ValidationError({"idea": _("This idea is not on this portal.")})
    body = (body or "").replace("\r\n", "\n").strip()
    if not body:
        raise ValidationError({"body": _("Write a comment.")})
    if len(body) > COMMENT_MAX_LENGTH:
        raise ValidationError({"body": _("Keep a comment to %(limit)d characters.") % {"limit": COMMENT_MAX_LENGTH}})
    return IdeaComment.objects.create(idea=idea, portal_user=portal_user, body=body,
                                      visibility=IdeaComment.Visibility.PUBLIC)
