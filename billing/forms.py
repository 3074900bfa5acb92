"""Forms of the billing cockpit and the pre-invoice page: they parse; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from adv.ui.forms import AmountField, QuantityField

from .models import Readiness, Unit

READINESS_CHOICES = [("", _("Tous les états")), *Readiness.choices]


class CockpitFilterForm(forms.Form):
    readiness = forms.ChoiceField(label=_("État"), choices=READINESS_CHOICES, required=False)
    q = forms.CharField(label=_("Client"), required=False, max_length=100)
    owner = forms.ChoiceField(label=_("Commercial"), required=False)
    mine = forms.BooleanField(label=_("Seulement mes clients (ADV en charge)"), required=False)

    def __init__(self, *args, owners=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", _("Tous les commerciaux")), *owners]
        self.fields["readiness"].widget.attrs.update({"class": "form-select"})
        self.fields["owner"].widget.attrs.update({"class": "form-select"})
        self.fields["q"].widget = forms.TextInput(
            attrs={"class": "form-control", "type": "search", "placeholder": _("Nom du client")}
        )
        self.fields["mine"].widget.attrs.update({"class": "form-check-input"})

    def values(self) -> dict:
        if not self.is_bound or not self.is_valid():
            return {"readiness": "", "q": "", "owner": "", "mine": False}
        return self.cleaned_data


class HeaderForm(forms.Form):
    po_number = forms.CharField(label=_("N° de bon de commande"), required=False, max_length=100)
    engagement_number = forms.CharField(
        label=_("N° d'engagement (Chorus Pro)"),
        required=False,
        max_length=100,
        help_text=_("Vide : celui du bon de commande de l'affaire, pour un client public."),
    )
    buyer_reference = forms.CharField(label=_("Référence acheteur"), required=False, max_length=100)
    service_code = forms.CharField(label=_("Code service"), required=False, max_length=100)
    notes = forms.CharField(
        label=_("Mentions libres sur la facture"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")


class LineForm(forms.Form):
    label = forms.CharField(label=_("Libellé"), max_length=300)
    detail = forms.CharField(label=_("Détail"), required=False, max_length=500)
    quantity = QuantityField(label=_("Quantité"), max_digits=9, decimal_places=2)
    unit = forms.ChoiceField(label=_("Unité"), choices=Unit.choices, initial=Unit.UNIT)
    unit_price = AmountField(label=_("Prix unitaire HT"), max_digits=14, decimal_places=4)
    vat_rate = QuantityField(label=_("TVA (%)"), required=False, max_digits=5, decimal_places=2, min_value=0, max_value=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.widget.attrs.setdefault("class", "form-select" if name == "unit" else "form-control")


class RewordForm(forms.Form):
    """A generated line: only its wording and its VAT rate change."""

    label = forms.CharField(label=_("Libellé"), max_length=300)
    detail = forms.CharField(label=_("Détail"), required=False, max_length=500)
    vat_rate = QuantityField(label=_("TVA (%)"), max_digits=5, decimal_places=2, min_value=0, max_value=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control form-control-sm")


class DiscountForm(forms.Form):
    label = forms.CharField(label=_("Libellé"), required=False, max_length=300)
    amount = AmountField(label=_("Montant HT"), required=False, max_digits=14, decimal_places=2, min_value=0)
    percent = QuantityField(label=_("ou pourcentage"), required=False, max_digits=5, decimal_places=2, min_value=0, max_value=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")


class ReceptionForm(forms.Form):
    timesheet_line = forms.UUIDField()
    number = forms.CharField(label=_("N° de réception"), max_length=100, required=False)
