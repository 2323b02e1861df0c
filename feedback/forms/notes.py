"""Forms of the feedback-note pages: capture what a customer said, and the triage picker."""

from __future__ import annotations

import re

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from releases.forms import FEATURE_KEY
from strategy.forms import DateInput
from strategy.limits import IDS_MAX_COUNT, TEXT_MAX_LENGTH, DateFormField, too_many_message

from ..models import Contact, Customer, FeedbackNote
from .widgets import LongSelect, contact_choices, plain_choices

IDEA_REF = re.compile(r"#?(\d+)")


class ReferencesField(forms.CharField):
    """Comma-separated references in, a list of parsed references out: idea numbers ("#12")
    or feature keys ("MOB-12"), as the page's datalists fill them."""

    def __init__(self, *, pattern: re.Pattern, parse, invalid: str, **kwargs):
        self.pattern, self.parse, self.invalid = pattern, parse, invalid
        super().__init__(required=False, max_length=IDS_MAX_COUNT * 12, **kwargs)

    def to_python(self, value) -> list:
        text = super().to_python(value)
        found = []
        for part in (p.strip() for p in text.split(",")):
            if not part:
                continue
            match = self.pattern.match(part)
            if match is None:
                raise forms.ValidationError(self.invalid % {"value": part[:40]}, code="invalid")
            reference = self.parse(match)
            if reference not in found:
                found.append(reference)
        if len(found) > IDS_MAX_COUNT:
            raise forms.ValidationError(too_many_message(IDS_MAX_COUNT, _("links")), code="too_many")
        return found


def _idea_ref(match: re.Match) -> int:
    return int(match.group(1))


def _feature_ref(match: re.Match) -> tuple[str, int]:
    return match.group(1).upper(), int(match.group(2))


class FeedbackNoteForm(forms.Form):
    customer = forms.ModelChoiceField(label=_("Customer"), queryset=Customer.objects.none(), required=False,
                                      empty_label=_("— unknown —"), widget=LongSelect)
    contact = forms.ModelChoiceField(label=_("Contact"), queryset=Contact.objects.none(), required=False,
                                     empty_label=_("— nobody in particular —"), widget=LongSelect,
                                     help_text=_("Who said it; their customer is used when you leave that empty."))
    source = forms.ChoiceField(label=_("Source"), choices=FeedbackNote.Source.choices,
                               initial=FeedbackNote.Source.CALL)
    date = DateFormField(label=_("Date"), widget=DateInput)
    text = forms.CharField(
        label=_("What they said"), max_length=TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 7}),
        help_text=_("Verbatim: paste the email or write down their words, not your interpretation."),
        error_messages={"required": _("Write down what the customer said.")},
    )
    highlight = forms.CharField(
        label=_("Highlight"), required=False, max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Copy the passage that matters from the text above; it is marked wherever the note shows."),
    )
    ideas = ReferencesField(
        label=_("Ideas"), pattern=IDEA_REF, parse=_idea_ref,
        invalid=_("“%(value)s” is not an idea number: pick ideas from the list, such as #12."),
        widget=forms.TextInput(attrs={"list": "note-ideas", "autocomplete": "off", "placeholder": "#12, #40"}),
        help_text=_("Idea numbers, separated by commas."),
    )
    features = ReferencesField(
        label=_("Features"), pattern=FEATURE_KEY, parse=_feature_ref,
        invalid=_("“%(value)s” is not a feature key: type keys such as MOB-12."),
        widget=forms.TextInput(attrs={"list": "note-features", "autocomplete": "off", "spellcheck": "false",
                                      "placeholder": "MOB-12"}),
        help_text=_("Feature keys, separated by commas."),
    )

    def __init__(self, *args, customers: QuerySet[Customer], contacts: QuerySet[Contact], **kwargs):
        super().__init__(*args, **kwargs)
        plain_choices(self.fields["customer"], customers)
        contact_choices(self.fields["contact"], contacts)

    def clean(self) -> dict:
        data = super().clean()
        # As the service stores them: \n line breaks, trimmed; the passage must then appear word for word.
        text = (data.get("text") or "").replace("\r\n", "\n").strip()
        highlight = (data.get("highlight") or "").replace("\r\n", "\n").strip()
        data["highlight"] = highlight
        if highlight and text and highlight not in text:
            self.add_error("highlight", _("The highlight must be a passage of the text: copy it from there."))
        return data


class LinkForm(forms.Form):
    """One link made in the triage inbox: an idea (its number) or a feature (its key)."""

    idea = forms.IntegerField(required=False, min_value=1)
    feature = forms.CharField(required=False, max_length=60)

    def clean(self) -> dict:
        data = super().clean()
        feature = (data.get("feature") or "").strip()
        if feature:
            match = FEATURE_KEY.match(feature)
            if match is None:
                raise forms.ValidationError(_("Type a feature key such as MOB-12."))
            data["feature_key"] = _feature_ref(match)
        elif not data.get("idea"):
            raise forms.ValidationError(_("Choose an idea or a feature to link."))
        return data
