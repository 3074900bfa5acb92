"""Every write of billing: pre-invoice edits, issuance, sending, deposit, credit notes, payments,
chases and settings. Each function runs in one transaction and checks the actor's rights; an issued
invoice is refused any change here (`InvoiceImmutable`, 409) before the database trigger would.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from adv.broker import send_task_on_commit
from adv.tenancy.context import require_tenant_id
from adv.tenancy.errors import Conflict, DomainError, NotFound
from adv.tenancy.firm_settings import settings_for_update, settings_read
from adv.tenancy.models import Membership, Tenant
from adv.ui.numbers import format_decimal, format_money
from clients.models import ClientName, Contact
from deals.models import Milestone, MilestoneStatus, Subscription
from timesheets.models import Timesheet

from . import access, numbering, readiness, totals
from .build import build_deals, next_billing_after, subscription_period
from .cii import electronic_address
from .errors import BillingErrorCode, InvoiceBlocked, InvoiceImmutable
from .models import (
    OPEN_STATUSES,
    BillingChase,
    BillingPolicy,
    CockpitPreference,
    Invoice,
    InvoiceAttachment,
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
    LineKind,
    Payment,
    Readiness,
    Series,
    Unit,
    VatRegime,
)
from .regime import (
    billing_address_country,
    exemption_reason,
    vat_category,
    vat_on_debits_mention,
    vat_problems,
    vat_regime_for,
)

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
POLICY_FIELDS = {
    "invoice_number_format",
    "credit_note_number_format",
    "default_vat_rate",
    "late_penalty_text",
    "recovery_indemnity_text",
    "discount_text",
    "vat_exemption_text",
    "easy_first",
    "vat_on_debits",
}
HEADER_FIELDS = {"po_number", "engagement_number", "buyer_reference", "service_code", "notes"}
# A header field typed on the pre-invoice is kept by the rebuilds; emptied, it follows the deal again.
EDITED_FLAGS = {"po_number": "po_number_edited", "engagement_number": "engagement_number_edited"}
LINE_FIELDS = {"label", "detail", "quantity", "unit", "unit_price", "vat_rate"}
REWORD_FIELDS = {"label", "detail", "vat_rate"}  # what a person may change on a generated line


def current_tenant() -> Tenant:
    return Tenant.objects.get(pk=require_tenant_id())


def policy() -> BillingPolicy:
    """The firm's invoicing settings, read without writing (defaults when never saved)."""
    return settings_read(BillingPolicy)


@transaction.atomic
def policy_update(*, actor: Membership, **fields) -> BillingPolicy:
    access.require_bill(actor)
    unknown = set(fields) - POLICY_FIELDS
    if unknown:
        raise DomainError(_("Champs inconnus : %(f)s.") % {"f": ", ".join(sorted(unknown))}, code=BillingErrorCode.UNKNOWN_FIELDS)
    if "invoice_number_format" in fields:
        numbering.validate_format(fields["invoice_number_format"], "invoice_number_format")
    if "credit_note_number_format" in fields:
        numbering.validate_format(fields["credit_note_number_format"], "credit_note_number_format")
    current = settings_for_update(BillingPolicy)
    for name, value in fields.items():
        setattr(current, name, value)
    current.full_clean(exclude=["tenant"])
    current.save()
    return current


# --- Pre-invoice edits --------------------------------------------------------------------------


def _draft(invoice_id) -> Invoice:
    invoice = Invoice.objects.select_for_update().filter(pk=invoice_id).first()
    if invoice is None:
        raise NotFound(_("Préfacture introuvable."))
    if not invoice.is_draft:
        raise InvoiceImmutable(invoice.number)
    return invoice


def refresh(invoice: Invoice) -> Invoice:
    """Recompute a pre-invoice's lines from their sources, its totals and its checks."""
    if invoice.deal_id is not None:
        build_deals(invoice.month, [invoice.deal_id])
    return Invoice.objects.get(pk=invoice.pk)


@transaction.atomic
def pre_invoices_refresh(*, groups) -> int:
    """Rebuild the drafts of these (month ISO, deal id) groups from their sources (lines, totals,
    checks), as issuing does; no actor (a consequence of someone else's change). Their drafts are
    locked in id order first, like issuing, so that both wait for each other. Idempotent; returns
    how many groups still had drafts."""
    by_month: dict[datetime.date, set] = {}
    for month, deal_id in groups:
        by_month.setdefault(datetime.date.fromisoformat(str(month)), set()).add(str(deal_id))
    refreshed = 0
    for month, deal_ids in sorted(by_month.items()):
        locked = set(
            Invoice.objects.select_for_update()
            .filter(status=InvoiceStatus.DRAFT, kind=InvoiceKind.INVOICE, month=month, deal_id__in=deal_ids)
            .order_by("id")
            .values_list("deal_id", flat=True)
        )
        if locked:
            build_deals(month, sorted(locked, key=str))
            refreshed += len(locked)
    return refreshed


@transaction.atomic
def pre_invoice_update(*, actor: Membership, invoice: Invoice, **fields) -> Invoice:
    access.require_bill(actor)
    invoice = _draft(invoice.pk)
    unknown = set(fields) - HEADER_FIELDS
    if unknown:
        raise DomainError(
            _("Champs non modifiables : %(f)s.") % {"f": ", ".join(sorted(unknown))}, code=BillingErrorCode.UNKNOWN_FIELDS
        )
    flags = []
    for name, value in fields.items():
        value = (value or "").strip()
        if name in EDITED_FLAGS and value != getattr(invoice, name):
            setattr(invoice, EDITED_FLAGS[name], bool(value))
            flags.append(EDITED_FLAGS[name])
        setattr(invoice, name, value)
    invoice.full_clean(
        exclude=["tenant", "client", "deal", "purchase_order", "consultant", "credited_invoice", "run", "issued_by"]
    )
    invoice.save(update_fields=[*fields, *flags, "updated_at"])
    return refresh(invoice)


