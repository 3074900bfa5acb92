"""Demo data of reporting: a year of billing history for the demo firm, so that every chart shows
something real (revenue by deal type against the year before, FAE/PCA, aged balance, DSO, payment
delays, the close).

Three deals "taken over" from before the tool, ended before the month the billing demo bills:
time and materials (a contractor with a purchase rate, an employee), a fixed price (milestones)
and hosting billed monthly (with a quarterly support billed in advance: PCA). For each of the 12
months before the billing demo's month, their invoices are issued on a working day after the
month's end (1 to 6: the close's median and its share by the 3rd working day vary), due 30 or 45
days later, paid with delays from 3 days early to 2 months late; the recent ones are still owed
(the aged balance); one credit note. The months' expected amounts are recorded as they stood (the
history has no timesheets).

Numbers: a number is taken from the firm's counter of the (series, year) in issue-date order, and
this demo runs before billing's (INSTALLED_APPS puts `reporting` before `billing` for that reason),
whose invoices are dated the 1st of last month, after the whole history: numbers stay gap-free and
chronological. On a firm whose series of a year already holds a later invoice (a database seeded
before this module existed), the history of that year is skipped rather than numbered out of
order. Idempotent: the history is written once (its invoices' `group_key` starts "history:"), its
deals are looked up by title.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db.models import Max, Sum
from django.utils import timezone

from adv.tenancy.firm_settings import settings_ensure
from adv.tenancy.models import Membership, Role, Tenant
from billing import figures, numbering
from billing.models import (
    BillingPolicy,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
    LineKind,
    MonthExpected,
    Payment,
    Series,
)
from billing.services.issuing import buyer_snapshot, due_date_for, seller_snapshot
from clients.models import Client
from deals import services as deal_services
from deals.models import Assignment, Deal, DealType
from timesheets.calendar import add_working_days

ADV_EMAIL = "adv@demo.adv.test"
CONTRACTOR_EMAIL = "contractor@demo.adv.test"
CONSULTANT_EMAIL = "consultant@demo.adv.test"
HISTORY = "history:"
MONTHS = 12
TAKEN_OVER = "Reprise de l'historique : contrat archivé hors outil."

# (client SIREN, title, type)
DEAL_TM = ("798456125", "Centre de services SAP (historique)", DealType.T_AND_M)
DEAL_FP = ("302188453", "Dématérialisation des dossiers patients (historique)", DealType.FIXED_PRICE)
DEAL_SUB = ("778945618", "Hébergement applicatif (historique)", DealType.SUBSCRIPTION)

ISSUE_WORKING_DAY = [2, 3, 1, 4, 3, 6, 2, 3, 5, 2, 3, 4]  # per month of the history
PAYMENT_DELAY = [-3, 5, 12, 0, 25, 40, 8, 15, -1, 33, 60, 2]  # days after the due date, per invoice
CONTRACTOR_DAYS = [18, 17, 20, 16, 19, 18, 15, 20, 19, 17, 18, 16]
EMPLOYEE_DAYS = [20, 19, 21, 18, 20, 17, 16, 21, 20, 19, 20, 18]
MILESTONES = {1: "24000.00", 4: "18000.00", 7: "24000.00", 10: "30000.00"}
HOSTING = Decimal("3500.00")
SUPPORT_QUARTER = Decimal("3000.00")


@dataclass
class Spec:
    deal: Deal
    month: datetime.date
    issue: datetime.date
    due_days: int
    lines: list[dict]
    payment_delay: int
    kind: str = InvoiceKind.INVOICE
    credit_of: int | None = None  # index of the credited spec
    extra: dict = field(default_factory=dict)


def _member(email: str) -> Membership | None:
    return Membership.objects.select_related("user").filter(user__email=email).first()


def first_month(today: datetime.date) -> datetime.date:
    """The history's first month: 12 months before the month the billing demo bills as "previous"."""
    return today.replace(day=1) - relativedelta(months=2 + MONTHS)


def seed(tenant: Tenant) -> None:
    adv = _member(ADV_EMAIL)
    if adv is None:
        return
    settings_ensure(BillingPolicy)
    today = timezone.localdate()
    start = first_month(today)
    end = start + relativedelta(months=MONTHS) - datetime.timedelta(days=1)
    deals = _deals(adv, start, end)
    if deals is None or Invoice.objects.filter(group_key__startswith=HISTORY).exists():
        return
    specs = _specs(deals, start, today)
    _issue(tenant, specs, today)
    _expected(start)


