"""Write operations for a release's messaging and its release notes.

Invariants protected here:
- messaging names only personas and competitors of the release's product (or its product line);
- release notes are written and published by editors; publishing happens once: publishing
  published notes changes nothing (not the date, not who published them);
- notes are stored as Markdown and shown only through the sanitising renderer."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from strategy import access
from strategy.models import Competitor, Persona, User
from strategy.selectors import product_lineage_ids

from ..models import Feature, Release, ReleaseMessaging, ReleaseNote, StatusCategory
from .records import full_clean


@transaction.atomic
def messaging_update(*, actor: User, release: Release, key_messages: str | None = None,
                     personas: list[Persona] | None = None,
                     competitors: list[Competitor] | None = None) -> ReleaseMessaging:
    """Set the release's key messages, target personas and competitors answered (what is not
    given stays). Raises PermissionDenied or ValidationError."""
    access.ensure_can(actor, "releases.edit", release)
    messaging, _created = ReleaseMessaging.objects.select_for_update().get_or_create(release=release)
    lineage = set(product_lineage_ids(release.product))
    errors = {}
    if personas is not None and any(p.product_id not in lineage for p in personas):
        errors["personas"] = _("Choose personas of %(product)s or its product line.") % {
            "product": release.product.name}
    if competitors is not None and any(c.product_id not in lineage for c in competitors):
        errors["competitors"] = _("Choose competitors of %(product)s or its product line.") % {
            "product": release.product.name}
    if key_messages is not None:
        messaging.key_messages = key_messages.replace("\r\n", "\n").strip()
    full_clean(messaging, errors, exclude=["release"])
    messaging.save()
    if personas is not None:
        messaging.personas.set(personas)
    if competitors is not None:
        messaging.competitors.set(competitors)
    return messaging


def release_note_draft(*, release: Release) -> str:
    """Markdown drafted from the release's shipped features marked "in release notes": one
    section per feature, its customer-facing description or, lacking one, just its title."""
    features = (Feature.objects.filter(release=release, in_release_notes=True,
                                       status__category=StatusCategory.DONE)
                .order_by("rank", "id").values_list("title", "customer_description"))
    parts = []
    for title, description in features:
        title = " ".join(title.split())
        parts.append(f"### {title}\n\n{description.strip()}" if description.strip() else f"### {title}")
    return "\n\n".join(parts)


@transaction.atomic
def release_note_save(*, actor: User, release: Release, body: str) -> ReleaseNote:
    """Save the notes' Markdown (published notes may still be corrected; the changelog shows
    the current text). Raises PermissionDenied or ValidationError (too long)."""
    access.ensure_can(actor, "releases.edit", release)
    note, _created = ReleaseNote.objects.select_for_update().get_or_create(release=release)
    note.body = body.replace("\r\n", "\n").strip()
    full_clean(note, {}, exclude=["release", "published_by"])
    note.save()
    return note


@dataclass
class Published:
    note: ReleaseNote
    changed: bool  # False: the notes were published already, and nothing changed

    @property
    def message(self) -> str:
        if self.changed:
            return _("Release notes published to the public changelog.")
        return _("These release notes were already published on %(day)s; nothing changed.") % {
            "day": timezone.localtime(self.note.published_at).strftime("%-d %b %Y")}


@transaction.atomic
def release_note_publish(*, actor: User, release: Release) -> Published:
    """Publish the release's notes to the product's public changelog, once. Raises
    PermissionDenied (editors only) or ValidationError (no notes written yet)."""
    access.ensure_can(actor, "releases.edit", release)
    note = ReleaseNote.objects.select_for_update().filter(release=release).first()
    if note is not None and note.published_at is not None:
        return Published(note, changed=False)
    if note is None or not note.body.strip():
        raise ValidationError({"body": _("Write the release notes before publishing them.")})
    note.published_at = timezone.now()
    note.published_by = actor
    note.save(update_fields=["published_at", "published_by", "updated_at"])
    return Published(note, changed=True)