def _decimal(value, field: str, places: str = "0.01") -> Decimal:
    try:
        number = Decimal(str(value).replace(",", ".").replace("\u202f", "").replace(" ", ""))
    except (InvalidOperation, ValueError) as exc:
        raise DomainError(_("Nombre invalide."), code=BillingErrorCode.INVALID_NUMBER, field=field) from exc
    if not number.is_finite():
        raise DomainError(_("Nombre invalide."), code=BillingErrorCode.INVALID_NUMBER, field=field)
    return number.quantize(Decimal(places))


def _clean_line(line: InvoiceLine) -> None:
    if not line.label.strip():
        raise DomainError(_("Le libellé est obligatoire."), code=BillingErrorCode.REQUIRED, field="label")
    if line.unit_price < 0:
        raise DomainError(
            _("Le prix unitaire ne peut pas être négatif (mettez une quantité négative pour une remise)."),
            code=BillingErrorCode.NEGATIVE_PRICE,
            field="unit_price",
        )
    if line.quantity == 0:
        raise DomainError(_("La quantité ne peut pas être nulle."), code=BillingErrorCode.ZERO_QUANTITY, field="quantity")
    if not (0 <= line.vat_rate <= 100):
        raise DomainError(_("Le taux de TVA doit être entre 0 et 100 %."), code=BillingErrorCode.INVALID_VAT_RATE, field="vat_rate")
    if abs(line.quantity * line.unit_price) >= Decimal("1e12"):
        raise DomainError(_("Montant trop élevé."), code=BillingErrorCode.AMOUNT_TOO_LARGE, field="unit_price")
    line.net_amount = totals.line_net(line.quantity, line.unit_price)


@transaction.atomic
def line_add(
    *,
    actor: Membership,
    invoice: Invoice,
    label: str,
    quantity,
    unit_price,
    vat_rate=None,
    unit: str = Unit.UNIT,
    detail: str = "",
    kind: str = LineKind.MANUAL,
) -> InvoiceLine:
    access.require_bill(actor)
    invoice = _draft(invoice.pk)
    if kind not in (LineKind.MANUAL, LineKind.DISCOUNT):
        raise DomainError(
            _("Seules les lignes libres et les remises s'ajoutent à la main."), code=BillingErrorCode.INVALID_KIND, field="kind"
        )
    if unit not in Unit.values:
        raise DomainError(_("Unité inconnue."), code=BillingErrorCode.INVALID_UNIT, field="unit")
    line = InvoiceLine(
        invoice=invoice,
        kind=kind,
        label=(label or "").strip()[:300],
        detail=(detail or "").strip()[:500],
        unit=unit,
        quantity=_decimal(quantity, "quantity"),
        unit_price=_decimal(unit_price, "unit_price", "0.0001"),
        vat_rate=_decimal(policy().default_vat_rate if vat_rate in (None, "") else vat_rate, "vat_rate"),
        position=invoice.lines.count() + 1000,
    )
    _clean_line(line)
    line.save()
    refresh(invoice)
    return line


@transaction.atomic
def discount_add(
    *, actor: Membership, invoice: Invoice, label: str = "", amount=None, percent=None, vat_rate=None
) -> InvoiceLine:
    """A discount: a fixed amount (at one VAT rate), or a percentage of the lines' net total (HT).
    A percentage on lines at several VAT rates is one discount per rate, each on that rate's basis
    (art. 267 II-1° CGI: the discount reduces each rate's taxable amount; BG-20 per VAT rate).
    Returns the (first) discount line."""
    access.require_bill(actor)
    invoice = _draft(invoice.pk)
    if (amount in (None, "")) == (percent in (None, "")):
        raise DomainError(
            _("Indiquez un montant ou un pourcentage de remise."), code=BillingErrorCode.DISCOUNT_AMOUNT_OR_PERCENT, field="amount"
        )
    if percent not in (None, ""):
        rate = _decimal(percent, "percent")
        if not (0 < rate <= 100):
            raise DomainError(_("Le pourcentage doit être entre 0 et 100."), code=BillingErrorCode.INVALID_PERCENT, field="percent")
        bases: dict[Decimal, Decimal] = {}
        for line in invoice.lines.all():
            if line.kind != LineKind.DISCOUNT:
                bases[line.vat_rate] = bases.get(line.vat_rate, ZERO) + line.net_amount
        if vat_rate not in (None, ""):
            only = _decimal(vat_rate, "vat_rate")
            bases = {only: sum(bases.values(), ZERO)}
        parts = [(vat, totals.money(base * rate / 100)) for vat, base in sorted(bases.items()) if base > 0]
        label = label or _("Remise de %(rate)s %%") % {"rate": format_decimal(rate, 2, trim=True)}
        if len(parts) > 1:
            labels = [
                _("%(label)s (TVA %(vat)s %%)") % {"label": label, "vat": format_decimal(vat, 2, trim=True)} for vat, _value in parts
            ]
        else:
            labels = [label]
    else:
        value = _decimal(amount, "amount")
        label = label or _("Remise")
        bases = {}
        for line in invoice.lines.all():
            if line.kind != LineKind.DISCOUNT:
                bases[line.vat_rate] = bases.get(line.vat_rate, ZERO) + line.net_amount
        bases = {vat: base for vat, base in bases.items() if base > 0}
        if vat_rate in (None, "") and len(bases) > 1 and value > 0:
            # A global amount on several VAT rates: shared in proportion to each rate's basis.
            whole = sum(bases.values(), ZERO)
            parts, left = [], value
            for index, (vat, base) in enumerate(sorted(bases.items())):
                share = left if index == len(bases) - 1 else totals.money(value * base / whole)
                parts.append((vat, share))
                left -= share
            labels = [_("%(label)s (TVA %(vat)s %%)") % {"label": label, "vat": vat.normalize()} for vat, _v in parts]
        else:
            parts = [(vat_rate, value)]
            labels = [label]
    total = sum((value for _vat, value in parts), ZERO)
    if not parts or any(value <= 0 for _vat, value in parts):
        raise DomainError(_("La remise doit être positive."), code=BillingErrorCode.INVALID_DISCOUNT, field="amount")
    if total > invoice.total_net:
        raise DomainError(
            _("La remise dépasse le total HT de la préfacture."), code=BillingErrorCode.DISCOUNT_TOO_LARGE, field="amount"
        )
    lines = [
        line_add(
            actor=actor,
            invoice=invoice,
            label=text,
            quantity=Decimal("-1"),
            unit_price=value,
            vat_rate=vat,
            unit=Unit.UNIT,
            kind=LineKind.DISCOUNT,
        )
        for text, (vat, value) in zip(labels, parts, strict=True)
    ]
    return lines[0]


