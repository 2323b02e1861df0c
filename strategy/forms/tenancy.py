"""Forms for signing in and up, workspaces, members and invitations, products and the
account."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _

from ..models import Product, Role, product_key_validator


class SignInForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("Email"), widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )


class WorkspaceForm(forms.Form):
    name = forms.CharField(label=_("Workspace name"), max_length=100,
                           help_text=_("Usually your company or team name."))


class WorkspaceSettingsForm(WorkspaceForm):
    logo = forms.FileField(label=_("Logo"), required=False,
                           help_text=_("Optional. Shown on shared roadmaps: a PNG, JPEG or WebP image of at most "
                                       "100 KB."))
    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)

    def service_data(self) -> dict:
        """The service's arguments: the logo's bytes rather than the upload."""
        data = dict(self.cleaned_data)
        upload = data.pop("logo", None)
        data["logo"] = upload.read(200_000) if upload else None
        return data


class ProductForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Product
        fields = ["kind", "name", "key", "parent", "stage", "owner", "description"]
        help_texts = {
            "key": _("A short code used in feature keys, e.g. MOB for MOB-42. Capital letters and digits."),
            "kind": _("A product line groups related products in the portfolio."),
            "parent": _("Optional: the product line this belongs to."),
        }
        widgets = {
            "kind": forms.RadioSelect,
            "description": forms.Textarea(attrs={"rows": 4}),
            "key": forms.TextInput(attrs={"style": "text-transform: uppercase", "maxlength": 10}),
        }

    def __init__(self, *args, lines=None, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = lines if lines is not None else Product.objects.none()
        self.fields["parent"].empty_label = _("— none —")
        self.fields["owner"].queryset = members
        self.fields["owner"].empty_label = _("— nobody yet —")
        self.fields["owner"].label_from_instance = lambda user: user.display_name
        self.fields["parent"].label_from_instance = lambda product: product.name
        if self.instance.pk:
            self.fields["parent"].queryset = self.fields["parent"].queryset.exclude(pk=self.instance.pk)
            self.initial.setdefault("version", self.instance.version)

    def clean_key(self):
        key = self.cleaned_data["key"].strip().upper()
        product_key_validator(key)
        return key

    def _post_clean(self):
        # Uniqueness and cross-row rules are the service's job; skip ModelForm's model validation.
        pass


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.EDITOR,
                             help_text=_("Admins manage members; editors change anything; viewers read, "
                                         "comment and vote."))


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class SignUpForm(forms.Form):
    full_name = forms.CharField(label=_("Your name"), max_length=150)
    password = forms.CharField(label=_("Choose a password"), widget=forms.PasswordInput(
        attrs={"autocomplete": "new-password"}))

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean_password(self):
        from ..models import User

        password = self.cleaned_data["password"]
        validate_password(password, user=User(email=self.email, full_name=self.data.get("full_name", "")))
        return password


class ApiTokenForm(forms.Form):
    """The keyword arguments of `api_token_create`; `workspace` offers the user's workspaces."""

    name = forms.CharField(label=_("Token name"), max_length=80,
                           help_text=_("Where it will be used, e.g. “CI pipeline”."))
    workspace = forms.ModelChoiceField(
        label=_("Workspace"), queryset=None, required=False, empty_label=_("All my workspaces"),
        help_text=_("Limit the token to one workspace: requests for any other are refused."))
    read_only = forms.BooleanField(label=_("Read only"), required=False,
                                   help_text=_("The token can read but not change anything."))

    def __init__(self, *args, user, **kwargs):
        from ..models import Workspace

        super().__init__(*args, **kwargs)
        self.fields["workspace"].queryset = Workspace.objects.visible_to(user).order_by("name")


class ProfileForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150, required=False)
