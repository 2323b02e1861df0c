"""The upload form of a product's import page. Reading the file is the service's business
(`releases.services.imports.read_file`); its ImportFileError lands on the file field."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"), help_text=_("A CSV (Waymark's columns, or an export of Jira or Aha!) or a JSON list."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.json,.txt,text/csv,application/json"}))