@transaction.atomic
def line_update(*, actor: Membership, line: InvoiceLine, **fields) -> InvoiceLine:
    access.require_bill(actor)
    invoice = _draft(line.invoice_id)
    line = InvoiceLine.objects.select_for_update().get(pk=line.pk, invoice=invoice)
    allowed = REWORD_FIELDS if line.is_generated else LINE_FIELDS
    refused = set(fields) - allowed
    if refused:
        raise DomainError(
            _(
                "Sur une ligne issue des CRA, échéances ou abonnements, seuls le libellé, le détail et la TVA se modifient."
            ),
            code=BillingErrorCode.GENERATED_LINE,
            field=sorted(refused)[0],
        )
    for name, value in fields.items():
        if name in ("quantity", "vat_rate"):
            value = _decimal(value, name)
        elif name == "unit_price":
            value = _decimal(value, name, "0.0001")
        elif name == "unit" and value not in Unit.values:
            raise DomainError(_("Unité inconnue."), code=BillingErrorCode.INVALID_UNIT, field="unit")
        else:
            value = (value or "").strip()
        setattr(line, name, value)
    _clean_line(line)
    if line.is_generated:
        line.is_edited = True
    line.save()
    refresh(invoice)
    return line


@transaction.atomic
def line_delete(*, actor: Membership, line: InvoiceLine) -> None:
    access.require_bill(actor)
    invoice = _draft(line.invoice_id)
    if line.is_generated:
        raise DomainError(
            _(
                "Cette ligne vient d'un CRA, d'une échéance ou d'un abonnement : corrigez la source, ou ajoutez une remise."
            ),
            code=BillingErrorCode.GENERATED_LINE,
        )
    InvoiceLine.objects.filter(pk=line.pk, invoice=invoice).delete()
    refresh(invoice)


@transaction.atomic
def reception_number_set(*, actor: Membership, invoice: Invoice, timesheet_line_id, number: str) -> Invoice:
    """Fix a missing reception number from the cockpit: it is stored on the consultant's month."""
    from timesheets.models import TimesheetLine
    from timesheets.services import timesheet_set_reception_number

    access.require_bill(actor)
    invoice = _draft(invoice.pk)
    if not (number or "").strip():
        raise DomainError(_("Saisissez le numéro de réception."), code=BillingErrorCode.REQUIRED, field="number")
    line = TimesheetLine.objects.filter(pk=timesheet_line_id, invoice_lines__invoice=invoice).distinct().first()
    if line is None:
        raise NotFound(_("Ce CRA ne fait pas partie de la préfacture."))
    timesheet_set_reception_number(actor=actor, line=line, number=number)
    return refresh(invoice)


# --- Issuing ------------------------------------------------------------------------------------


@dataclass
class IssueResult:
    issued: list[Invoice] = field(default_factory=list)
    refused: dict = field(default_factory=dict)  # invoice id -> reasons


def due_date_for(issue_date: datetime.date, days: int, end_of_month: bool) -> datetime.date:
    """N days, or N days end of month (the date N days later, moved to the end of its month)."""
    due = issue_date + datetime.timedelta(days=days)
    if end_of_month:
        due = due + relativedelta(day=31)
    return due


def _terms(client, tenant) -> tuple[int, bool]:
    profile = client.billing_profile
    if profile.payment_terms_days is not None:
        return profile.payment_terms_days, profile.payment_terms_end_of_month
    return tenant.payment_terms_days, tenant.payment_terms_end_of_month


def _legal_name_on(client, day: datetime.date, names: list | None = None) -> str:
    """The legal name on `day`; before the first record, the oldest known name (not today's).
    `names`: the client's ClientName rows by date, when the caller read them in bulk."""
    if names is None:
        names = list(ClientName.objects.filter(client=client).order_by("valid_from"))
    if not names:
        return client.legal_name
    valid = [n for n in names if n.valid_from <= day]
    return (valid[-1] if valid else names[0]).legal_name


def seller_snapshot(tenant) -> dict:
    return {
        "name": tenant.legal_name or tenant.name,
        "trade_name": tenant.name,
        "legal_form": tenant.legal_form,
        "share_capital": str(tenant.share_capital) if tenant.share_capital is not None else "",
        "rcs_city": tenant.rcs_city,
        "siren": tenant.siren,
        "siret": tenant.siret,
        "vat_number": tenant.vat_number,
        "line1": tenant.address_line1,
        "line2": tenant.address_line2,
        "postal_code": tenant.postal_code,
        "city": tenant.city,
        "country": tenant.country or "FR",
        "iban": tenant.iban,
        "bic": tenant.bic,
    }


def buyer_snapshot(client, day: datetime.date, names: list | None = None) -> dict:
    billing = bool(client.billing_line1)
    snapshot = {
        "name": _legal_name_on(client, day, names),
        "trade_name": client.trade_name,
        "siren": client.siren,
        "siret": client.siret,
        "vat_number": client.vat_number,
        "line1": client.billing_line1 if billing else client.head_office_line1,
        "line2": client.billing_line2 if billing else client.head_office_line2,
        "postal_code": client.billing_postal_code if billing else client.head_office_postal_code,
        "city": client.billing_city if billing else client.head_office_city,
        "country": billing_address_country(client),
        "is_public_sector": client.is_public_sector,
    }
    if electronic_address(snapshot) is None:
        # Neither SIREN nor a VAT number with an EAS scheme (a client outside the EU, most often):
        # its electronic address (BT-49, BR-FR-12) is the e-mail its invoices go to.
        snapshot["email"] = (
            Contact.objects.filter(client=client, is_active=True)
            .exclude(invoice_delivery="")
            .order_by("-invoice_delivery", "created_at")
            .values_list("email", flat=True)
            .first()
            or ""
        )
    return snapshot


