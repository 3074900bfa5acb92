"""Every write of billing, one module per area: the firm's billing settings (`common`), pre-invoice
edits (`pre_invoices`), issuing (`issuing`), sending and deposit (`sending`), credit notes
(`credit_notes`), payments (`payments`). Each function runs in one transaction and checks the actor's
rights; an issued invoice is refused any change here (`InvoiceImmutable`, 409) before the database
trigger would. Callers import this package (`from billing import services`); the names below are its
public surface.
"""

from .common import (
    CENT,
    POLICY_FIELDS,
    ZERO,
    current_tenant,
    decimal_or_error,
    policy,
    policy_update,
)
from .credit_notes import (
    credit_note_create,
)
from .issuing import (
    IssueResult,
    attachments_for,
    buyer_snapshot,
    due_date_for,
    invoice_freeze,
    invoice_issue,
    invoice_mentions,
    invoice_render_retry,
    invoices_issue,
    renders_schedule,
    require_chronological,
    seller_snapshot,
)
from .payments import (
    invoice_settle,
    payment_cancel,
    payment_record,
)
from .pre_invoices import (
    EDITED_FLAGS,
    HEADER_FIELDS,
    LINE_FIELDS,
    REWORD_FIELDS,
    cockpit_columns_save,
    discount_add,
    line_add,
    line_delete,
    line_update,
    pre_invoice_chase,
    pre_invoice_update,
    pre_invoices_refresh,
    reception_number_set,
    refresh,
)
from .sending import (
    invoice_mark_deposited,
    invoice_send,
    recipients_for,
)

__all__ = [
    "CENT",
    "EDITED_FLAGS",
    "HEADER_FIELDS",
    "IssueResult",
    "LINE_FIELDS",
    "POLICY_FIELDS",
    "REWORD_FIELDS",
    "ZERO",
    "attachments_for",
    "buyer_snapshot",
    "cockpit_columns_save",
    "credit_note_create",
    "current_tenant",
    "decimal_or_error",
    "discount_add",
    "due_date_for",
    "invoice_freeze",
    "invoice_issue",
    "invoice_mark_deposited",
    "invoice_mentions",
    "invoice_render_retry",
    "invoice_send",
    "invoice_settle",
    "invoices_issue",
    "line_add",
    "line_delete",
    "line_update",
    "payment_cancel",
    "payment_record",
    "policy",
    "policy_update",
    "pre_invoice_chase",
    "pre_invoice_update",
    "pre_invoices_refresh",
    "reception_number_set",
    "recipients_for",
    "refresh",
    "renders_schedule",
    "require_chronological",
    "seller_snapshot",
]
