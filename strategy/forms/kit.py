"""The form kit every app's pages share: the date picker, the hidden version of the record
being edited, and folding a service's ValidationError back into a form."""

from django import forms


class DateInput(forms.DateInput):
    """The browser's date picker, given and sending ISO dates whatever the locale."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def apply_service_errors(form: forms.Form, exc) -> None:
    """Fold a service's ValidationError back into the form, by field where the form has it.
    A refused stale edit also re-arms the form's `version` with the current one, so the
    person can compare and then save their input again on purpose."""
    current_version = getattr(exc, "current_version", None)
    if current_version is not None and "version" in form.fields:
        form.data = form.data.copy()
        form.data[form.add_prefix("version")] = current_version
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = field if field in form.fields else None
            for error in errors:
                form.add_error(target, error)
    else:
        form.add_error(None, exc)


class VersionedFormMixin:
    """Carries the version of the record being edited in a hidden field."""

    def add_version_field(self, version: int | None) -> None:
        self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput, required=False)
        if version is not None:
            self.initial.setdefault("version", version)
