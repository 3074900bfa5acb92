"""The checks of a pre-invoice: every reminder of situation 3, each saying what is missing, where to
fix it and who is responsible.

A check is a plain dict stored on the pre-invoice (`Invoice.checks`) so that the cockpit reads it
without recomputing: `code`, `level` (blocked / action / info), `message`, `fix` (a URL name and
its arguments, resolved for the reader's firm) and `responsible` (a membership id to chase).
The invoice is `blocked` if any check blocks, `action` if any asks for an action, else `ready`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from adv.ui.numbers import format_money

from .models import Readiness
from .regime import vat_problems

BLOCKED = "blocked"
ACTION = "action"
INFO = "info"

# Codes, stable for the API and the cockpit's columns.
PROVISIONAL_DEAL = "provisional_deal"
MISSING_PO = "missing_po"
PO_EXCEEDED = "po_exceeded"
MISSING_RECEPTION = "missing_reception_number"
MISSING_SIGNED_TIMESHEET = "missing_signed_timesheet"
MISSING_MILESTONE_DOCUMENT = "missing_milestone_document"
MISSING_RECIPIENTS = "missing_recipients"
MISSING_CLIENT_IDENTITY = "missing_client_identity"
VAT_MISMATCH = "client_vat_mismatch"
MISSING_SERVICE_CODE = "missing_service_code"
MISSING_ENGAGEMENT = "missing_engagement_number"
PLATFORM_DEPOSIT = "platform_deposit"
PRE_INVOICE_NOTES = "pre_invoice_notes"
EMPTY = "empty"

CODES = (
    PROVISIONAL_DEAL,
    MISSING_PO,
    PO_EXCEEDED,
    MISSING_RECEPTION,
    MISSING_SIGNED_TIMESHEET,
    MISSING_MILESTONE_DOCUMENT,
    MISSING_RECIPIENTS,
    MISSING_CLIENT_IDENTITY,
    VAT_MISMATCH,
    MISSING_SERVICE_CODE,
    MISSING_ENGAGEMENT,
    PLATFORM_DEPOSIT,
    PRE_INVOICE_NOTES,
    EMPTY,
)


# Checks added by higher floors (e-invoicing's directory): callables taking the InvoiceFacts and
# returning a list of checks, appended to the pre-invoice's own.
extra_checks: list = []


def check(
    code: str, level: str, message: str, *, fix: tuple | None = None, responsible=None, **extra
) -> dict:
    """`fix`: (URL name, kwargs) or (URL name, kwargs, tab): the page, and the tab of it, where it is fixed."""
    item = {"code": code, "level": level, "message": message}
    if fix is not None:
        item["fix"] = {"view": fix[0], "kwargs": {k: str(v) for k, v in fix[1].items()}}
        if len(fix) > 2:
            item["fix"]["tab"] = fix[2]
    if responsible is not None:
        item["responsible"] = str(responsible)
    item.update(extra)
    return item


def readiness_of(checks: list[dict]) -> str:
    levels = {c["level"] for c in checks}
    if BLOCKED in levels:
        return Readiness.BLOCKED
    if ACTION in levels:
        return Readiness.ACTION
    return Readiness.READY


def blocking_reasons(checks: list[dict]) -> list[str]:
    return [c["message"] for c in checks if c["level"] == BLOCKED]


@dataclass
class TimeLineFacts:
    """What the checks need to know about one consultant's billed month on the invoice."""

    consultant_name: str
    consultant_id: str
    manager_id: str | None
    timesheet_id: str
    timesheet_line_id: str
    reception_number: str
    reception_required: bool
    signed_timesheet_required: bool
    client_approved: bool


@dataclass
class MilestoneFacts:
    label: str
    milestone_id: str
    document_type_name: str | None
    has_document: bool
    project_manager_id: str | None


@dataclass
class InvoiceFacts:
    deal: object  # deals.Deal, with client and billing profile loaded
    month: datetime.date
    now: datetime.datetime
    po_number: str
    po_remaining: Decimal | None
    net_amount: Decimal
    recipients: list[str]
    time_lines: list[TimeLineFacts] = field(default_factory=list)
    milestones: list[MilestoneFacts] = field(default_factory=list)
    is_empty: bool = False
    vat_regime: str = ""  # the regime the pre-invoice is computed under
    engagement_number: str = ""
    invoice_id: object = None


