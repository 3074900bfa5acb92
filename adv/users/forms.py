"""Account forms: login, second factor, profile, invitation sign-up, password reset.

The login form keeps Django's field name `username` (django-axes reads it, see
AXES_USERNAME_FORM_FIELD) but asks for an email address.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from .models import User

CODE_INPUT_CLASS = "adv-totp-input"  # static/css/adv.css: no style attribute under the CSP


class BootstrapFormMixin:
    """Bootstrap 5 classes on every widget, and `is-invalid` on the fields in error."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


class LoginForm(BootstrapFormMixin, auth_forms.AuthenticationForm):
    username = forms.EmailField(
        label=_("Adresse e-mail"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "username", "inputmode": "email"}),
    )
    password = forms.CharField(
        label=_("Mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    remember_me = forms.BooleanField(label=_("Rester connecté sur cet appareil"), required=False)

    error_messages = {
        "invalid_login": _("Adresse e-mail ou mot de passe incorrect."),
        "inactive": _("Ce compte est désactivé."),
    }

    def clean_username(self) -> str:
        # One spelling per address, so that django-axes counts "Alice@..." and "alice@..." together.
        return self.cleaned_data["username"].strip().lower()


class OTPCodeForm(BootstrapFormMixin, forms.Form):
    """A code from the authenticator app (6 digits) or a backup code (8 characters)."""

    code = forms.CharField(
        label=_("Code de vérification"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "autocapitalize": "off", "spellcheck": "false",
                   "class": "adv-code-input"}
        ),
    )


class TOTPConfirmForm(BootstrapFormMixin, forms.Form):
    code = forms.RegexField(
        label=_("Code à 6 chiffres affiché par l'application"),
        regex=r"^\s*\d{3}\s?\d{3}\s*$",
        error_messages={"invalid": _("Saisissez les 6 chiffres affichés par l'application.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "maxlength": 7, "class": CODE_INPUT_CLASS}
        ),
    )


class ProfileForm(BootstrapFormMixin, forms.ModelForm):
    language = forms.ChoiceField(label=_("Langue de l'interface"), choices=settings.LANGUAGES)

    class Meta:
        model = User
        fields = ["first_name", "last_name", "language"]
        labels = {"first_name": _("Prénom"), "last_name": _("Nom")}
        widgets = {
            "first_name": forms.TextInput(attrs={"autocomplete": "given-name"}),
            "last_name": forms.TextInput(attrs={"autocomplete": "family-name"}),
        }


class InvitationSignupForm(BootstrapFormMixin, forms.Form):
    """A new account for the invited address: a name and a password (Django's validators)."""

    first_name = forms.CharField(
        label=_("Prénom"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "given-name", "autofocus": True})
    )
    last_name = forms.CharField(label=_("Nom"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "family-name"}))
    password1 = forms.CharField(
        label=_("Mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Au moins 10 caractères, pas uniquement des chiffres, ni trop proche de votre nom ou de votre e-mail."),
    )
    password2 = forms.CharField(
        label=_("Confirmation du mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("Les deux mots de passe ne correspondent pas."))
        elif password1:
            candidate = User(email=self.email, first_name=cleaned.get("first_name", ""), last_name=cleaned.get("last_name", ""))
            try:
                password_validation.validate_password(password1, user=candidate)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned


class PasswordResetForm(BootstrapFormMixin, auth_forms.PasswordResetForm):
    """Also reaches accounts created without a password (an operator's `create_tenant` without
    `--admin-password` expects the admin to choose one this way)."""

    email = forms.EmailField(
        label=_("Adresse e-mail"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )

    def get_users(self, email):
        return (
            user
            for user in User._default_manager.filter(email__iexact=email, is_active=True)
            if user.email.casefold() == email.casefold()
        )


class SetPasswordForm(BootstrapFormMixin, auth_forms.SetPasswordForm):
    pass


class PasswordChangeForm(BootstrapFormMixin, auth_forms.PasswordChangeForm):
    pass
