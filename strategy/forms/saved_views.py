"""Input shape of saving, renaming and sharing a view; the rules are the service's."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import SavedView
from ..models.saved_views import SAVED_VIEW_NAME_MAX_LENGTH, SAVED_VIEW_QUERY_MAX_LENGTH


class SavedViewForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=SAVED_VIEW_NAME_MAX_LENGTH,
                           error_messages={"required": _("Name the view.")},
                           widget=forms.TextInput(attrs={"placeholder": _("e.g. My open work"),
                                                         "autocomplete": "off"}))
    shared = forms.BooleanField(label=_("Share with the workspace"), required=False,
                                help_text=_("Everyone in the workspace sees it in the sidebar; only you change it."))
    kind = forms.ChoiceField(choices=SavedView.Kind.choices, widget=forms.HiddenInput)
    query = forms.CharField(required=False, max_length=SAVED_VIEW_QUERY_MAX_LENGTH, widget=forms.HiddenInput,
                            error_messages={"max_length": _("These filters are too long to save.")})


class SavedViewRenameForm(forms.Form):
    name = SavedViewForm.base_fields["name"]
    shared = SavedViewForm.base_fields["shared"]