def _mentions(invoice: Invoice, rules: BillingPolicy) -> list[str]:
    mentions = [_("Opération : prestations de services.")]
    reason = exemption_reason(invoice.vat_regime, rules)
    if reason:
        mentions.append(reason)
    if rules.vat_on_debits and invoice.vat_regime == VatRegime.STANDARD:
        mentions.append(vat_on_debits_mention())
    mentions += [rules.late_penalty_text, rules.recovery_indemnity_text, rules.discount_text]
    if invoice.is_credit_note and invoice.credited_invoice_id:
        origin = invoice.credited_invoice
        mentions.insert(
            0,
            _("Avoir sur la facture %(number)s du %(date)s.")
            % {
                "number": origin.number,
                "date": origin.issue_date.strftime("%d/%m/%Y"),
            },
        )
    return [m for m in mentions if m]


def _freeze(
    invoice: Invoice,
    *,
    tenant,
    rules: BillingPolicy,
    issue_date: datetime.date,
    actor: Membership,
    names: list | None = None,
) -> None:
    """Everything the issued document says, computed once."""
    client = invoice.client
    invoice.issue_date = issue_date
    invoice.seller = {**seller_snapshot(tenant), "vat_on_debits": rules.vat_on_debits}
    if invoice.is_credit_note and invoice.credited_invoice_id:
        # A credit note corrects the invoice as it was issued: the same buyer (name, identifiers,
        # addresses) and the same VAT regime, whatever the client's record says today.
        origin = invoice.credited_invoice
        invoice.buyer = dict(origin.buyer)
        invoice.vat_regime = origin.vat_regime
    else:
        invoice.buyer = buyer_snapshot(client, issue_date, names)
        invoice.vat_regime = vat_regime_for(client, rules)
    lines = list(invoice.lines.all())
    result = totals.compute(((line.net_amount, line.vat_rate) for line in lines), vat_category(invoice.vat_regime))
    invoice.total_net, invoice.total_vat, invoice.total_gross = result.net, result.vat, result.gross
    if invoice.is_credit_note:
        invoice.due_date = issue_date
        invoice.payment_terms = _("Avoir imputable sur la facture %(number)s.") % {
            "number": invoice.credited_invoice.number
        }
    else:
        days, end_of_month = _terms(client, tenant)
        invoice.due_date = due_date_for(issue_date, days, end_of_month)
        terms = _("%(days)s jours fin de mois") if end_of_month else _("%(days)s jours")
        invoice.payment_terms = _("Paiement à %(terms)s, soit le %(due)s, par virement.") % {
            "terms": terms % {"days": days},
            "due": invoice.due_date.strftime("%d/%m/%Y"),
        }
    invoice.legal_mentions = _mentions(invoice, rules)
    invoice.issued_by = actor
    invoice.status = InvoiceStatus.ISSUED


def attachments_for(invoice: Invoice, lines: list[InvoiceLine]) -> list[InvoiceAttachment]:
    """What goes with the invoice (unsaved rows): the client-signed timesheets of the time it bills
    and the documents its milestones required (acceptance reports...)."""
    from timesheets.models import ClientApproval

    found: list[InvoiceAttachment] = []
    timesheet_ids = {line.timesheet_id for line in lines if line.timesheet_id}
    if timesheet_ids and invoice.deal_id:
        approvals = ClientApproval.objects.filter(
            timesheet_id__in=timesheet_ids, deal_id=invoice.deal_id, signed_document__isnull=False
        ).select_related("signed_document", "timesheet__consultant__user")
        for approval in approvals:
            user = approval.timesheet.consultant.user
            reason = _("CRA signé de %(consultant)s") % {"consultant": user.get_full_name() or user.email}
            found.append(InvoiceAttachment(invoice=invoice, document=approval.signed_document, reason=reason))
    milestone_ids = {line.milestone_id for line in lines if line.milestone_id}
    if milestone_ids:
        for milestone in Milestone.objects.filter(pk__in=milestone_ids, document__isnull=False).select_related(
            "document"
        ):
            found.append(InvoiceAttachment(invoice=invoice, document=milestone.document, reason=milestone.label))
    unique = {attachment.document_id: attachment for attachment in found}
    return list(unique.values())


def _after_issue(invoice: Invoice, now) -> None:
    """What billing this invoice settles: timesheets locked, milestones invoiced, subscriptions moved
    on; the documents that go with it recorded."""
    lines = list(invoice.lines.all())
    attachments = attachments_for(invoice, lines)
    if attachments:
        tenant_id = require_tenant_id()
        for attachment in attachments:
            attachment.tenant_id = tenant_id
        InvoiceAttachment.objects.bulk_create(attachments, ignore_conflicts=True)
    timesheet_ids = {line.timesheet_id for line in lines if line.timesheet_id}
    if timesheet_ids:
        Timesheet.objects.filter(pk__in=timesheet_ids, locked_at__isnull=True).update(locked_at=now, updated_at=now)
    milestone_ids = {line.milestone_id for line in lines if line.milestone_id}
    if milestone_ids:
        Milestone.objects.filter(pk__in=milestone_ids).update(
            status=MilestoneStatus.INVOICED, invoiced_at=now, updated_at=now
        )
    for line in lines:
        if line.subscription_id:
            subscription = Subscription.objects.select_for_update().get(pk=line.subscription_id)
            if (
                subscription.next_billing_date
                and subscription_period(subscription)[0] == line.subscription_period_start
            ):
                _start, end = subscription_period(subscription)
                subscription.next_billing_date = next_billing_after(subscription, end)
                if subscription.end_date and subscription.next_billing_date > subscription.end_date + relativedelta(
                    months=12
                ):
                    subscription.is_active = False
                subscription.save(update_fields=["next_billing_date", "is_active", "updated_at"])