def _deals(adv: Membership, start: datetime.date, end: datetime.date) -> dict | None:
    found = {}
    for siren, title, deal_type in (DEAL_TM, DEAL_FP, DEAL_SUB):
        client = Client.objects.filter(siren=siren).first()
        if client is None:
            return None
        deal = Deal.objects.filter(client=client, title=title).first()
        if deal is None:
            deal = deal_services.deal_create(
                actor=adv, client=client, title=title, deal_type=deal_type, start_date=start, end_date=end,
                ordered_amount=Decimal("96000.00") if deal_type == DealType.FIXED_PRICE else None,
            )
            deal = deal_services.deal_sign(actor=adv, deal=deal, signed_on=start - datetime.timedelta(days=10),
                                           signed_by_contact=None, override_reason=TAKEN_OVER)
            if deal_type == DealType.T_AND_M:
                for email, rate, purchase in ((CONTRACTOR_EMAIL, "720.00", "560.00"), (CONSULTANT_EMAIL, "650.00", None)):
                    consultant = _member(email)
                    if consultant is not None and consultant.role == Role.CONSULTANT:
                        deal_services.assignment_create(
                            actor=adv, deal=deal, consultant=consultant, daily_rate=Decimal(rate),
                            purchase_daily_rate=Decimal(purchase) if purchase and consultant.is_contractor else None,
                            start_date=start, end_date=end,
                        )
        found[deal_type] = deal
    return found


def _line(kind, label, quantity, price, **extra) -> dict:
    quantity, price = Decimal(quantity), Decimal(price)
    return {"kind": kind, "label": label, "quantity": quantity, "unit_price": price,
            "net_amount": (quantity * price).quantize(Decimal("0.01")), **extra}


def _specs(deals: dict, start: datetime.date, today: datetime.date) -> list[Spec]:
    assignments = {a.consultant.user.email: a for a in Assignment.objects.filter(deal=deals[DealType.T_AND_M]).select_related("consultant__user")}
    specs: list[Spec] = []
    for index in range(MONTHS):
        month = start + relativedelta(months=index)
        last = month + relativedelta(day=31)
        issue = add_working_days(last, ISSUE_WORKING_DAY[index])
        label = month.strftime("%m/%Y")
        tm_lines = []
        for email, days in ((CONTRACTOR_EMAIL, CONTRACTOR_DAYS[index]), (CONSULTANT_EMAIL, EMPLOYEE_DAYS[index])):
            assignment = assignments.get(email)
            if assignment is not None:
                tm_lines.append(_line(LineKind.TIME, f"Prestations {label} – {assignment.consultant.user.get_full_name()}",
                                      days, assignment.daily_rate, assignment=assignment, period_start=month, period_end=last))
        if tm_lines:
            specs.append(Spec(deals[DealType.T_AND_M], month, issue, 45, tm_lines, PAYMENT_DELAY[index]))
        hosting = [_line(LineKind.SUBSCRIPTION, f"Hébergement applicatif {label}", 1, HOSTING, period_start=month, period_end=last)]
        if index % 3 == 0:  # the quarter's premium support, billed in advance
            quarter_end = month + relativedelta(months=3) - datetime.timedelta(days=1)
            hosting.append(_line(LineKind.SUBSCRIPTION, f"Support premium – trimestre du {month:%d/%m/%Y}", 1, SUPPORT_QUARTER,
                                 period_start=month, period_end=quarter_end))
        specs.append(Spec(deals[DealType.SUBSCRIPTION], month, issue, 30, hosting, PAYMENT_DELAY[(index + 5) % MONTHS]))
        if index in MILESTONES:
            specs.append(Spec(deals[DealType.FIXED_PRICE], month, issue, 30,
                              [_line(LineKind.MILESTONE, f"Jalon {len([i for i in MILESTONES if i <= index])} – recette", 1, MILESTONES[index])],
                              PAYMENT_DELAY[(index + 9) % MONTHS]))
    # A commercial gesture on the fifth month's time and materials: 10 %, three weeks after the invoice.
    credited = next(i for i, s in enumerate(specs) if s.deal == deals[DealType.T_AND_M] and s.month == start + relativedelta(months=4))
    origin = specs[credited]
    net = sum(line["net_amount"] for line in origin.lines) / 10
    specs.append(Spec(origin.deal, origin.month, origin.issue + datetime.timedelta(days=21), 0,
                      [_line(LineKind.MANUAL, "Geste commercial : 10 % des prestations du mois", 1, net.quantize(Decimal("0.01")))],
                      0, kind=InvoiceKind.CREDIT_NOTE, credit_of=credited))
    return [s for s in specs if s.issue < today]


