"""The interface every platform connector implements, and what it exchanges.

A connector only speaks to its platform: it never reads or writes the database except to record
its calls (connectors/http.py). The services decide what to submit and what an answer means.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal


class PlatformError(Exception):
    """A platform call that failed. `retryable`: a timeout, a 5xx, garbage (try again later);
    not retryable: the platform refused the request (credentials, a 4xx)."""

    def __init__(self, message: str, *, retryable: bool = True, http_status: int | None = None, errors=None):
        super().__init__(message)
        self.message = message
        self.retryable = retryable
        self.http_status = http_status
        self.errors = list(errors or [])


class NotSupported(PlatformError):
    def __init__(self, message: str):
        super().__init__(message, retryable=False)


@dataclass
class OutgoingFlow:
    """An issued invoice as a flow: its Factur-X PDF and who it is for."""

    tracking_id: str
    number: str
    filename: str
    content: bytes
    buyer_siren: str = ""
    buyer_siret: str = ""
    routing_address: str = ""
    is_credit_note: bool = False
    engagement_number: str = ""
    service_code: str = ""
    buyer_structure_id: str = ""


@dataclass
class StatusUpdate:
    """A lifecycle status of a flow, as the platform reports it."""

    event_id: str
    flow_id: str
    code: str
    occurred_at: datetime.datetime
    tracking_id: str = ""
    reason_code: str = ""
    reason: str = ""
    errors: list = field(default_factory=list)
    amount: Decimal | None = None
    paid_on: datetime.date | None = None


@dataclass
class DirectoryAnswer:
    siren: str
    found: bool
    routing_address: str = ""
    platform_name: str = ""


@dataclass
class PaymentReportData:
    tracking_id: str
    invoice_number: str
    invoice_date: datetime.date
    flow_id: str
    paid_on: datetime.date
    currency: str
    amounts: list[dict]  # [{"vat_rate": "20.00", "amount": "1200.00"}]


@dataclass
class TransactionReportData:
    tracking_id: str
    invoice_number: str
    invoice_date: datetime.date
    buyer_country: str
    buyer_vat_number: str
    currency: str
    vat_regime: str
    amounts: list[dict]  # [{"vat_rate": "0.00", "net": "...", "vat": "..."}]


@dataclass
class IncomingInvoice:
    """An invoice a supplier sent the firm through the platform (its facts, as the platform read
    them from the flow)."""

    flow_id: str
    seller_siren: str
    seller_name: str
    number: str
    issue_date: datetime.date
    total_net: Decimal
    total_vat: Decimal
    total_gross: Decimal
    received_at: datetime.datetime
    currency: str = "EUR"
    period_start: datetime.date | None = None


class Connector:
    """`kind` names the connector; every method may raise PlatformError."""

    kind = ""
    automatic = True  # False: a person deposits by hand (the manual connector)

    def check(self) -> None:
        """A test call with the credentials: raises PlatformError with a readable message."""
        raise NotImplementedError

    def submit(self, flow: OutgoingFlow) -> str:
        """Hand the flow to the platform; returns the platform's flow id. The tracking id is the
        idempotency key: a second call with the same one returns the same flow."""
        raise NotImplementedError

    def find(self, tracking_id: str) -> str | None:
        """The flow id already created for this tracking id, or None (looked up before a retry)."""
        raise NotImplementedError

    def fetch_statuses(self, since: datetime.datetime | None) -> list[StatusUpdate]:
        raise NotImplementedError

    def lookup_directory(self, siren: str) -> DirectoryAnswer:
        raise NotImplementedError

    def report_payment(self, report: PaymentReportData) -> str:
        raise NotImplementedError

    def report_transaction(self, report: TransactionReportData) -> str:
        raise NotImplementedError

    def fetch_supplier_invoices(self, since: datetime.datetime | None) -> list[IncomingInvoice]:
        """Invoices received by the firm (its suppliers') since that moment."""
        raise NotImplementedError

    def send_supplier_status(self, flow_id: str, code: str, reason: str = "") -> None:
        """The firm's decision on an invoice it received, as a lifecycle status (approuvée,
        refusée with its reason), for the platform to pass on to the supplier."""
        raise NotImplementedError
