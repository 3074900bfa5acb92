"""Pre-invoices follow the facts their checks read, without a new billing run.

The floors below billing announce what changed through signals they own (clients, deals,
timesheets: `*_billing_changed`); billing finds the drafts that read it and, once the writing
transaction has committed, refreshes them in a Celery task (`tasks.refresh_drafts`): lines,
totals and checks rebuilt from their sources, as issuing does. A change with no draft to refresh
queues nothing.

The same signals, and the end of a billing run, also refresh the month's stored expected figures
(`tasks.refresh_month_expected`, billing/figures.py): a timesheet its month, a deal every stored
month (its milestones and subscriptions may count in any of them).
"""

from __future__ import annotations

from adv.broker import send_task_on_commit
from adv.tenancy.context import require_tenant_id
from clients.signals import client_billing_changed
from deals.signals import deal_billing_changed
from timesheets.models import Timesheet
from timesheets.signals import timesheet_billing_changed

from .models import Invoice, InvoiceKind, InvoiceStatus


def affected_groups(*, client_id=None, deal_id=None, timesheet_id=None) -> list[tuple[str, str]]:
    """The (month, deal) groups of the drafts that read this client, deal or timesheet."""
    drafts = Invoice.objects.filter(status=InvoiceStatus.DRAFT, kind=InvoiceKind.INVOICE, deal_id__isnull=False)
    if client_id is not None:
        drafts = drafts.filter(client_id=client_id)
    if deal_id is not None:
        drafts = drafts.filter(deal_id=deal_id)
    if timesheet_id is not None:
        drafts = drafts.filter(lines__timesheet_id=timesheet_id)
    return sorted({(month.isoformat(), str(deal)) for month, deal in drafts.values_list("month", "deal_id")})


def schedule_refresh(groups: list[tuple[str, str]]) -> None:
    """Refresh these groups after commit, in the background (nothing if the transaction rolls back)."""
    if not groups:
        return
    from .tasks import refresh_drafts

    send_task_on_commit(
        refresh_drafts, str(require_tenant_id()), [list(g) for g in groups],
        recovery="the drafts are refreshed again by the next change or when issued",
    )


def schedule_expected_refresh(months: list[str] | None) -> None:
    """Recompute the stored expected figures of these months (None: all) after commit."""
    from .tasks import refresh_month_expected

    send_task_on_commit(
        refresh_month_expected, str(require_tenant_id()), months,
        recovery="the next change recomputes the figures; a view whose fingerprint differs does too",
    )


def _on_client(sender, client_id, **kwargs) -> None:
    schedule_refresh(affected_groups(client_id=client_id))


def _on_deal(sender, deal_id, **kwargs) -> None:
    schedule_refresh(affected_groups(deal_id=deal_id))
    schedule_expected_refresh(None)


def _on_timesheet(sender, timesheet_id, **kwargs) -> None:
    schedule_refresh(affected_groups(timesheet_id=timesheet_id))
    month = Timesheet.objects.filter(pk=timesheet_id).values_list("month", flat=True).first()
    if month is not None:
        schedule_expected_refresh([month.isoformat()])


def connect() -> None:
    client_billing_changed.connect(_on_client, dispatch_uid="billing.refresh.client")
    deal_billing_changed.connect(_on_deal, dispatch_uid="billing.refresh.deal")
    timesheet_billing_changed.connect(_on_timesheet, dispatch_uid="billing.refresh.timesheet")
