"""What every strategy record shares: its base model and the colour rule."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .tenancy import TimeStampedModel, Workspace, WorkspaceScopedQuerySet

colour_validator = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Use a hex colour such as #4f46e5."))


class StrategyRecord(TimeStampedModel):
    """What every strategy record has: its workspace, who created it, and a change history."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("created by"),
    )
    # Bumped on every save; an edit made from an older version is refused (services).
    version = models.PositiveIntegerField(default=1)

    objects = WorkspaceScopedQuerySet.as_manager()

    class Meta:
        abstract = True

