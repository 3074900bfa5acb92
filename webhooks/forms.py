"""The endpoint form of the settings page (the service validates the URL and the events again)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .event_types import choices


class EndpointForm(forms.Form):
    url = forms.URLField(
        label=_("Adresse (URL)"), max_length=2000, assume_scheme="https",
        help_text=_("L'adresse https:// de votre système qui reçoit les événements (requêtes POST signées)."),
        widget=forms.URLInput(attrs={"class": "form-control", "placeholder": "https://erp.example.com/hooks/adv"}),
    )  # fmt: skip
    description = forms.CharField(
        label=_("Description"), max_length=200, required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )  # fmt: skip
    event_types = forms.MultipleChoiceField(
        label=_("Événements envoyés"), choices=choices, widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    is_enabled = forms.BooleanField(
        label=_("Actif"), required=False, initial=True, widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
        help_text=_("Désactivé, il ne reçoit plus rien ; les événements de la période ne lui seront pas envoyés."),
    )  # fmt: skip
