from django import forms
from django.utils.translation import gettext_lazy as _

from .models import PlatformAccount
from .statuses import Lifecycle


class AccountForm(forms.ModelForm):
    FIELDS = ("connector", "base_url", "token_url", "client_id", "chorus_enabled", "chorus_api_url",
              "chorus_token_url", "chorus_client_id", "chorus_login", "chorus_structure_id")
    client_secret = forms.CharField(label=_("secret client OAuth2"), required=False, widget=forms.PasswordInput,
                                    help_text=_("Vide : inchangé."))
    webhook_secret = forms.CharField(label=_("secret de signature des notifications"), required=False,
                                     widget=forms.PasswordInput, help_text=_("Vide : inchangé."))
    chorus_client_secret = forms.CharField(label=_("secret client PISTE"), required=False,
                                           widget=forms.PasswordInput, help_text=_("Vide : inchangé."))
    chorus_password = forms.CharField(label=_("mot de passe du compte technique"), required=False,
                                      widget=forms.PasswordInput, help_text=_("Vide : inchangé."))

    class Meta:
        model = PlatformAccount
        fields = ("connector", "base_url", "token_url", "client_id", "chorus_enabled", "chorus_api_url",
                  "chorus_token_url", "chorus_client_id", "chorus_login", "chorus_structure_id")

    def secrets(self) -> dict:
        return {name: self.cleaned_data[name] or None
                for name in ("client_secret", "webhook_secret", "chorus_client_secret", "chorus_password")}

    def add_domain_error(self, error) -> None:
        self.add_error(error.field if error.field in self.fields else None, str(error))


class StatusFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("statut"), required=False,
                               choices=[("", _("Tous les statuts"))] + list(Lifecycle.choices))
    state = forms.ChoiceField(label=_("transmission"), required=False,
                              choices=[("", _("Toutes")), ("pending", _("À transmettre")),
                                       ("submitted", _("Transmise")), ("failed", _("Échec de transmission"))])

