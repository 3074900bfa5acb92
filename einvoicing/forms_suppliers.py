"""Forms of the supplier invoices page: a contractor's company, an invoice entered by hand, a
decision (approve / refuse with a reason)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from adv.tenancy.models import Membership
from adv.tenancy.validators import validate_siren

from .models import SupplierIdentity, SupplierInvoiceState, SupplierMatch


def _styled(form) -> None:
    for field in form.fields.values():
        css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
        field.widget.attrs.setdefault("class", css)


class SupplierFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("état"), required=False,
                              choices=[("", _("Toutes"))] + list(SupplierInvoiceState.choices))
    match = forms.ChoiceField(label=_("contrôle"), required=False,
                              choices=[("", _("Tous les contrôles"))] + list(SupplierMatch.choices))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _styled(self)


class IdentityForm(forms.Form):
    membership = forms.ModelChoiceField(label=_("Consultant externe"), queryset=Membership.objects.none())
    company_name = forms.CharField(label=_("Raison sociale"), max_length=200)
    siren = forms.CharField(label=_("SIREN"), max_length=11, validators=[validate_siren])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["membership"].queryset = (
            Membership.objects.filter(is_contractor=True, is_active=True).select_related("user").order_by("user__last_name")
        )
        _styled(self)


class ManualInvoiceForm(forms.Form):
    supplier = forms.ModelChoiceField(label=_("Fournisseur"), queryset=SupplierIdentity.objects.none())
    number = forms.CharField(label=_("Numéro"), max_length=100)
    issue_date = forms.DateField(label=_("Date de facture"), widget=forms.DateInput(attrs={"type": "date"}))
    month = forms.DateField(label=_("Mois facturé"), input_formats=["%Y-%m"],
                            widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"))
    total_net = forms.DecimalField(label=_("Total HT"), max_digits=14, decimal_places=2, min_value=0)
    total_vat = forms.DecimalField(label=_("TVA"), max_digits=14, decimal_places=2, min_value=0, initial=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supplier"].queryset = SupplierIdentity.objects.order_by("company_name")
        _styled(self)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approuver")), ("refuse", _("Refuser"))])
    reason = forms.CharField(label=_("Motif"), max_length=500, required=False)
