"""Forms of the issued-invoice pages: list filters, payment, credit note, deposit, bank import, settings.

Forms parse; the services (billing/services/) decide. A DomainError with a `field` is shown on it.
"""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from adv.months import first_day
from adv.tenancy.errors import DomainError
from adv.ui.forms import AmountField, DecimalInput, QuantityField
from adv.ui.pickers import ClientPickerField
from clients.models import Client

from .models import InvoiceKind, InvoiceStatus, PaymentMethod

OVERDUE = "overdue"


class DomainErrorMixin:
    def add_domain_error(self, error: DomainError) -> None:
        field = getattr(error, "field", None)
        self.add_error(field if field in self.fields else None, error.message)


# The platform lifecycle statuses (code, label) the list filters on: filled by einvoicing, which
# stands above billing (einvoicing/receivers.py), like readiness.extra_checks.
PLATFORM_STATUS_CHOICES: list[tuple[str, str]] = []


def platform_status_choices() -> list[tuple[str, str]]:
    return [("", _("Tous")), *PLATFORM_STATUS_CHOICES]


class InvoiceFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Rechercher"),
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "class": "form-control", "placeholder": _("Numéro ou client")}),
    )
    kind = forms.ChoiceField(
        label=_("Type"),
        required=False,
        choices=[("", _("Factures et avoirs")), *InvoiceKind.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    status = forms.ChoiceField(
        label=_("Statut"),
        required=False,
        choices=[
            ("", _("Tous")),
            *[(v, label) for v, label in InvoiceStatus.choices if v != InvoiceStatus.DRAFT],
            (OVERDUE, _("En retard")),
        ],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    platform_status = forms.ChoiceField(
        label=_("Statut plateforme"),
        required=False,
        choices=platform_status_choices,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    month = forms.CharField(
        label=_("Mois"), required=False, widget=forms.TextInput(attrs={"type": "month", "class": "form-control"})
    )
    # An autocomplete (adv/ui/pickers.py): the firm's clients are not shipped with the page.
    client = ClientPickerField(label=_("Client"), queryset=Client.objects.none(), required=False, autosubmit=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = Client.objects.only("id", "legal_name", "trade_name")
        self.fields["client"].widget.attrs["class"] = "form-control"

    def clean_month(self):
        value = self.cleaned_data.get("month") or ""
        if value and first_day(value) is None:
            raise forms.ValidationError(_("Mois attendu au format AAAA-MM."))
        return first_day(value)


class PaymentForm(DomainErrorMixin, forms.Form):
    amount = AmountField(
        label=_("Montant TTC"), max_digits=14, decimal_places=2, min_value=0, widget=DecimalInput({"class": "form-control"})
    )
    paid_on = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")
    )
    method = forms.ChoiceField(
        label=_("Mode"), choices=PaymentMethod.choices, widget=forms.Select(attrs={"class": "form-select"})
    )
    reference = forms.CharField(
        label=_("Référence"), required=False, max_length=200, widget=forms.TextInput(attrs={"class": "form-control"})
    )

    def __init__(self, *args, invoice=None, **kwargs):
        kwargs.setdefault("prefix", "payment")
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("paid_on", timezone.localdate())
            if invoice is not None and invoice.balance > 0:
                self.initial.setdefault("amount", invoice.balance)


class CreditNoteForm(DomainErrorMixin, forms.Form):
    FULL, PARTIAL = "full", "partial"
    scope = forms.ChoiceField(
        label=_("Avoir"),
        choices=[(FULL, _("Total (annule la facture)")), (PARTIAL, _("Partiel"))],
        initial=FULL,
        widget=forms.RadioSelect,
    )
    amount = AmountField(
        label=_("Montant HT de l'avoir partiel"), required=False, max_digits=14, decimal_places=2, min_value=0,
        widget=DecimalInput({"class": "form-control"}),
    )
    reason = forms.CharField(label=_("Motif"), max_length=300, widget=forms.TextInput(attrs={"class": "form-control"}))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "credit")
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        if data.get("scope") == self.PARTIAL and not data.get("amount"):
            self.add_error("amount", _("Indiquez le montant HT de l'avoir partiel."))
        return data

    @property
    def service_amount(self):
        return self.cleaned_data["amount"] if self.cleaned_data.get("scope") == self.PARTIAL else None


class DepositForm(DomainErrorMixin, forms.Form):
    reference = forms.CharField(
        label=_("Référence de dépôt sur la plateforme"),
        max_length=100,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )


class BankImportForm(forms.Form):
    statement = forms.FileField(
        label=_("Relevé bancaire (CSV)"),
        help_text=_("Colonnes : date, montant, libellé. Séparateur ; ou , — 2 Mo au plus."),
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".csv,text/csv"}),
    )


class PolicyForm(DomainErrorMixin, forms.Form):
    """The firm's invoicing settings, saved through services.policy_update."""

    FIELDS = (
        "invoice_number_format",
        "credit_note_number_format",
        "default_vat_rate",
        "late_penalty_text",
        "recovery_indemnity_text",
        "discount_text",
        "vat_exemption_text",
        "vat_on_debits",
    )

    def __init__(self, *args, instance=None, **kwargs):
        from .models import BillingPolicy

        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {name: getattr(instance, name) for name in self.FIELDS}
        super().__init__(*args, **kwargs)
        for name in self.FIELDS:
            model_field = BillingPolicy._meta.get_field(name)
            # the VAT rate is typed the user's way ("5,5"), in a text input
            field = model_field.formfield(form_class=QuantityField) if name == "default_vat_rate" else model_field.formfield()
            css = "form-control"
            if name.endswith("_text"):
                field.widget = forms.Textarea(attrs={"rows": 2})
            if name.endswith("_number_format"):
                css = "form-control adv-number-format"
            if isinstance(field, forms.BooleanField):
                css = "form-check-input"
            field.widget.attrs.setdefault("class", css)
            self.fields[name] = field

    def clean(self):
        from . import numbering

        data = super().clean()
        for name in ("invoice_number_format", "credit_note_number_format"):
            value = data.get(name)
            if value:
                try:
                    numbering.validate_format(value, name)
                except DomainError as error:
                    self.add_error(name, error.message)
        return data