def _schedule_render(invoice_ids: list) -> None:
    from .tasks import render_invoice

    tenant_id = str(require_tenant_id())
    for invoice_id in invoice_ids:
        send_task_on_commit(
            render_invoice, tenant_id, str(invoice_id), recovery="the render sweep queues it again (billing.tasks.render_sweep)"
        )


@transaction.atomic
def invoices_issue(*, actor: Membership, invoice_ids, issue_date: datetime.date | None = None) -> IssueResult:
    """Issue the selected pre-invoices: refreshed, checked, then numbered in one transaction.

    Blocked ones are refused with their reasons and left as they are; the others get consecutive
    numbers of the year's series. The PDFs are rendered after commit.
    """
    access.require_bill(actor)
    tenant = current_tenant()
    issue_date = issue_date or timezone.localdate()
    if issue_date > timezone.localdate():
        raise DomainError(
            _("La date de facture ne peut pas être dans le futur."), code=BillingErrorCode.ISSUE_DATE_FUTURE, field="issue_date"
        )
    result = IssueResult()
    ids = list(dict.fromkeys(str(pk) for pk in invoice_ids))
    drafts = {str(inv.pk): inv for inv in Invoice.objects.filter(pk__in=ids)}
    # Refreshing rewrites every draft of the deals concerned: lock them all, always in id order,
    # so that two people issuing drafts of the same deal wait for each other instead of deadlocking.
    groups = {(inv.month, inv.deal_id) for inv in drafts.values() if inv.is_draft and inv.deal_id}
    if groups:
        list(
            Invoice.objects.select_for_update()
            .filter(
                status=InvoiceStatus.DRAFT,
                kind=InvoiceKind.INVOICE,
                month__in={m for m, _d in groups},
                deal_id__in={d for _m, d in groups},
            )
            .order_by("id")
            .values_list("pk", flat=True)
        )
    drafts = {str(inv.pk): inv for inv in Invoice.objects.select_for_update().filter(pk__in=ids).order_by("id")}
    by_month: dict = {}
    for pk in ids:
        invoice = drafts.get(pk)
        if invoice is None:
            result.refused[pk] = [_("Préfacture introuvable.")]
        elif not invoice.is_draft:
            result.refused[pk] = [_("Déjà émise sous le numéro %(number)s.") % {"number": invoice.number}]
        elif invoice.deal_id:
            by_month.setdefault(invoice.month, set()).add(invoice.deal_id)
    for month, deal_ids in by_month.items():
        build_deals(month, sorted(deal_ids, key=str))
    fresh = (
        Invoice.objects.filter(pk__in=[pk for pk in ids if pk not in result.refused], status=InvoiceStatus.DRAFT)
        .select_related("client__billing_profile", "credited_invoice")
        .prefetch_related("lines")
        .order_by("client__legal_name", "created_at", "id")
    )
    to_issue = []
    rules = policy()
    for invoice in fresh:
        # The VAT the invoice will be frozen under, checked against the client even when the
        # stored checks are older than the client record.
        vat_refusal = vat_problems(invoice.client, vat_regime_for(invoice.client, rules))
        if invoice.readiness == Readiness.BLOCKED or vat_refusal:
            result.refused[str(invoice.pk)] = list(
                dict.fromkeys([*readiness.blocking_reasons(invoice.checks), *vat_refusal])
            )
        elif not invoice.lines.all():
            result.refused[str(invoice.pk)] = [_("Aucune ligne à facturer.")]
        elif invoice.total_gross <= 0:
            result.refused[str(invoice.pk)] = [_("Le total de la facture doit être positif.")]
        else:
            to_issue.append(invoice)
    issuable = {str(i.pk) for i in to_issue}
    for pk in ids:
        if pk not in result.refused and pk not in issuable:
            result.refused[pk] = [_("Cette préfacture n'a plus rien à facturer.")]
    if not to_issue:
        return result
    now = timezone.now()
    names: dict = {}
    for name in ClientName.objects.filter(client_id__in={i.client_id for i in to_issue}).order_by("valid_from"):
        names.setdefault(name.client_id, []).append(name)
    for invoice in to_issue:
        _freeze(
            invoice,
            tenant=tenant,
            rules=rules,
            issue_date=issue_date,
            actor=actor,
            names=names.get(invoice.client_id, []),
        )
    # The lock on the counter is taken last and held only for the UPDATEs below.
    numbers = numbering.take_numbers(Series.INVOICE, issue_date.year, rules.invoice_number_format, len(to_issue))
    _require_chronological(issue_date, exclude=[invoice.pk for invoice in to_issue])
    for invoice, number in zip(to_issue, numbers, strict=True):
        invoice.number = number
        invoice.render_status = "pending"
        invoice.save()
        _after_issue(invoice, now)
        result.issued.append(invoice)
    _schedule_render([invoice.pk for invoice in to_issue])
    return result


def _require_chronological(issue_date: datetime.date, exclude: list) -> None:
    """Numbers follow the dates (Code de commerce: chronological numbering): an invoice may not be dated
    before one already issued in the series. Checked under the counter's lock, so that two issuers with
    different dates cannot interleave; raising rolls the numbers back."""
    latest = (
        Invoice.objects.filter(kind=InvoiceKind.INVOICE, number__isnull=False, issue_date__year=issue_date.year)
        .exclude(pk__in=exclude)
        .aggregate(latest=Max("issue_date"))["latest"]
    )
    if latest is not None and latest > issue_date:
        raise DomainError(
            _(
                "Une facture de cette série est déjà datée du %(date)s : la date de facture ne peut pas être "
                "antérieure, la numérotation doit suivre l'ordre chronologique."
            )
            % {"date": latest.strftime("%d/%m/%Y")},
            code=BillingErrorCode.ISSUE_DATE_BEFORE_LAST,
            field="issue_date",
        )