def _issue(tenant: Tenant, specs: list[Spec], today: datetime.date) -> None:
    policy = settings_ensure(BillingPolicy)
    seller = seller_snapshot(tenant)
    latest = {
        (kind, year): day
        for kind, year, day in Invoice.objects.filter(number__isnull=False).values_list("kind", "issue_date__year")
        .annotate(day=Max("issue_date")).values_list("kind", "issue_date__year", "day")
    }
    made: dict[int, Invoice] = {}
    order = sorted(range(len(specs)), key=lambda i: (specs[i].issue, specs[i].kind, i))
    for i in order:
        spec = specs[i]
        if latest.get((spec.kind, spec.issue.year)) and latest[(spec.kind, spec.issue.year)] > spec.issue:
            continue  # this year's series already holds a later invoice: never number out of order
        if spec.credit_of is not None and spec.credit_of not in made:
            continue
        made[i] = _invoice(spec, policy, seller, made.get(spec.credit_of))
    for i, invoice in made.items():
        spec = specs[i]
        if spec.kind == InvoiceKind.INVOICE:
            _pay(invoice, invoice.due_date + datetime.timedelta(days=spec.payment_delay), today)


def _invoice(spec: Spec, policy: BillingPolicy, seller: dict, origin: Invoice | None) -> Invoice:
    client = spec.deal.client
    net = sum((line["net_amount"] for line in spec.lines), Decimal("0"))
    vat = (net * policy.default_vat_rate / 100).quantize(Decimal("0.01"))
    invoice = Invoice.objects.create(
        kind=spec.kind, month=spec.month, group_key=f"{HISTORY}{spec.month:%Y-%m}:{spec.deal.pk}:{spec.kind}",
        client=client, deal=spec.deal, credited_invoice=origin,
        credit_reason="Geste commercial" if origin is not None else "", total_net=net, total_vat=vat, total_gross=net + vat,
        period_start=spec.month, period_end=spec.month + relativedelta(day=31),
        payment_terms=f"{spec.due_days} jours" if spec.due_days else "", vat_regime="standard",
    )
    InvoiceLine.objects.bulk_create([
        InvoiceLine(tenant_id=invoice.tenant_id, invoice=invoice, position=n, vat_rate=policy.default_vat_rate, **line)
        for n, line in enumerate(spec.lines)
    ])
    series = Series.CREDIT_NOTE if spec.kind == InvoiceKind.CREDIT_NOTE else Series.INVOICE
    template = policy.credit_note_number_format if series == Series.CREDIT_NOTE else policy.invoice_number_format
    (number,) = numbering.take_numbers(series, spec.issue.year, template, 1)
    invoice.number, invoice.issue_date = number, spec.issue
    invoice.due_date = due_date_for(spec.issue, spec.due_days, False) if spec.kind == InvoiceKind.INVOICE else None
    invoice.status = InvoiceStatus.ISSUED if origin is not None else InvoiceStatus.SENT
    invoice.seller = seller
    invoice.buyer = dict(origin.buyer) if origin is not None else buyer_snapshot(client, spec.issue)
    invoice.sent_at = timezone.make_aware(datetime.datetime.combine(spec.issue, datetime.time(10)))
    invoice.save()
    if origin is not None:
        Invoice.objects.filter(pk=origin.pk).update(amount_credited=invoice.total_gross)
        origin.amount_credited = invoice.total_gross
    return invoice


def _pay(invoice: Invoice, paid_on: datetime.date, today: datetime.date) -> None:
    """Paid in full on `paid_on` if that day has come; else still owed."""
    invoice.refresh_from_db(fields=["amount_credited"])
    if paid_on >= today:
        return
    amount = invoice.total_gross - invoice.amount_credited
    Payment.objects.create(invoice=invoice, paid_on=paid_on, amount=amount, method="transfer",
                           reference=f"VIR {invoice.buyer.get('name', '')[:30]} {invoice.number}")
    Invoice.objects.filter(pk=invoice.pk).update(amount_paid=amount, status=InvoiceStatus.PAID)


def _expected(start: datetime.date) -> None:
    """The history's expected amounts, recorded as they stood: what each month billed, the time
    and materials planned a little above it (days the client did not take)."""
    for index in range(MONTHS):
        month = start + relativedelta(months=index)
        if MonthExpected.objects.filter(month=month).exists():
            continue
        billed = {
            kind: total or Decimal("0")
            for kind, total in InvoiceLine.objects.filter(
                invoice__month=month, invoice__kind=InvoiceKind.INVOICE, invoice__number__isnull=False,
                invoice__group_key__startswith=HISTORY,
            ).values("kind").annotate(total=Sum("net_amount")).values_list("kind", "total")
        }
        stamp = Invoice.objects.filter(month=month).aggregate(**figures.INVOICE_STAMP)
        MonthExpected.objects.create(
            month=month, expected_time=(billed.get(LineKind.TIME, Decimal("0")) * Decimal("1.05")).quantize(Decimal("0.01")),
            expected_milestones=billed.get(LineKind.MILESTONE, Decimal("0")),
            expected_subscriptions=billed.get(LineKind.SUBSCRIPTION, Decimal("0")),
            fingerprint=figures.fingerprint(stamp, month), computed_at=timezone.now(),
        )
