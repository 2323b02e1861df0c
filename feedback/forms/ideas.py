"""Forms of the idea pages: create and edit an idea, change its status, vote on behalf of a
contact, comment, promote and merge. They shape and check input; saving goes through
feedback.services (never `form.save()`), whose ValidationErrors the views fold back with
`strategy.forms.apply_service_errors`."""

from __future__ import annotations

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from releases.forms import FEATURE_KEY
from strategy.limits import COMMENT_MAX_LENGTH, NOTE_MAX_LENGTH, TEXT_MAX_LENGTH

from ..models import Contact, Idea, IdeaComment
from .widgets import LongSelect, contact_choices

SORTS = {
    "votes": _("Most votes"),
    "demand": _("Weighted demand"),
    "trend": _("Trending"),
    "recent": _("Newest"),
}
DEFAULT_SORT = "demand"


class IdeaForm(forms.Form):
    title = forms.CharField(
        label=_("Title"), max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. Export reports to Excel"), "autocomplete": "off"}),
        error_messages={"required": _("Give the idea a title: what people ask for, in a few words.")},
    )
    description = forms.CharField(
        label=_("Description"), required=False, max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("The problem behind the request and who has it. Markdown is supported."),
    )
    category = forms.CharField(
        label=_("Category"), required=False, max_length=60,
        widget=forms.TextInput(attrs={"list": "idea-categories", "autocomplete": "off",
                                      "placeholder": _("e.g. Reporting")}),
    )
    visibility = forms.ChoiceField(label=_("Visibility"), choices=Idea.Visibility.choices,
                                   initial=Idea.Visibility.INTERNAL, widget=forms.RadioSelect)
    submitted_by_contact = forms.ModelChoiceField(
        label=_("Submitted on behalf of"), queryset=Contact.objects.none(), required=False,
        empty_label=_("— you —"), widget=LongSelect,
        help_text=_("The customer contact who asked for it, when you enter it for them."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, contacts: QuerySet[Contact], editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        contact_choices(self.fields["submitted_by_contact"], contacts)
        if editing:
            del self.fields["submitted_by_contact"]
        else:
            del self.fields["version"]

    def service_data(self) -> dict:
        """cleaned_data as the services take it (without the version)."""
        return {name: value for name, value in self.cleaned_data.items() if name != "version"}


class IdeaStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Idea.Status.choices)
    note = forms.CharField(
        label=_("Public note"), required=False, max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": _("Why, in a sentence customers can read")}),
        help_text=_("Shown with the status on the ideas portal."),
    )


class VoteForContactForm(forms.Form):
    contact = forms.ModelChoiceField(
        label=_("Vote on behalf of"), queryset=Contact.objects.none(), empty_label=_("— choose a contact —"),
        widget=LongSelect,
        error_messages={"required": _("Choose the contact who asked for it."),
                        "invalid_choice": _("Choose a contact of this workspace.")},
    )

    def __init__(self, *args, contacts: QuerySet[Contact], **kwargs):
        super().__init__(*args, **kwargs)
        contact_choices(self.fields["contact"], contacts)


class IdeaCommentForm(forms.Form):
    body = forms.CharField(
        label=_("Comment"), max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": _("Write a comment…")}),
        error_messages={"required": _("Write a comment.")},
        help_text=_("Markdown is supported."),
    )
    visibility = forms.ChoiceField(
        label=_("Who sees it"), choices=[(IdeaComment.Visibility.INTERNAL, _("Internal: members only")),
                                         (IdeaComment.Visibility.PUBLIC, _("Public: also on the portal"))],
        initial=IdeaComment.Visibility.INTERNAL,
    )


class PromoteForm(forms.Form):
    """Promote to a new feature (`title`), or link an existing feature of the product (`feature`, a key)."""

    NEW, EXISTING = "new", "existing"
    how = forms.ChoiceField(choices=[(NEW, _("Create a new feature")), (EXISTING, _("Link an existing feature"))],
                            initial=NEW, widget=forms.RadioSelect, label=_("How"))
    title = forms.CharField(label=_("Feature title"), max_length=200, required=False)
    feature = forms.CharField(
        label=_("Feature"), max_length=250, required=False,
        widget=forms.TextInput(attrs={"list": "promote-features", "autocomplete": "off", "spellcheck": "false",
                                      "placeholder": _("Feature key, e.g. MOB-12")}),
    )

    def clean(self) -> dict:
        data = super().clean()
        if data.get("how") == self.EXISTING:
            match = FEATURE_KEY.match(data.get("feature") or "")
            if match is None:
                self.add_error("feature", _("Type the key of a feature of this product, such as MOB-12."))
            else:
                data["feature_key"] = (match.group(1).upper(), int(match.group(2)))
        elif data.get("how") == self.NEW and not (data.get("title") or "").strip():
            self.add_error("title", _("Give the new feature a title."))
        return data


class MergeForm(forms.Form):
    target = forms.IntegerField(
        label=_("Merge into idea"), min_value=1,
        widget=forms.NumberInput(attrs={"placeholder": _("Idea number"), "list": "merge-targets"}),
        error_messages={"required": _("Choose the idea to merge this one into."),
                        "invalid": _("Choose the idea to merge this one into."),
                        "min_value": _("Choose the idea to merge this one into.")},
    )
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)
