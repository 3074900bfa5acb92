"""Files the deals app hands out: the unsigned-deals report, the milestones report and the
commissions export as CSV / XLSX, and a deal's "proof of order" zip (its contractual documents
and a manifest, for the statutory auditor).

The tables are written by the shared writer (adv/exports.py); the proof of order by the documents
app (documents/proof_of_order.py).
"""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from adv.exports import Column
from adv.tenancy.models import Membership
from documents import access as document_access
from documents import proof_of_order
from documents.models import Document
from documents.proof_of_order import ProofOfOrder

from . import access, selectors
from .models import Deal, Milestone


def _person(member: Membership | None) -> str:
    return str(member.user) if member is not None else ""


def _local_day(moment: datetime.datetime | None) -> datetime.date | None:
    return timezone.localtime(moment).date() if moment else None


# --- Unsigned deals ----------------------------------------------------------------------------------


def unsigned_columns(*, show_rates: bool) -> list[Column]:
    columns = [
        Column(_("Référence")), Column(_("Affaire")), Column(_("Client")), Column(_("Type")), Column(_("Commercial")),
        Column(_("Manager du commercial")), Column(_("Validée provisoirement le"), "date"), Column(_("Provisoire depuis (jours)"), "int"),
        Column(_("Tranche d'âge")), Column(_("Il manque")), Column(_("Début"), "date"), Column(_("Relances du commercial"), "int"),
        Column(_("Dernière relance"), "date"), Column(_("Escaladée le"), "date"),
    ]
    if show_rates:
        columns.append(Column(_("Montant en jeu (HT)"), "money"))
    return columns


def unsigned_rows(deals: list[Deal], *, show_rates: bool, now: datetime.datetime | None = None) -> list[list]:
    now = now or timezone.now()
    rows = []
    for deal in deals:
        days = deal.provisional_days(now) or 0
        manager = deal.sales_owner.reports_to
        row = [
            deal.reference, deal.title, deal.client.display_name, deal.get_deal_type_display(), _person(deal.sales_owner),
            _person(manager), timezone.localtime(deal.provisional_since).date() if deal.provisional_since else None, days,
            str(selectors.age_bucket(days).label), ", ".join(getattr(deal, "missing", [])), deal.start_date,
            getattr(deal, "chase_count", 0), _local_day(getattr(deal, "last_chase_at", None)),
            _local_day(getattr(deal, "escalated_at", None)),
        ]
        if show_rates:
            row.append(deal.amount_at_stake)
        rows.append(row)
    return rows


# --- Milestones ----------------------------------------------------------------------------------------


def milestone_columns() -> list[Column]:
    return [
        Column(_("Référence")), Column(_("Affaire")), Column(_("Client")), Column(_("Échéance")), Column(_("Statut")),
        Column(_("Date d'échéance"), "date"), Column(_("Événement")), Column(_("Montant (HT)"), "money"),
        Column(_("Document exigé")), Column(_("Document joint")), Column(_("Chef de projet")),
        Column(_("Manager du chef de projet")), Column(_("Bloquée depuis (jours)"), "int"),
    ]


def milestone_rows(milestones: list[Milestone], *, now: datetime.datetime | None = None) -> list[list]:
    rows = []
    for milestone in milestones:
        responsible = selectors.milestone_responsible(milestone)
        deal = milestone.deal
        rows.append([
            deal.reference, deal.title, deal.client.display_name, milestone.label, milestone.get_status_display(), milestone.due_date,
            milestone.due_event, milestone.amount,
            milestone.required_document_type.name if milestone.required_document_type else "",
            milestone.document.title if milestone.document else "", _person(responsible),
            _person(responsible.reports_to) if responsible else "", selectors.milestone_blocked_days(milestone, now),
        ])
    return rows


# --- Commissions ----------------------------------------------------------------------------------


def commission_columns() -> list[Column]:
    return [
        Column(_("Référence")), Column(_("Affaire")), Column(_("Client")), Column(_("Type")), Column(_("Commercial")),
        Column(_("E-mail du commercial")), Column(_("Statut")), Column(_("Signée"), "bool"), Column(_("Date de signature"), "date"),
        Column(_("Signataire")), Column(_("Signée sans les documents requis, motif")), Column(_("Montant commandé (HT)"), "money"),
        Column(_("Montant staffé (HT)"), "money"), Column(_("Commissionnable"), "bool"), Column(_("Pourquoi")),
    ]


def commission_rows(deals) -> list[list]:
    rows = []
    for deal in deals:
        if deal.is_commissionable:
            why = _("Affaire signée")
        elif deal.status == "lost":
            why = _("Affaire perdue")
        else:
            why = _("Affaire non signée : pas de commission")
        rows.append([
            deal.reference, deal.title, deal.client.display_name, deal.get_deal_type_display(), _person(deal.sales_owner),
            deal.sales_owner.user.email, deal.get_status_display(), deal.is_signed, deal.signed_on,
            str(deal.signed_by_contact) if deal.signed_by_contact else "", deal.signature_override_reason, deal.ordered_amount,
            deal.amount_at_stake, deal.is_commissionable, why,
        ])
    return rows


# --- Proof of order of one deal -------------------------------------------------------------------


def deal_proof_of_order_build(*, actor: Membership, deal: Deal, ip_address: str | None = None) -> ProofOfOrder | None:
    """The deal's proof of order (documents/proof_of_order.py): the contractual documents attached
    to the deal this member may see; the manifest also says the deal's signature facts and its
    purchase orders, and which documents proved the signature, in which version. None when there
    is no contractual document."""
    document_access.require(actor, access.can_view_deals(actor) and document_access.can_view_clients(actor))
    documents = proof_of_order.contractual_documents(Document.objects.filter(deal=deal), actor=actor)
    # Which documents proved the signature, and in which version (recorded by deal_sign).
    proofs = {proof.document_id: proof.version.number for proof in deal.signature_proofs.select_related("version")}
    subject = {
        "deal": {
            "id": str(deal.pk), "reference": deal.reference, "title": deal.title, "type": deal.deal_type, "status": deal.status,
            "ordered_amount": str(deal.ordered_amount) if deal.ordered_amount is not None else None, "currency": deal.currency,
            "start_date": deal.start_date.isoformat(), "end_date": deal.end_date.isoformat() if deal.end_date else None,
            "signed_on": deal.signed_on.isoformat() if deal.signed_on else None,
            "signed_by_contact": str(deal.signed_by_contact) if deal.signed_by_contact else None,
            "signature_override_reason": deal.signature_override_reason or None,
            "provisional_since": deal.provisional_since.isoformat() if deal.provisional_since else None,
            "sales_owner": _person(deal.sales_owner),
            "purchase_orders": [
                {"number": po.number, "amount": str(po.amount) if po.amount is not None else None,
                 "valid_from": po.valid_from.isoformat() if po.valid_from else None,
                 "valid_until": po.valid_until.isoformat() if po.valid_until else None}
                for po in deal.purchase_orders.all()
            ],
        },
        "client": proof_of_order.client_summary(deal.client),
    }
    return proof_of_order.proof_of_order_build(
        actor=actor, documents=documents, label=slugify(deal.reference) or "affaire", subject=subject,
        document_extra=lambda document: {
            "proves_signature": document.pk in proofs, "version_at_signature": proofs.get(document.pk),
        },
        ip_address=ip_address,
    )
