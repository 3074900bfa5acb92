"""Issuing: pre-invoices checked, frozen (seller, buyer, mentions, terms) and numbered without gap
under the counter lock; their PDFs rendered after commit."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from adv.broker import send_task_on_commit
from adv.tenancy.context import require_tenant_id
from adv.tenancy.errors import Conflict, DomainError
from adv.tenancy.models import Membership
from clients.models import ClientName, Contact
from deals.models import Milestone, MilestoneStatus, Subscription
from timesheets.models import Timesheet

from .. import access, numbering, readiness, signals, totals
from ..build import build_deals, next_billing_after, subscription_period
from ..cii import electronic_address
from ..errors import BillingErrorCode, InvoiceBlocked, InvoiceImmutable
from ..models import (
    BillingPolicy,
    Invoice,
    InvoiceAttachment,
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
    Readiness,
    Series,
    VatRegime,
)
from ..regime import (
    billing_address_country,
    exemption_reason,
    vat_category,
    vat_on_debits_mention,
    vat_problems,
    vat_regime_for,
)
from .common import current_tenant, policy


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


def invoice_mentions(invoice: Invoice, rules: BillingPolicy) -> list[str]:
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


def invoice_freeze(
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
    invoice.legal_mentions = invoice_mentions(invoice, rules)
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


def renders_schedule(invoice_ids: list) -> None:
    from ..tasks import render_invoice  # a cycle: billing.tasks calls these services

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
        invoice_freeze(
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
    renders_schedule([invoice.pk for invoice in to_issue])
    signals.invoices_issued.send(
        sender=Invoice, invoice_ids=[str(invoice.pk) for invoice in to_issue], actor_id=str(actor.pk)
    )
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


require_chronological = _require_chronological  # for the callers outside (billing.jobs checks a date at once)


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
    renders_schedule([invoice.pk])
    return invoice


# --- Sending and deposit --------------------------------------------------------------------------
