"""Input shape of the ingest keys page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class IngestKeyForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=100,
        help_text=_("What sends events with this key, e.g. “Web app” or “iOS app”."))
