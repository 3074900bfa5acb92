"""What cannot be billed by the billing-close deadline is escalated once: to the ADV in charge (or the
firm's ADV team) and to the manager of the person responsible. Each (month, item, person) is claimed
in the reminder ledger (kind "billing.escalation") before it is sent, so a second run, or a second
worker at the same time, sends nothing twice."""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from adv.tenancy.models import Membership, Role
from adv.ui.numbers import format_money
from deals.models import DealType, Milestone, MilestoneStatus
from notifications.ledger import claim
from notifications.services import notify
from timesheets.models import ClosingCalendar

from . import readiness
from .build import month_bounds
from .models import Invoice, InvoiceKind, InvoiceStatus

ESCALATION = "billing.escalation"


def _adv_team() -> list[Membership]:
    return list(Membership.objects.filter(role=Role.ADV, is_active=True).order_by("created_at")[:5])


def _people(invoice: Invoice | None, deal, responsible_ids: set) -> list[Membership]:
    people: dict = {}
    adv = getattr(deal, "adv_owner", None) or getattr(deal.client, "adv_owner", None)
    for m in [adv] if adv else _adv_team():
        people[m.pk] = m
    for m in Membership.objects.filter(pk__in=responsible_ids).select_related("reports_to"):
        if m.reports_to_id and m.reports_to.is_active:
            people[m.reports_to_id] = m.reports_to
    return list(people.values())


def _record(month, person, reason: str, *, invoice=None, milestone=None) -> bool:
    """Claim the escalation of this item for `person` this month: True when it is theirs to send."""
    subject = f"invoice:{invoice.pk}" if invoice is not None else f"milestone:{milestone.pk}"
    return claim(
        kind=ESCALATION, subject=subject, step=month.strftime("%Y-%m"), recipient=person, details=[reason[:2000]]
    )


def escalate_due(today: datetime.date | None = None) -> int:
    """Escalate every unbilled item of each month whose billing close has passed. Returns the count sent."""
    today = today or timezone.localdate()
    sent = 0
    calendars = ClosingCalendar.objects.filter(
        billing_close_deadline__lt=today, month__gte=today.replace(day=1) - datetime.timedelta(days=120)
    )
    for calendar in calendars:
        month = calendar.month
        _start, end = month_bounds(month)
        drafts = Invoice.objects.filter(
            month=month, status=InvoiceStatus.DRAFT, kind=InvoiceKind.INVOICE
        ).select_related("client__adv_owner", "deal__adv_owner", "deal__client__adv_owner")
        in_drafts = set()
        for invoice in drafts:
            reasons = readiness.blocking_reasons(invoice.checks) or [_("Préfacture prête mais non émise.")]
            responsible = {
                c["responsible"] for c in invoice.checks if c.get("responsible") and c["level"] == readiness.BLOCKED
            }
            in_drafts.update(line for line in invoice.lines.values_list("milestone_id", flat=True) if line)
            for person in _people(invoice, invoice.deal, responsible):
                if _record(month, person, "\n".join(reasons), invoice=invoice):
                    notify(
                        recipients=[person],
                        event=ESCALATION,
                        target=invoice,
                        context={
                            "client_name": invoice.client.display_name,
                            "deal": invoice.deal.reference if invoice.deal else "",
                            "month": date_format(month, "F Y"),
                            "amount": format_money(invoice.total_net, invoice.currency),
                            "reason": "\n".join(reasons),
                        },
                    )
                    sent += 1
            Invoice.objects.filter(pk=invoice.pk, escalated_at__isnull=True).update(escalated_at=timezone.now())
        # Due milestones that no pre-invoice carries (no run yet, or removed): escalated too.
        milestones = (
            Milestone.objects.filter(deal__deal_type=DealType.FIXED_PRICE)
            .exclude(status=MilestoneStatus.INVOICED)
            .filter(Q(due_date__lte=end) | Q(event_occurred_on__lte=end))
            .exclude(pk__in=in_drafts)
            .select_related("deal__client__adv_owner", "deal__adv_owner", "project_manager")
        )
        for milestone in milestones:
            responsible = {milestone.project_manager_id or milestone.deal.project_manager_id} - {None}
            reason = _("Échéance « %(label)s » non facturée.") % {"label": milestone.label}
            for person in _people(None, milestone.deal, responsible):
                if _record(month, person, reason, milestone=milestone):
                    notify(
                        recipients=[person],
                        event=ESCALATION,
                        target=milestone.deal,
                        context={
                            "client_name": milestone.deal.client.display_name,
                            "deal": milestone.deal.reference,
                            "month": date_format(month, "F Y"),
                            "amount": format_money(milestone.amount, milestone.deal.currency),
                            "reason": reason,
                        },
                    )
                    sent += 1
    return sent
