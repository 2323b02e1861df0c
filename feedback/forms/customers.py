"""Forms of the customer pages: a customer and its contacts."""

from __future__ import annotations

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from strategy.models import User

from ..models import Customer


class CustomerForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120,
                           error_messages={"required": _("Give the customer's name.")})
    domain = forms.CharField(label=_("Domain"), max_length=120, required=False,
                             widget=forms.TextInput(attrs={"placeholder": "acme.com", "spellcheck": "false"}))
    segment = forms.ChoiceField(label=_("Segment"), choices=Customer.Segment.choices, initial=Customer.Segment.SMB)
    plan = forms.CharField(label=_("Plan"), max_length=60, required=False,
                           widget=forms.TextInput(attrs={"placeholder": _("e.g. Business")}))
    annual_revenue = forms.DecimalField(
        label=_("Annual revenue (ARR)"), min_value=0, max_digits=14, decimal_places=2, initial=0,
        help_text=_("What they pay a year. It weighs the demand of every idea they ask for."),
        error_messages={"min_value": _("Revenue cannot be negative.")},
        widget=forms.NumberInput(attrs={"min": "0", "step": "100"}),
    )
    owner = forms.ModelChoiceField(label=_("Account owner"), queryset=User.objects.none(), required=False,
                                   empty_label=_("— nobody —"))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, members: QuerySet[User], editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = members
        self.fields["owner"].label_from_instance = lambda user: user.display_name
        if not editing:
            del self.fields["version"]

    def service_data(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name != "version"}


class ContactForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120,
                           error_messages={"required": _("Give the contact's name.")})
    email = forms.EmailField(label=_("Email"), required=False)
