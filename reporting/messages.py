"""Message templates of reporting (French defaults, English; editable per firm)."""

from django.utils.translation import gettext_lazy as _

from notifications import defaults

defaults.register(
    "reporting.monthly_report",
    subject_fr="{{ tenant_name }} – rapport de facturation de {{ month }}",
    body_fr=(
        "Bonjour,\n\n"
        "Voici le rapport de facturation de {{ month }} : chiffre d'affaires facturé {{ revenue }} HT, "
        "FAE {{ fae }}, PCA {{ pca }}, encours clients {{ outstanding }} TTC dont {{ overdue }} en retard, "
        "DSO {{ dso }} jours.\n\n"
        "Le détail est dans le PDF joint et sur la page Reporting.\n\n{{ tenant_name }}"
    ),
    subject_en="{{ tenant_name }} – billing report for {{ month }}",
    body_en=(
        "Hello,\n\n"
        "Here is the billing report for {{ month }}: revenue invoiced {{ revenue }} excl. VAT, accrued revenue "
        "{{ fae }}, deferred revenue {{ pca }}, receivables {{ outstanding }} incl. VAT of which {{ overdue }} "
        "overdue, DSO {{ dso }} days.\n\n"
        "The details are in the attached PDF and on the Reporting page.\n\n{{ tenant_name }}"
    ),
    placeholders=["tenant_name", "month", "revenue", "fae", "pca", "outstanding", "overdue", "dso"],
    label=_("Rapport de facturation mensuel"),
    is_event=False,
    sample={
        "tenant_name": "Alpha Conseil", "month": "novembre 2026", "revenue": "182 400,00 €", "fae": "12 300,00 €",
        "pca": "4 500,00 €", "outstanding": "210 000,00 €", "overdue": "35 200,00 €", "dso": "48,5",
    },
)
