"""Forms for releases and milestones. They shape and check input; saving goes through
releases.services (never `form.save()`), whose ValidationErrors the views fold back with
`strategy.forms.apply_service_errors`."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from strategy.forms import DateInput
from strategy.limits import TEXT_MAX_LENGTH, DateFormField

from ..models import Release


class ReleaseForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=120,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. Autumn launch")}),
    )
    version_label = forms.CharField(
        label=_("Version"), max_length=30, required=False,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. 2.4")}),
    )
    theme = forms.CharField(
        label=_("Theme"), required=False, max_length=TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What this release is about, in a sentence or two. Markdown is supported."),
    )
    start_date = DateFormField(label=_("Starts"), widget=DateInput)
    release_date = DateFormField(label=_("Release date"), widget=DateInput)
    status = forms.ChoiceField(label=_("Status"), choices=Release.Status.choices, initial=Release.Status.PLANNED)
    capacity = forms.DecimalField(
        label=_("Capacity"), required=False, min_value=0, max_digits=8, decimal_places=1,
        widget=forms.NumberInput(attrs={"step": "0.5", "min": "0", "placeholder": _("e.g. 80")}),
        help_text=_("How many estimate points the team can deliver in this release. "
                    "Planning more shows as over capacity."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("release_date")
        if start and end and end < start:
            self.add_error("release_date", _("The release date must be on or after the start date."))
        return data


class MilestoneForm(forms.Form):
    name = forms.CharField(
        label=_("Milestone"), max_length=120,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. Beta, code freeze")}),
    )
    date = DateFormField(label=_("Date"), widget=DateInput)
    description = forms.CharField(label=_("Description"), required=False, max_length=TEXT_MAX_LENGTH,
                                  widget=forms.Textarea(attrs={"rows": 3}))
