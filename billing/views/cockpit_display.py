"""What each cockpit row shows, computed once in Python before the template (issue 12).

A page of 50 rows through `{% url %}`, `{% include %}` and filters per row cost most of the
cockpit's time; here the row's links are built from one prefix per page, its amounts, dates and
names formatted, its "fix" links resolved, so that `_cockpit_row.html` only prints values.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import formats

from adv.ui.numbers import format_money
from billing.templatetags.billing_ui import fix_url


class RowLinks:
    """The URLs of a page's rows, from one `reverse` each (the same routes as `billing:*`)."""

    def __init__(self, tenant_slug: str):
        self.slug = tenant_slug
        self.billing = reverse("billing:cockpit", kwargs={"tenant_slug": tenant_slug})

    def pre_invoice(self, pk) -> str:
        return f"{self.billing}pre-invoices/{pk}/"


def _period(item) -> str:
    if item.period_start:
        return f"{formats.date_format(item.period_start, 'd/m')} → {formats.date_format(item.period_end, 'd/m/Y')}"
    return formats.date_format(item.month, "F Y")


def decorate(rows, *, tenant_slug: str, threads: dict | None = None, names: dict | None = None) -> list:
    """Set on each row: `url`, `chase_url`, `reception_url`, `period`, `checks` (the "to do" checks
    with `fix_url` and `chase_name`), `blocking_text`, `amount`, `po_remaining_text`, `po_over`,
    `thread` and `thread_url`."""
    links = RowLinks(tenant_slug)
    names = names or {}
    threads = threads or {}
    conversation_prefix = None
    for row in rows:
        item = row.invoice
        row.url = links.pre_invoice(item.pk)
        row.chase_url = f"{row.url}chase/"
        row.reception_url = f"{row.url}reception/"
        row.period = _period(item)
        row.checks = [
            {**check, "fix_url": fix_url(check, tenant_slug), "chase_name": names.get(check.get("responsible"), "")}
            for check in row.todo
        ]
        row.blocking_text = " ; ".join(str(message) for message in row.blocking)
        row.amount = format_money(item.total_net)
        row.po_remaining_text = format_money(row.po_remaining) if row.po_remaining is not None else ""
        row.po_over = row.po_remaining is not None and row.po_remaining < item.total_net
        row.thread = threads.get(item.pk)
        row.thread_url = ""
        if row.thread:
            conversation = row.thread["conversation"]
            if conversation_prefix is None:
                sample = reverse("chat:conversation", kwargs={"tenant_slug": tenant_slug, "pk": conversation})
                conversation_prefix = sample[: -len(f"{conversation}/")]
            row.thread_url = f"{conversation_prefix}{conversation}/"
    return rows