def compute_checks(facts: InvoiceFacts) -> list[dict]:
    deal = facts.deal
    client = deal.client
    profile = client.billing_profile
    deal_fix = ("deals:detail", {"pk": deal.pk})
    client_fix = ("clients:detail", {"pk": client.pk})
    orders_fix = ("deals:detail", {"pk": deal.pk}, "orders")  # the purchase orders tab, not the default one
    checks: list[dict] = []

    if facts.is_empty:
        checks.append(check(EMPTY, BLOCKED, _("Aucune ligne à facturer."), fix=deal_fix))
    if deal.is_provisional:
        days = deal.provisional_days(facts.now) or 0
        checks.append(
            check(
                PROVISIONAL_DEAL,
                ACTION,
                _("Affaire validée provisoirement depuis %(days)s jours : pas encore signée.") % {"days": days},
                fix=deal_fix,
                responsible=deal.sales_owner_id,
                days=days,
            )
        )
    if deal.requires("purchase_order_required") and not facts.po_number:
        checks.append(
            check(
                MISSING_PO,
                BLOCKED,
                _("Numéro de bon de commande manquant (exigé par le client)."),
                fix=orders_fix,
                responsible=deal.sales_owner_id,
            )
        )
    if facts.po_remaining is not None and facts.po_remaining < facts.net_amount:
        checks.append(
            check(
                PO_EXCEEDED,
                ACTION,
                _("Le bon de commande %(po)s n'a plus que %(remaining)s HT : cette facture le dépasse.")
                % {"po": facts.po_number, "remaining": format_money(facts.po_remaining)},
                fix=orders_fix,
                responsible=deal.sales_owner_id,
            )
        )
    for line in facts.time_lines:
        if line.reception_required and not line.reception_number:
            checks.append(
                check(
                    MISSING_RECEPTION,
                    BLOCKED,
                    _("Numéro de réception manquant pour %(consultant)s.") % {"consultant": line.consultant_name},
                    fix=(
                        "timesheets:member_month",
                        {"membership_pk": line.consultant_id, "year": facts.month.year, "month": facts.month.month},
                    ),
                    responsible=deal.sales_owner_id,
                    timesheet_line=line.timesheet_line_id,
                    consultant=line.consultant_name,
                )
            )
        if line.signed_timesheet_required and not line.client_approved:
            checks.append(
                check(
                    MISSING_SIGNED_TIMESHEET,
                    BLOCKED,
                    _("CRA signé par le client manquant pour %(consultant)s.") % {"consultant": line.consultant_name},
                    fix=(
                        "timesheets:member_month",
                        {"membership_pk": line.consultant_id, "year": facts.month.year, "month": facts.month.month},
                    ),
                    responsible=line.consultant_id,
                    consultant=line.consultant_name,
                )
            )
    for milestone in facts.milestones:
        if milestone.document_type_name and not milestone.has_document:
            checks.append(
                check(
                    MISSING_MILESTONE_DOCUMENT,
                    BLOCKED,
                    _("Échéance « %(label)s » : %(document)s manquant.")
                    % {"label": milestone.label, "document": milestone.document_type_name},
                    fix=("deals:detail", {"pk": deal.pk}, "milestones"),
                    responsible=milestone.project_manager_id or deal.project_manager_id,
                )
            )
    if not facts.recipients and profile.einvoicing_platform == "none":
        checks.append(
            check(
                MISSING_RECIPIENTS,
                BLOCKED,
                _("Aucun destinataire des factures chez le client."),
                fix=client_fix,
                responsible=client.adv_owner_id,
            )
        )
    if not (client.billing_line1 or client.head_office_line1) or (client.country == "FR" and not client.siren):
        checks.append(
            check(
                MISSING_CLIENT_IDENTITY,
                BLOCKED,
                _("Identité du client incomplète (adresse de facturation ou SIREN)."),
                fix=client_fix,
                responsible=client.adv_owner_id,
            )
        )
    for problem in vat_problems(client, facts.vat_regime):
        checks.append(
            check(
                VAT_MISMATCH,
                BLOCKED,
                problem,
                fix=("clients:edit", {"pk": client.pk}),
                responsible=client.adv_owner_id,
            )
        )
    if client.is_public_sector:
        if not profile.chorus_service_code:
            checks.append(
                check(
                    MISSING_SERVICE_CODE,
                    ACTION,
                    _("Client public sans code service Chorus Pro : vérifiez qu'il n'en exige pas."),
                    fix=client_fix,
                    responsible=client.adv_owner_id,
                )
            )
        if profile.chorus_engagement_required and not facts.engagement_number:
            # Chorus Pro rejects an invoice without the engagement number its structure requires:
            # typed on the pre-invoice, or the deal's public purchase order.
            checks.append(
                check(
                    MISSING_ENGAGEMENT,
                    BLOCKED,
                    _("Numéro d'engagement manquant (exigé par Chorus Pro) : saisissez-le sur la préfacture."),
                    fix=("billing:pre_invoice", {"pk": facts.invoice_id}) if facts.invoice_id else deal_fix,
                    responsible=deal.sales_owner_id,
                )
            )
    if profile.einvoicing_platform != "none":
        name = profile.platform_name or profile.get_einvoicing_platform_display()
        checks.append(
            check(
                PLATFORM_DEPOSIT,
                INFO,
                _("À déposer sur %(platform)s.") % {"platform": name},
                platform=name,
                instructions=profile.platform_instructions,
                url=profile.platform_url,
            )
        )
    notes = "\n".join(n for n in (profile.pre_invoice_notes, deal.pre_invoice_notes) if n)
    if notes:
        checks.append(check(PRE_INVOICE_NOTES, INFO, notes))
    for provider in extra_checks:
        checks.extend(provider(facts))
    return checks
