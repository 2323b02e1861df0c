"""Writes that only the in-app triage pages make, composed of the shared services of this
package in one transaction, so a page never leaves half of them done."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from strategy.models import User, Workspace

from ..models import Customer, FeedbackNote, Idea
from .customers import contact_create, customer_create
from .ideas import idea_create
from .notes import note_link


@transaction.atomic
def idea_create_from_note(*, actor: User, note: FeedbackNote, **fields) -> Idea:
    """A new idea of the note's product (`fields` as `idea_create` takes them), with the
    note linked to it: both or neither. Raises PermissionDenied or ValidationError."""
    idea = idea_create(actor=actor, product=note.product, **fields)
    note_link(actor=actor, note=note, ideas=[idea])
    return idea


@transaction.atomic
def customer_create_with_contact(*, actor: User, workspace: Workspace, contact: dict, **fields) -> Customer:
    """A new customer (`fields` as `customer_create` takes them) and, when `contact` names
    someone ({name, email}), its first contact: both or neither. Raises PermissionDenied or
    ValidationError (a contact's errors under `contact_name` / `contact_email`)."""
    customer = customer_create(actor=actor, workspace=workspace, **fields)
    if contact.get("name"):
        try:
            contact_create(actor=actor, customer=customer, name=contact["name"], email=contact.get("email", ""))
        except ValidationError as exc:
            raise ValidationError({f"contact_{name}": errors for name, errors in exc.message_dict.items()}) from exc
    return customer
