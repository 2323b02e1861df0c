"""Forms for the workspace's workflow statuses. They shape and check input; saving goes
through releases.services (never `form.save()`), whose ValidationErrors the views fold back
with `strategy.forms.apply_service_errors`."""

from __future__ import annotations

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from ..models import StatusCategory, WorkflowStatus


class WorkflowStatusForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=40,
                           widget=forms.TextInput(attrs={"placeholder": _("e.g. In QA")}))
    category = forms.ChoiceField(
        label=_("Category"), choices=StatusCategory.choices, initial=StatusCategory.IN_PROGRESS,
        help_text=_("What the status means for progress: done features count as delivered, "
                    "won't-do features leave the scope."),
    )


class WorkflowStatusMoveForm(forms.Form):
    position = forms.IntegerField(required=False, min_value=1)
    direction = forms.ChoiceField(required=False, choices=[("up", "up"), ("down", "down")])

    def clean(self):
        data = super().clean()
        if not data.get("position") and not data.get("direction"):
            raise forms.ValidationError(_("Say where to move the status: up, down or a position."))
        return data


class WorkflowStatusRetireForm(forms.Form):
    move_to = forms.ModelChoiceField(
        label=_("Move its features to"), queryset=WorkflowStatus.objects.none(), required=False,
        empty_label=_("— keep them in the retired status —"),
        help_text=_("Features are never lost: they either stay where they are, or move to the status you choose."),
    )

    def __init__(self, *args, statuses: QuerySet[WorkflowStatus], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["move_to"].queryset = statuses
