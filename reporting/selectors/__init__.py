"""Reads of reporting: scoped to what the member may see, aggregated in SQL, a constant number of
queries per report whatever the firm's size (asserted in tests at two sizes). Live aggregates,
but for the pre-invoices blocked over time, read from the daily snapshots (reporting/snapshots.py)."""

from .accruals import AccrualRow, Accruals, accruals, fae_rows, pca
from .close import Close, close, deadline
from .common import DEAL_TYPES, OTHER, Filters, scoped_invoices
from .receivables import BUCKETS, Receivables, aged_balance, countback, dso_by_month, payment_delays, receivables
from .revenue import Revenue, revenue
from .top import TopRow, top_clients, top_deals

__all__ = [
    "BUCKETS", "DEAL_TYPES", "OTHER", "AccrualRow", "Accruals", "Close", "Filters", "Receivables", "Revenue",
    "TopRow", "accruals", "aged_balance", "close", "countback", "deadline", "dso_by_month", "fae_rows",
    "payment_delays", "pca", "receivables", "revenue", "scoped_invoices", "top_clients", "top_deals",
]
