"""Input shape of the page that binds a key result to a metric."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Metric


class ReleaseChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, release) -> str:
        name = " ".join(filter(None, [release.version_label, release.name]))
        return f"{release.product.name}: {name} ({release.release_date:%-d %b %Y})"


class KeyResultBindingForm(forms.Form):
    metric = forms.ChoiceField(label=_("Metric"), choices=[("", "—")] + Metric.choices)
    product = forms.ModelChoiceField(label=_("Product"), queryset=None,
                                     help_text=_("Whose usage or delivery the metric measures."))
    release = ReleaseChoiceField(label=_("Release"), queryset=None, required=False,
                                 help_text=_("Release progress and chance of making the date only."))
    feature_key = forms.CharField(label=_("Feature key"), required=False, max_length=50,
                                  help_text=_("Feature adoption and feature users only: the key your product "
                                              "sends with usage events, e.g. csv-export."))

    def __init__(self, *args, products, releases, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = products
        self.fields["release"].queryset = releases