def invoice_issue(*, actor: Membership, invoice: Invoice, issue_date: datetime.date | None = None) -> Invoice:
    """Issue one pre-invoice, or refuse it with its reasons (409)."""
    with transaction.atomic():
        result = invoices_issue(actor=actor, invoice_ids=[invoice.pk], issue_date=issue_date)
        if result.refused:
            reasons = next(iter(result.refused.values()))
            current = Invoice.objects.filter(pk=invoice.pk).first()
            if current is not None and not current.is_draft:
                raise InvoiceImmutable(current.number)
            raise InvoiceBlocked(reasons)
    return result.issued[0]


@transaction.atomic
def invoice_render_retry(*, actor: Membership, invoice: Invoice) -> Invoice:
    access.require_bill(actor)
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if not invoice.is_issued:
        raise Conflict(_("Une préfacture n'a pas encore de PDF définitif."), code=BillingErrorCode.NOT_ISSUED)
    if invoice.render_status == "done":
        return invoice
    invoice.render_status = "pending"
    invoice.render_error = ""
    invoice.save(update_fields=["render_status", "render_error", "updated_at"])
    _schedule_render([invoice.pk])
    return invoice


# --- Sending and deposit --------------------------------------------------------------------------


def recipients_for(invoice: Invoice) -> tuple[list[str], list[str]]:
    from clients.models import Contact, InvoiceDelivery
    from deals.models import DealInvoiceRecipient

    if invoice.deal_id:
        chosen = list(DealInvoiceRecipient.objects.filter(deal_id=invoice.deal_id).select_related("contact"))
        if chosen:
            return [r.contact.email for r in chosen if r.contact.email], []
    contacts = Contact.objects.filter(client_id=invoice.client_id, is_active=True).exclude(invoice_delivery="")
    to = [c.email for c in contacts if c.invoice_delivery == InvoiceDelivery.TO]
    cc = [c.email for c in contacts if c.invoice_delivery == InvoiceDelivery.CC]
    return (to or cc), (cc if to else [])


@transaction.atomic
def invoice_send(*, actor: Membership, invoice: Invoice):
    """Email the invoice's PDF and its attachments to the client's recipients, through the outbox."""
    from notifications.services import email_enqueue

    access.require_bill(actor)
    invoice = (
        Invoice.objects.select_for_update(of=("self",)).select_related("client", "credited_invoice").get(pk=invoice.pk)
    )
    if not invoice.is_issued:
        raise Conflict(_("Émettez la préfacture avant de l'envoyer."), code=BillingErrorCode.NOT_ISSUED)
    if invoice.render_status != "done" or not invoice.pdf_file:
        raise Conflict(
            _("Le PDF de la facture n'est pas encore prêt : réessayez dans un instant."), code=BillingErrorCode.PDF_NOT_READY
        )
    to, cc = recipients_for(invoice)
    if not to:
        raise DomainError(
            _("Aucun destinataire des factures chez ce client : ajoutez-en un sur sa fiche."), code=BillingErrorCode.NO_RECIPIENT
        )
    attachments = [
        {
            "name": f"{invoice.number.replace('/', '-')}.pdf",
            "path": invoice.pdf_file.name,
            "content_type": "application/pdf",
        }
    ]
    for attachment in invoice.attachments.select_related("document__current_version"):
        version = attachment.document.current_version
        if version is not None:
            attachments.append(
                {"name": version.original_name, "path": version.file.name, "content_type": version.content_type}
            )
    references = []
    if invoice.po_number:
        references.append(_("Bon de commande : %(po)s") % {"po": invoice.po_number})
    if invoice.buyer_reference:
        references.append(_("Votre référence : %(ref)s") % {"ref": invoice.buyer_reference})
    sends = invoice.sent_at.isoformat() if invoice.sent_at else "first"
    context = {
        "number": invoice.number,
        "issue_date": invoice.issue_date.strftime("%d/%m/%Y"),
        "total": format_money(invoice.total_gross, invoice.currency),
        "references": "\n".join(references),
        "client_name": invoice.buyer.get("name", ""),
    }
    if invoice.is_credit_note:
        # A credit note has no due date: the email names the invoice it credits instead.
        origin = invoice.credited_invoice
        context |= {"credited_number": origin.number, "credited_date": origin.issue_date.strftime("%d/%m/%Y")}
    else:
        context["due_date"] = invoice.due_date.strftime("%d/%m/%Y")
    email = email_enqueue(
        to=to,
        cc=cc,
        template_key="billing.credit_note_email" if invoice.is_credit_note else "billing.invoice_email",
        language=invoice.language,
        idempotency_key=f"invoice-send:{invoice.pk}:{sends}",
        attachments=attachments,
        context=context,
    )
    invoice.sent_at = timezone.now()
    if invoice.status == InvoiceStatus.ISSUED:
        invoice.status = InvoiceStatus.SENT
    invoice.save(update_fields=["sent_at", "status", "updated_at"])
    return invoice, email


@transaction.atomic
def invoice_mark_deposited(*, actor: Membership, invoice: Invoice, reference: str) -> Invoice:
    access.require_bill(actor)
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if not invoice.is_issued:
        raise Conflict(_("Émettez la préfacture avant de la déposer."), code=BillingErrorCode.NOT_ISSUED)
    reference = (reference or "").strip()
    if not reference:
        raise DomainError(_("Indiquez la référence donnée par la plateforme."), code=BillingErrorCode.REQUIRED, field="reference")
    invoice.deposited_at = timezone.now()
    invoice.deposit_reference = reference[:100]
    if invoice.status == InvoiceStatus.ISSUED:
        invoice.status = InvoiceStatus.SENT
        invoice.sent_at = invoice.sent_at or invoice.deposited_at
    invoice.save(update_fields=["deposited_at", "deposit_reference", "status", "sent_at", "updated_at"])
    return invoice


# --- Credit notes ---------------------------------------------------------------------------------


