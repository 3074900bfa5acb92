"""The manual path: no platform contract. Issued invoices of clients on a platform wait in billing's
"À déposer" list, a person uploads them and types the reference (billing's invoice_mark_deposited).
Nothing is submitted, fetched or reported automatically."""

from __future__ import annotations

from .base import Connector, DirectoryAnswer, NotSupported


class ManualConnector(Connector):
    kind = "manual"
    automatic = False

    def check(self) -> None:
        return None

    def submit(self, flow):
        raise NotSupported("Dépôt manuel : déposez la facture sur la plateforme et saisissez sa référence.")

    def find(self, tracking_id):
        return None

    def fetch_statuses(self, since):
        return []

    def lookup_directory(self, siren: str) -> DirectoryAnswer:
        raise NotSupported("Pas d'annuaire sans plateforme.")

    def report_payment(self, report):
        raise NotSupported("Pas d'e-reporting sans plateforme.")

    def report_transaction(self, report):
        raise NotSupported("Pas d'e-reporting sans plateforme.")

    def fetch_supplier_invoices(self, since):
        return []  # without a platform, the ADV enters the invoices received by hand

    def send_supplier_status(self, flow_id, code, reason=""):
        raise NotSupported("Saisie manuelle : informez le fournisseur de votre décision.")
