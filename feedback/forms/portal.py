"""Input shapes of the public ideas portal (sign-in, ideas, comments) and of its settings
page in the app. The portal's forms carry a honeypot field (`website`): hidden from people
by CSS and from assistive technology, filled in by bots, whose submissions are then
discarded without a word."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from strategy.limits import COMMENT_MAX_LENGTH, NOTE_MAX_LENGTH, TEXT_MAX_LENGTH

from ..models import Idea, PortalSettings, PortalUser

TITLE_MAX_LENGTH = Idea._meta.get_field("title").max_length
HONEYPOT = "website"


class HoneypotMixin:
    """Adds the `website` trap; `is_bot` says whether it was filled in."""

    def add_honeypot(self) -> None:
        self.fields[HONEYPOT] = forms.CharField(
            required=False, label=_("Leave this empty"),
            widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}))

    @property
    def is_bot(self) -> bool:
        return bool((self.data.get(self.add_prefix(HONEYPOT)) or "").strip())


class PortalSignInForm(HoneypotMixin, forms.Form):
    email = forms.EmailField(label=_("Email"), max_length=254,
                             widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
                             help_text=_("We email you a link that signs you in. No password needed."))
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_honeypot()


class PortalIdeaForm(HoneypotMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX_LENGTH,
                            help_text=_("One line: what should the product do?"),
                            widget=forms.TextInput(attrs={"autocomplete": "off"}))
    description = forms.CharField(label=_("Details"), required=False, max_length=TEXT_MAX_LENGTH,
                                  widget=forms.Textarea(attrs={"rows": 6}),
                                  help_text=_("Why you need it and how you work around it today. Markdown works."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_honeypot()


class PortalCommentForm(HoneypotMixin, forms.Form):
    body = forms.CharField(label=_("Your comment"), max_length=COMMENT_MAX_LENGTH,
                           widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("Shown publicly with your name. Markdown works."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_honeypot()


class PortalPreferencesForm(forms.Form):
    name = forms.CharField(
        label=_("Your name"), required=False, max_length=PortalUser._meta.get_field("name").max_length,
        help_text=_("Shown with your ideas and comments. Your email address is never shown."))
    emails = forms.BooleanField(label=_("Email me when an idea I voted for or suggested ships"), required=False)


class PortalSettingsForm(forms.Form):
    enabled = forms.BooleanField(label=_("Open the public ideas portal"), required=False)
    title = forms.CharField(label=_("Portal title"), required=False,
                            max_length=PortalSettings._meta.get_field("title").max_length,
                            help_text=_("Shown at the top of the portal; the product name when empty."))
    welcome = forms.CharField(label=_("Welcome text"), required=False, max_length=NOTE_MAX_LENGTH,
                              widget=forms.Textarea(attrs={"rows": 4}),
                              help_text=_("A few lines above the ideas: what you want to hear about. Markdown works."))