def _settle(invoice: Invoice) -> None:
    """Status from what was paid (never back to draft). A credit note lowers what is due (the
    balance), it is not a payment: a partly credited invoice with nothing paid stays issued or sent
    (its balance shows what remains due); one wholly covered by credit notes with nothing paid is
    "credited", not "paid"."""
    if invoice.balance <= 0:
        invoice.status = InvoiceStatus.PAID if invoice.amount_paid > 0 else InvoiceStatus.CREDITED
    elif invoice.amount_paid > 0:
        invoice.status = InvoiceStatus.PARTIALLY_PAID
    elif invoice.sent_at:
        invoice.status = InvoiceStatus.SENT
    else:
        invoice.status = InvoiceStatus.ISSUED


@transaction.atomic
def credit_note_create(
    *,
    actor: Membership,
    invoice: Invoice,
    reason: str,
    amount=None,
    vat_rate=None,
    issue_date: datetime.date | None = None,
) -> Invoice:
    """A credit note on an issued invoice: the whole invoice (no amount), or a partial amount (HT)."""
    access.require_bill(actor)
    tenant = current_tenant()
    origin = (
        Invoice.objects.select_for_update(of=("self",))
        .select_related("client__billing_profile")
        .filter(pk=invoice.pk)
        .first()
    )
    if origin is None or origin.kind != InvoiceKind.INVOICE or not origin.is_issued:
        raise Conflict(_("Un avoir porte sur une facture émise."), code=BillingErrorCode.NOT_ISSUED)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Indiquez le motif de l'avoir."), code=BillingErrorCode.REQUIRED, field="reason")
    remaining = origin.total_gross - origin.amount_credited
    if remaining <= 0:
        raise Conflict(_("Cette facture est déjà entièrement couverte par des avoirs."), code=BillingErrorCode.FULLY_CREDITED)
    issue_date = issue_date or timezone.localdate()
    if issue_date < origin.issue_date:
        raise DomainError(_("Un avoir ne peut pas précéder la facture."), code=BillingErrorCode.INVALID_DATE, field="issue_date")
    note = Invoice(
        kind=InvoiceKind.CREDIT_NOTE,
        month=origin.month,
        client=origin.client,
        deal=origin.deal,
        purchase_order=origin.purchase_order,
        credited_invoice=origin,
        credit_reason=reason[:300],
        currency=origin.currency,
        language=origin.language,
        po_number=origin.po_number,
        engagement_number=origin.engagement_number,
        buyer_reference=origin.buyer_reference,
        service_code=origin.service_code,
        period_start=origin.period_start,
        period_end=origin.period_end,
    )
    lines: list[InvoiceLine] = []
    if amount in (None, ""):
        if origin.amount_credited > 0:
            raise Conflict(
                _("Un avoir partiel existe déjà : indiquez le montant restant à créditer."), code=BillingErrorCode.PARTIALLY_CREDITED
            )
        for line in origin.lines.all():
            lines.append(
                InvoiceLine(
                    kind=line.kind,
                    label=line.label,
                    detail=line.detail,
                    quantity=line.quantity,
                    unit=line.unit,
                    unit_price=line.unit_price,
                    vat_rate=line.vat_rate,
                    net_amount=line.net_amount,
                    position=line.position,
                    reception_number=line.reception_number,
                )
            )
    else:
        value = _decimal(amount, "amount")
        rate = _decimal(vat_rate, "vat_rate") if vat_rate not in (None, "") else _main_rate(origin)
        rates = {line.vat_rate for line in origin.lines.all()}
        if rates and rate not in rates:
            raise DomainError(
                _("Un avoir reprend les taux de TVA de la facture : choisissez l'un de ses taux (%(rates)s %%).")
                % {"rates": ", ".join(sorted(f"{r.normalize():f}" for r in rates))},
                code=BillingErrorCode.INVALID_VAT_RATE,
                field="vat_rate",
            )
        if value <= 0:
            raise DomainError(_("Le montant de l'avoir doit être positif."), code=BillingErrorCode.INVALID_AMOUNT, field="amount")
        lines.append(
            InvoiceLine(
                kind=LineKind.MANUAL,
                label=_("Avoir partiel sur la facture %(number)s : %(reason)s")
                % {"number": origin.number, "reason": reason},
                quantity=Decimal("1"),
                unit=Unit.UNIT,
                unit_price=value,
                vat_rate=rate,
                net_amount=value,
            )
        )
    note.save()
    for line in lines:
        line.invoice = note
    InvoiceLine.objects.bulk_create([_stamp(line) for line in lines])
    rules = policy()
    note = (
        Invoice.objects.select_related("client__billing_profile", "credited_invoice")
        .prefetch_related("lines")
        .get(pk=note.pk)
    )
    _freeze(note, tenant=tenant, rules=rules, issue_date=issue_date, actor=actor)
    if note.total_gross > remaining:
        raise DomainError(
            _("L'avoir (%(amount)s TTC) dépasse ce qui reste à créditer sur la facture (%(remaining)s TTC).")
            % {"amount": format_money(note.total_gross, note.currency), "remaining": format_money(remaining, note.currency)},
            code=BillingErrorCode.CREDIT_EXCEEDS_INVOICE,
            field="amount",
        )
    note.number = numbering.take_numbers(Series.CREDIT_NOTE, issue_date.year, rules.credit_note_number_format, 1)[0]
    note.render_status = "pending"
    note.save()
    origin.amount_credited = F("amount_credited") + note.total_gross
    origin.save(update_fields=["amount_credited", "updated_at"])
    origin.refresh_from_db()
    _settle(origin)
    origin.save(update_fields=["status", "updated_at"])
    if origin.amount_credited >= origin.total_gross:
        _give_back(origin)
    _schedule_render([note.pk])
    return note


