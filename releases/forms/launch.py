"""Forms for going to market: phase types and launch settings (admins), a release's phases
and to-dos, launch templates, messaging and release notes. Saving goes through
releases.services; their ValidationErrors are folded back with `apply_service_errors`."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from strategy.forms import DateInput
from strategy.limits import (
    LAUNCH_TEAM_MAX_LENGTH,
    LAUNCH_TEAMS_MAX_COUNT,
    OFFSET_DAYS_LIMIT,
    TEXT_MAX_LENGTH,
    DateFormField,
)
from strategy.models import Competitor, Persona, User

from ..models import PhaseType

WHEN_CHOICES = [("before", _("before launch")), ("after", _("after launch"))]


class PhaseTypeForm(forms.Form):
    name = forms.CharField(label=_("Phase"), max_length=40,
                           widget=forms.TextInput(attrs={"placeholder": _("e.g. Early access")}))
    colour = forms.CharField(label=_("Colour"), max_length=7, initial="#2563eb",
                             widget=forms.TextInput(attrs={"type": "color"}))


class LaunchSettingsForm(forms.Form):
    teams = forms.CharField(
        label=_("Teams"), max_length=LAUNCH_TEAMS_MAX_COUNT * (LAUNCH_TEAM_MAX_LENGTH + 2),
        help_text=_("The teams launch to-dos belong to, separated by commas."))
    viewers_tick_own = forms.BooleanField(
        label=_("Viewers may tick off their own to-dos"), required=False,
        help_text=_("Sales, support and others with the viewer role can mark the launch to-dos assigned to them "
                    "done. They cannot change anything else."))

    def clean_teams(self) -> list[str]:
        return [team.strip() for team in self.cleaned_data["teams"].split(",") if team.strip()]


class ReleasePhaseForm(forms.Form):
    phase_type = forms.ModelChoiceField(label=_("Phase"), queryset=PhaseType.objects.none(), empty_label=None)
    start_date = DateFormField(label=_("Starts"), widget=DateInput)
    end_date = DateFormField(label=_("Ends"), widget=DateInput)

    def __init__(self, *args, workspace, choices: list[PhaseType] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["phase_type"]
        field.queryset = PhaseType.objects.filter(workspace=workspace).order_by("position", "id")
        if choices is not None:  # already read: offer them without another query
            field.choices = [(t.pk, t.name) for t in choices]


class DueFields(forms.Form):
    """A due date given as a day, or as a number of days before or after launch."""

    offset = forms.IntegerField(label=_("Days"), required=False, min_value=0, max_value=OFFSET_DAYS_LIMIT,
                                widget=forms.NumberInput(attrs={"min": "0", "placeholder": "5"}))
    when = forms.ChoiceField(label=_("Relative to launch"), choices=WHEN_CHOICES, initial="before")

    def offset_days(self) -> int | None:
        offset = self.cleaned_data.get("offset")
        if offset is None:
            return None
        return -offset if self.cleaned_data.get("when") == "before" else offset


def _team_choices(teams: list[str]) -> list[tuple[str, str]]:
    return [("", _("— no team —"))] + [(team, team) for team in teams]


class TodoForm(DueFields):
    title = forms.CharField(label=_("To-do"), max_length=200,
                            widget=forms.TextInput(attrs={"placeholder": _("e.g. Brief the sales team")}))
    team = forms.ChoiceField(label=_("Team"), required=False)
    assignee = forms.ModelChoiceField(label=_("Assignee"), queryset=User.objects.none(), required=False,
                                      empty_label=_("— nobody yet —"))
    due_date = DateFormField(label=_("Due"), required=False, widget=DateInput,
                             help_text=_("A fixed day, or leave empty and give days before or after launch."))
    field_order = ["title", "team", "assignee", "due_date", "offset", "when"]

    def __init__(self, *args, teams: list[str], members, member_choices: list[User] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = _team_choices(teams)
        field = self.fields["assignee"]
        field.queryset = members
        if member_choices is not None:  # already read: offer them without another query
            field.choices = [("", field.empty_label), *((user.pk, field.label_from_instance(user))
                                                        for user in member_choices)]

    def clean(self):
        data = super().clean()
        if data.get("due_date") and data.get("offset") is not None:
            self.add_error("due_date", _("Give either a due date or a number of days from launch, not both."))
        return data

    def service_data(self) -> dict:
        data = {name: self.cleaned_data[name] for name in ("title", "team", "assignee")}
        offset_days = self.offset_days()
        if offset_days is not None:
            data["offset_days"] = offset_days
        else:
            data["due_date"] = self.cleaned_data.get("due_date")
        return data


class TemplateForm(forms.Form):
    name = forms.CharField(label=_("Template"), max_length=120,
                           widget=forms.TextInput(attrs={"placeholder": _("e.g. Major launch")}))
    description = forms.CharField(label=_("Description"), max_length=300, required=False)


class TemplateItemForm(DueFields):
    title = forms.CharField(label=_("To-do"), max_length=200,
                            widget=forms.TextInput(attrs={"placeholder": _("e.g. Publish the blog post")}))
    team = forms.ChoiceField(label=_("Team"), required=False)
    field_order = ["title", "team", "offset", "when"]

    def __init__(self, *args, teams: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = _team_choices(teams)
        self.fields["offset"].required = True
        self.fields["offset"].help_text = _("0 for launch day.")

    def service_data(self) -> dict:
        return {"title": self.cleaned_data["title"], "team": self.cleaned_data["team"],
                "offset_days": self.offset_days()}


class ApplyTemplateForm(forms.Form):
    template = forms.ChoiceField(label=_("Launch template"))

    def __init__(self, *args, templates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = [(t.pk, t.name) for t in templates]


class MessagingForm(forms.Form):
    key_messages = forms.CharField(
        label=_("Key messages"), required=False, max_length=TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What customers should remember about this release, one message per line or bullet. "
                    "Markdown is supported."))
    personas = forms.ModelMultipleChoiceField(label=_("Target personas"), queryset=Persona.objects.none(),
                                              required=False, widget=forms.CheckboxSelectMultiple)
    competitors = forms.ModelMultipleChoiceField(label=_("Competitors it answers"),
                                                 queryset=Competitor.objects.none(), required=False,
                                                 widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, lineage: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["personas"].queryset = Persona.objects.filter(product_id__in=lineage).order_by("name")
        self.fields["competitors"].queryset = Competitor.objects.filter(product_id__in=lineage).order_by("name")


class ReleaseNoteForm(forms.Form):
    body = forms.CharField(
        label=_("Release notes"), required=False, max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 16, "class": "mono"}),
        help_text=_("Markdown. What customers read in the public changelog once published."))
