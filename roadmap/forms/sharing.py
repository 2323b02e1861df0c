"""Input shapes of the share link pages."""

from __future__ import annotations

from datetime import datetime, time

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from strategy.forms import DateInput
from strategy.limits import DateFormField

from ..models import ShareLink


class ShareLinkForm(forms.Form):
    title = forms.CharField(
        label=_("Title"), required=False, max_length=120,
        help_text=_("Optional. Shown on top of the shared page and in this list, e.g. “Q3 plan for the board”."))
    intro = forms.CharField(
        label=_("Introduction"), required=False, max_length=600, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Optional. A sentence or two for the reader, above the roadmap."))
    view = forms.ChoiceField(label=_("View"), choices=ShareLink.View.choices)
    expires_on = DateFormField(
        label=_("Expires on"), required=False, widget=DateInput(),
        help_text=_("Optional. The link stops working at the end of this day."))
    password = forms.CharField(
        label=_("Password"), required=False, max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}, render_value=False),
        help_text=_("Optional. Visitors type it once per browser session."))
    show_estimates = forms.BooleanField(
        label=_("Show estimates"), required=False,
        help_text=_("Release timeline only: show the features' estimates and the points done. Off, the link "
                    "shows feature counts only."))
    show_messaging = forms.BooleanField(
        label=_("Show messaging"), required=False,
        help_text=_("Release timeline only: show each release's key messages, target personas and the competitors "
                    "it answers."))

    def __init__(self, *args, is_line: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not is_line:
            self.fields["view"].choices = [c for c in ShareLink.View.choices if c[0] != ShareLink.View.PORTFOLIO]

    def expires_at(self) -> datetime | None:
        day = self.cleaned_data.get("expires_on")
        if day is None:
            return None
        return timezone.make_aware(datetime.combine(day, time.max.replace(microsecond=0)))


class SharePasswordForm(forms.Form):
    password = forms.CharField(label=_("Password"), max_length=128,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password",
                                                                 "autofocus": True}))
