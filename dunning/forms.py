"""Forms of the dunning pages (validation of the inputs; the rules live in the services)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .messages import TEMPLATE_KEYS
from .models import Tone


class PlanForm(forms.Form):
    is_active = forms.BooleanField(label=_("Relances automatiques"), required=False)
    penalty_rate = forms.CharField(label=_("Taux annuel des pénalités de retard (%)"), max_length=10)
    signatory = forms.ChoiceField(label=_("Relances suivies par"), required=False)


class StepForm(forms.Form):
    days_after_due = forms.IntegerField(label=_("Jours après l'échéance"))
    tone = forms.ChoiceField(label=_("Ton"), choices=Tone.choices)
    template_key = forms.ChoiceField(
        label=_("Message"), required=False, choices=[("", _("Celui du ton"))] + [(key, key) for key in TEMPLATE_KEYS]
    )


class PauseForm(forms.Form):
    reason = forms.CharField(label=_("Motif"), max_length=500, required=False)
    until = forms.DateField(label=_("Jusqu'au"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    dispute = forms.BooleanField(label=_("Litige"), required=False)


class PromiseForm(forms.Form):
    promised_on = forms.DateField(label=_("Date promise"), widget=forms.DateInput(attrs={"type": "date"}))
    amount = forms.CharField(label=_("Montant promis"), max_length=20)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)
