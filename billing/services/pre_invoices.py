"""Pre-invoice edits: header, lines, discounts, reception numbers, refreshes, chases, cockpit columns."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from adv.tenancy.errors import DomainError, NotFound
from adv.tenancy.models import Membership
from adv.ui.numbers import format_decimal

from .. import access, totals
from ..build import build_deals
from ..errors import BillingErrorCode, InvoiceImmutable
from ..models import (
    BillingChase,
    CockpitPreference,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
    LineKind,
    Unit,
)
from .common import ZERO, decimal_or_error, policy

HEADER_FIELDS = {"po_number", "engagement_number", "buyer_reference", "service_code", "notes"}
# A header field typed on the pre-invoice is kept by the rebuilds; emptied, it follows the deal again.
EDITED_FLAGS = {"po_number": "po_number_edited", "engagement_number": "engagement_number_edited"}
LINE_FIELDS = {"label", "detail", "quantity", "unit", "unit_price", "vat_rate"}
REWORD_FIELDS = {"label", "detail", "vat_rate"}  # what a person may change on a generated line


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
        quantity=decimal_or_error(quantity, "quantity"),
        unit_price=decimal_or_error(unit_price, "unit_price", "0.0001"),
        vat_rate=decimal_or_error(policy().default_vat_rate if vat_rate in (None, "") else vat_rate, "vat_rate"),
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
        rate = decimal_or_error(percent, "percent")
        if not (0 < rate <= 100):
            raise DomainError(_("Le pourcentage doit être entre 0 et 100."), code=BillingErrorCode.INVALID_PERCENT, field="percent")
        bases: dict[Decimal, Decimal] = {}
        for line in invoice.lines.all():
            if line.kind != LineKind.DISCOUNT:
                bases[line.vat_rate] = bases.get(line.vat_rate, ZERO) + line.net_amount
        if vat_rate not in (None, ""):
            only = decimal_or_error(vat_rate, "vat_rate")
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
        value = decimal_or_error(amount, "amount")
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
            value = decimal_or_error(value, name)
        elif name == "unit_price":
            value = decimal_or_error(value, name, "0.0001")
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
    from notifications.signals import chase_sent

    chase_sent.send(
        sender=Invoice, object_type="invoice", object_id=str(invoice.pk), responsible_ids=[str(responsible.pk)],
        actor_id=str(actor.pk), text="\n".join(c["message"] for c in matching), code=check_code,
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
