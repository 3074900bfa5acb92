"""Forms of the accounting pages: they parse, the services decide."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import AccountMapping, ExportKind

DATE = forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")


def last_year() -> tuple[datetime.date, datetime.date]:
    today = timezone.localdate()
    return datetime.date(today.year - 1, 1, 1), datetime.date(today.year - 1, 12, 31)


class ExportForm(forms.Form):
    start = forms.DateField(label=_("Du"), widget=DATE)
    end = forms.DateField(label=_("Au"), widget=DATE)
    kind = forms.ChoiceField(label=_("Format"), choices=ExportKind.choices, widget=forms.Select(attrs={"class": "form-select"}))
    separator = forms.ChoiceField(
        label=_("Séparateur du FEC"), required=False,
        choices=[("pipe", _("Barre verticale |")), ("tab", _("Tabulation"))],
        widget=forms.Select(attrs={"class": "form-select"}),
    )


class MappingForm(forms.ModelForm):
    class Meta:
        model = AccountMapping
        fields = [
            "client_account", "client_account_label", "auxiliary_prefix", "revenue_per_deal_type",
            "revenue_account", "revenue_account_label", "revenue_t_and_m_account", "revenue_t_and_m_label",
            "revenue_fixed_price_account", "revenue_fixed_price_label", "revenue_subscription_account",
            "revenue_subscription_label", "revenue_eu_account", "revenue_eu_label", "revenue_export_account",
            "revenue_export_label", "bank_account", "bank_account_label", "sales_journal_code", "sales_journal_label",
            "bank_journal_code", "bank_journal_label",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            css = "form-check-input" if name == "revenue_per_deal_type" else "form-control"
            field.widget.attrs["class"] = css

    def add_domain_error(self, error) -> None:
        for name, messages in (error.field_errors() or {None: [error.message]}).items():
            for message in messages:
                self.add_error(name if name in self.fields else None, message)


def vat_rows(post) -> list[dict]:
    """The VAT accounts typed on the mapping page (rows with a blank rate are dropped)."""
    rows = []
    for index in range(int(post.get("vat-count", 0) or 0)):
        rate = (post.get(f"vat-{index}-rate") or "").strip()
        if rate:
            rows.append({
                "rate": rate,
                "account": post.get(f"vat-{index}-account", ""),
                "label": post.get(f"vat-{index}-label", ""),
            })
    return rows
