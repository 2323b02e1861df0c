"""Feedback notes: what a customer said, kept verbatim, triaged into ideas and features.

Invariants protected here:
- a note belongs to its product's workspace; its customer and contact too, and a contact's
  note is its customer's (the customer is taken from the contact when not given);
- the highlight is a passage of the text, word for word;
- a note links only to ideas (not merged ones) and features of its own product;
- posting a note with an `external_id` already seen from the same source changes nothing
  (tools that retry never create duplicates);
- whenever a note's links or customer change, the demand of the ideas and features it
  touches is recounted."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from releases.models import Feature
from strategy import access
from strategy.limits import IDS_MAX_COUNT, too_many_message
from strategy.models import Product, User
from strategy.services.records import assign

from ..models import Contact, Customer, FeedbackNote, Idea
from . import demand
from .records import check, locked

NOTE_FIELDS = ("customer", "contact", "source", "date", "text", "highlight")


def _note_errors(note: FeedbackNote) -> dict:
    errors: dict = {}
    if note.contact is not None:
        if note.contact.workspace_id != note.workspace_id:
            errors["contact"] = _("Choose a contact of this workspace.")
        elif note.customer is None:
            note.customer = note.contact.customer
        elif note.contact.customer_id != note.customer_id:
            errors["contact"] = _("%(contact)s works for another customer.") % {"contact": note.contact.name}
    if note.customer is not None and note.customer.workspace_id != note.workspace_id:
        errors["customer"] = _("Choose a customer of this workspace.")
    if note.highlight and note.highlight not in (note.text or ""):
        errors["highlight"] = _("The highlight must be a passage of the text, copied exactly.")
    if not (note.text or "").strip():
        errors["text"] = _("Write what the customer said.")
    return errors


def _links(note: FeedbackNote, ideas: Iterable[Idea], features: Iterable[Feature]) -> tuple[list, list]:
    ideas, features = list(ideas), list(features)
    errors: dict = {}
    if len(ideas) > IDS_MAX_COUNT:
        errors["ideas"] = too_many_message(IDS_MAX_COUNT, _("ideas"))
    elif any(idea.product_id != note.product_id for idea in ideas):
        errors["ideas"] = _("Link ideas of the same product.")
    elif any(idea.merged_into_id for idea in ideas):
        errors["ideas"] = _("A merged idea cannot be linked; link the idea it was merged into.")
    if len(features) > IDS_MAX_COUNT:
        errors["features"] = too_many_message(IDS_MAX_COUNT, _("features"))
    elif any(feature.product_id != note.product_id for feature in features):
        errors["features"] = _("Link features of the same product.")
    if errors:
        raise ValidationError(errors)
    return ideas, features


def _recount(idea_ids: Iterable[int], feature_ids: Iterable[int]) -> None:
    idea_ids = set(idea_ids)
    demand.ideas_recount(idea_ids=idea_ids)
    features = set(feature_ids) | set(Idea.objects.filter(pk__in=idea_ids, feature__isnull=False)
                                      .values_list("feature_id", flat=True))
    demand.features_demand_refresh(feature_ids=features)


def _linked_ids(note: FeedbackNote) -> tuple[set[int], set[int]]:
    return (set(note.ideas.values_list("pk", flat=True)), set(note.features.values_list("pk", flat=True)))


@transaction.atomic
def note_create(*, actor: User, product: Product, text: str, date: date,
                source: str = FeedbackNote.Source.CALL, customer: Customer | None = None,
                contact: Contact | None = None, highlight: str = "", ideas: Iterable[Idea] = (),
                features: Iterable[Feature] = (), external_id: str = "") -> FeedbackNote:
    """Record what a customer said, optionally linked to ideas and features already.
    Raises PermissionDenied or ValidationError."""
    access.ensure_can(actor, "feedback.edit", product)
    note = FeedbackNote(workspace_id=product.workspace_id, product=product, created_by=actor,
                        external_id=(external_id or "").strip())
    assign(note, {"customer": customer, "contact": contact, "source": source, "date": date, "text": text,
                  "highlight": highlight}, NOTE_FIELDS)
    check(note, _note_errors(note), exclude=("product", "created_by", "processed_by"))
    ideas, features = _links(note, ideas, features)
    note.save()
    if ideas:
        note.ideas.set(ideas)
    if features:
        note.features.set(features)
    if note.customer_id and (ideas or features):
        _recount([idea.pk for idea in ideas], [feature.pk for feature in features])
    return note


@transaction.atomic
def note_ingest(*, actor: User, product: Product, text: str, date: date | None = None,
                source: str = FeedbackNote.Source.SUPPORT_TICKET, external_id: str = "",
                customer: Customer | None = None, contact: Contact | None = None,
                contact_email: str = "", contact_name: str = "", highlight: str = "") -> tuple[FeedbackNote, bool]:
    """A note posted by another tool (support desk, CRM) with a personal API token. The
    contact may be named by email: a known contact is used, an unknown one is added to
    `customer` when there is one. The same `external_id` from the same source returns the
    note already stored. Returns (note, created). Raises PermissionDenied or ValidationError."""
    access.ensure_can(actor, "feedback.edit", product)
    external_id = (external_id or "").strip()
    if external_id:
        existing = FeedbackNote.objects.filter(workspace_id=product.workspace_id, source=source,
                                               external_id=external_id).first()
        if existing is not None:
            return existing, False
    email = (contact_email or "").strip().lower()
    if contact is None and email:
        contact = Contact.objects.filter(workspace_id=product.workspace_id, email__iexact=email).first()
        if contact is None and customer is not None:
            from .customers import contact_create

            contact = contact_create(actor=actor, customer=customer, name=contact_name or email.split("@")[0],
                                     email=email)
    note = note_create(actor=actor, product=product, text=text, date=date or timezone.localdate(), source=source,
                       customer=customer, contact=contact, highlight=highlight, external_id=external_id)
    return note, True


@transaction.atomic
def note_update(*, actor: User, note: FeedbackNote, version: int | None = None, **changes) -> FeedbackNote:
    """Change a note's text, highlight, source, date, customer or contact. Raises
    PermissionDenied or ValidationError."""
    access.ensure_can(actor, "feedback.edit", note)
    current = locked(note, version)
    previous_customer_id = current.customer_id
    if "contact" in changes and "customer" not in changes and changes["contact"] is not None:
        current.customer = None  # follows the new contact
    assign(current, changes, NOTE_FIELDS)
    check(current, _note_errors(current), exclude=("product", "created_by", "processed_by"))
    current.save()
    if current.customer_id != previous_customer_id:
        _recount(*_linked_ids(current))
    return current


@transaction.atomic
def note_delete(*, actor: User, note: FeedbackNote) -> None:
    """Delete a note; the ideas and features it was linked to are recounted. Raises PermissionDenied."""
    access.ensure_can(actor, "feedback.edit", note)
    idea_ids, feature_ids = _linked_ids(note)
    note.delete()
    _recount(idea_ids, feature_ids)


@transaction.atomic
def note_link(*, actor: User, note: FeedbackNote, ideas: Iterable[Idea] = (),
              features: Iterable[Feature] = ()) -> FeedbackNote:
    """Link the note to more ideas and features (links already there stay). Raises
    PermissionDenied or ValidationError."""
    access.ensure_can(actor, "feedback.edit", note)
    ideas, features = _links(note, ideas, features)
    if ideas:
        note.ideas.add(*ideas)
    if features:
        note.features.add(*features)
    _recount([idea.pk for idea in ideas], [feature.pk for feature in features])
    return note


@transaction.atomic
def note_unlink(*, actor: User, note: FeedbackNote, ideas: Iterable[Idea] = (),
                features: Iterable[Feature] = ()) -> FeedbackNote:
    """Take the note off these ideas and features. Raises PermissionDenied."""
    access.ensure_can(actor, "feedback.edit", note)
    ideas, features = list(ideas), list(features)
    if ideas:
        note.ideas.remove(*ideas)
    if features:
        note.features.remove(*features)
    _recount([idea.pk for idea in ideas], [feature.pk for feature in features])
    return note


@transaction.atomic
def note_process(*, actor: User, note: FeedbackNote, processed: bool = True) -> FeedbackNote:
    """Mark a note triaged (or back to untriaged). Raises PermissionDenied."""
    access.ensure_can(actor, "feedback.edit", note)
    current = FeedbackNote.objects.select_for_update().get(pk=note.pk)
    if current.processed != processed:
        current.processed = processed
        current.processed_at = timezone.now() if processed else None
        current.processed_by = actor if processed else None
        current.save(update_fields=["processed", "processed_at", "processed_by", "updated_at"])
    return current