def _give_back(origin: Invoice) -> None:
    """A fully credited invoice bills nothing any more: its milestones and subscription periods
    become billable again (its time already is: the run skips lines of fully credited invoices)."""
    from deals.services import first_billing_date

    lines = list(origin.lines.all())
    milestone_ids = [line.milestone_id for line in lines if line.milestone_id]
    for milestone in Milestone.objects.filter(pk__in=milestone_ids, status=MilestoneStatus.INVOICED):
        milestone.status = MilestoneStatus.READY if milestone.document_id else MilestoneStatus.DUE
        milestone.invoiced_at = None
        milestone.save(update_fields=["status", "invoiced_at", "updated_at"])
    for line in lines:
        if not (line.subscription_id and line.subscription_period_start):
            continue
        subscription = Subscription.objects.select_for_update().get(pk=line.subscription_id)
        period_date = first_billing_date(line.subscription_period_start, subscription.period, subscription.timing)
        if subscription.next_billing_date > period_date:
            subscription.next_billing_date = period_date
            subscription.is_active = True
            subscription.save(update_fields=["next_billing_date", "is_active", "updated_at"])


def _stamp(line: InvoiceLine) -> InvoiceLine:
    line.tenant_id = require_tenant_id()
    return line


def _main_rate(invoice: Invoice) -> Decimal:
    rates: dict[Decimal, Decimal] = {}
    for line in invoice.lines.all():
        rates[line.vat_rate] = rates.get(line.vat_rate, ZERO) + line.net_amount
    return max(rates, key=rates.get) if rates else policy().default_vat_rate


# --- Payments -------------------------------------------------------------------------------------


@transaction.atomic
def payment_record(
    *,
    actor: Membership,
    invoice: Invoice,
    amount,
    paid_on: datetime.date,
    method: str = "transfer",
    reference: str = "",
    bank_fingerprint: str | None = None,
) -> Payment:
    from .models import PaymentMethod

    access.require_bill(actor)
    invoice = Invoice.objects.select_for_update().filter(pk=invoice.pk).first()
    if invoice is None or invoice.kind != InvoiceKind.INVOICE or invoice.status not in OPEN_STATUSES:
        raise Conflict(_("Un paiement s'enregistre sur une facture émise, non soldée."), code=BillingErrorCode.NOT_PAYABLE)
    value = _decimal(amount, "amount")
    if value <= 0:
        raise DomainError(_("Le montant doit être positif."), code=BillingErrorCode.INVALID_AMOUNT, field="amount")
    if value > invoice.balance:
        raise DomainError(
            _("Le paiement (%(amount)s) dépasse le reste dû (%(balance)s).")
            % {"amount": format_money(value, invoice.currency), "balance": format_money(invoice.balance, invoice.currency)},
            code=BillingErrorCode.OVERPAYMENT,
            field="amount",
        )
    if paid_on is None:
        raise DomainError(_("Indiquez la date du paiement."), code=BillingErrorCode.REQUIRED, field="paid_on")
    if paid_on > timezone.localdate() + datetime.timedelta(days=1):
        raise DomainError(_("La date du paiement est dans le futur."), code=BillingErrorCode.FUTURE_DATE, field="paid_on")
    if method not in PaymentMethod.values:
        raise DomainError(_("Mode de paiement inconnu."), code=BillingErrorCode.INVALID_METHOD, field="method")
    payment = Payment.objects.create(
        invoice=invoice,
        amount=value,
        paid_on=paid_on,
        method=method,
        reference=(reference or "").strip()[:200],
        recorded_by=actor,
        bank_fingerprint=bank_fingerprint,
    )
    invoice.amount_paid += value
    _settle(invoice)
    invoice.save(update_fields=["amount_paid", "status", "updated_at"])
    return payment


@transaction.atomic
def payment_cancel(*, actor: Membership, payment: Payment) -> Invoice:
    """Remove a payment recorded by mistake: the invoice's balance and status follow. The payment
    stays in the audit trail (its deletion is recorded with its author)."""
    access.require_bill(actor)
    payment = Payment.objects.select_for_update().filter(pk=payment.pk).first()
    if payment is None:
        raise NotFound(_("Paiement introuvable."))
    invoice = Invoice.objects.select_for_update().get(pk=payment.invoice_id)
    invoice.amount_paid -= payment.amount
    payment.delete()
    _settle(invoice)
    invoice.save(update_fields=["amount_paid", "status", "updated_at"])
    return invoice


# --- Chasing and preferences --------------------------------------------------------------------


@transaction.atomic
def pre_invoice_chase(*, actor: Membership, invoice: Invoice, check_code: str, url: str = "") -> BillingChase:
    """One click: tell the person responsible for a blocking check what is missing."""
    from notifications.services import notify

    access.require_bill(actor)
    invoice = Invoice.objects.select_related("client", "deal").get(pk=invoice.pk)
    matching = [c for c in invoice.checks if c["code"] == check_code and c.get("responsible")]
    if not matching:
        raise DomainError(_("Personne à relancer pour ce point."), code=BillingErrorCode.NOBODY_TO_CHASE, field="check")
    responsible = Membership.objects.filter(pk=matching[0]["responsible"], is_active=True).first()
    if responsible is None:
        raise DomainError(
            _("La personne responsable n'est plus active : relancez quelqu'un d'autre."), code=BillingErrorCode.NOBODY_TO_CHASE
        )
    notify(
        recipients=[responsible],
        event="billing.chase",
        actor=actor,
        target=invoice,
        url=url,
        context={
            "client_name": invoice.client.display_name,
            "deal": invoice.deal.reference if invoice.deal else "",
            "month": date_format(invoice.month, "F Y"),
            "reason": "\n".join(c["message"] for c in matching),
        },
    )
    return BillingChase.objects.create(invoice=invoice, membership=responsible, check_code=check_code, sent_by=actor)


@transaction.atomic
def cockpit_columns_save(*, actor: Membership, columns: list[str], allowed: list[str]) -> CockpitPreference:
    access.require_read(actor)
    unknown = [c for c in columns if c not in allowed]
    if unknown:
        raise DomainError(
            _("Colonnes inconnues : %(c)s.") % {"c": ", ".join(unknown)}, code=BillingErrorCode.UNKNOWN_COLUMNS, field="columns"
        )
    preference, _created = CockpitPreference.objects.update_or_create(
        membership=actor, defaults={"columns": list(columns)}
    )
    return preference
