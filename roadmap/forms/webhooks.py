"""The webhook form of the workspace settings."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import WebhookEvent


class WebhookForm(forms.Form):
    url = forms.URLField(label=_("Payload URL"), max_length=500, assume_scheme="https",
                         help_text=_("Waymark POSTs a JSON body here, signed with the webhook's secret."))
    description = forms.CharField(label=_("Description"), max_length=200, required=False,
                                  help_text=_("What listens there, for the next admin."))
    events = forms.MultipleChoiceField(label=_("Events"), choices=WebhookEvent.choices,
                                       widget=forms.CheckboxSelectMultiple)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True,
                                   help_text=_("Switched off, the webhook keeps its log and receives nothing."))
