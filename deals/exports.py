"""Files the deals app hands out: the unsigned-deals report, the milestones report and the
commissions export as CSV / XLSX, and a deal's "proof of order" zip (its contractual documents
and a manifest, for the statutory auditor).

The tables are written by the shared writer (adv/exports.py); the proof of order reuses the
clients app's helpers (clients/exports.py).
"""

from __future__ import annotations

import datetime
import json
import tempfile
import zipfile
from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from adv.exports import Column
from adv.exports import spool as shared_spool
from adv.tenancy.models import Membership
from clients import access as client_access
from clients import exports as client_exports
from clients import services as client_services
from documents.models import Document, DocumentVersion

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


@dataclass
class DealProofOfOrder:
    file: tempfile.SpooledTemporaryFile
    filename: str
    document_count: int
    file_count: int


def deal_proof_documents(*, actor: Membership, deal: Deal) -> list[Document]:
    """The contractual documents attached to the deal this member may see, with their versions."""
    client_access.require(actor, access.can_view_deals(actor) and client_access.can_view_clients(actor))
    queryset = (
        Document.objects.filter(deal=deal, document_type__is_contractual=True, current_version__isnull=False)
        .select_related("document_type", "uploaded_by__user", "current_version")
        .prefetch_related(Prefetch("versions", queryset=DocumentVersion.objects.select_related("uploaded_by__user").order_by("number")))
        .order_by("document_type__name", "signed_on", "created_at", "id")
    )
    return list(client_access.visible_documents(queryset, actor))


def deal_proof_of_order_build(*, actor: Membership, deal: Deal, ip_address: str | None = None) -> DealProofOfOrder | None:
    """A zip with `<folder>/documents/…` (current files), `documents/versions-precedentes/…`,
    `manifeste.csv` and `manifeste.json` (the deal's signature facts, its purchase orders, and
    each file's SHA-256 checked against the one recorded at upload). Each version included is
    recorded as a download by this member. None when there is no contractual document."""
    documents = deal_proof_documents(actor=actor, deal=deal)
    if not documents:
        return None
    # Which documents proved the signature, and in which version (recorded by deal_sign).
    proofs = {proof.document_id: proof.version.number for proof in deal.signature_proofs.select_related("version")}
    now = timezone.localtime()
    folder = f"preuve-de-commande-{slugify(deal.reference) or 'affaire'}-{now:%Y-%m-%d}"
    spool = shared_spool()
    manifest_rows: list[dict] = []
    json_documents: list[dict] = []
    file_count = 0
    with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for index, document in enumerate(documents, start=1):
            versions = list(document.versions.all())
            base = f"{index:02d} - {client_exports._safe_name(document.document_type.name, 40)} - {client_exports._safe_name(document.title)}"
            json_versions = []
            for version in versions:
                is_current = version.pk == document.current_version_id
                subfolder = "documents" if is_current else "documents/versions-precedentes"
                arcname = f"{folder}/{subfolder}/{base} (v{version.number}){client_exports._extension(version)}"
                digest, size = client_exports._copy_into(archive, arcname, version)
                file_count += 1
                client_services.document_record_download(actor=actor, version=version, ip_address=ip_address)
                record = {
                    "file": arcname.split("/", 1)[1], "version": version.number, "current": is_current,
                    "original_name": version.original_name, "content_type": version.content_type, "size": size,
                    "sha256": digest, "sha256_recorded": version.sha256, "sha256_verified": digest == version.sha256,
                    "uploaded_by": _person(version.uploaded_by),
                    "uploaded_at": timezone.localtime(version.created_at).isoformat(),
                }
                json_versions.append(record)
                manifest_rows.append({
                    "fichier": record["file"], "type": document.document_type.name, "titre": document.title,
                    "signé le": client_exports._day(document.signed_on), "valable jusqu'au": client_exports._day(document.valid_until),
                    "déposé par": record["uploaded_by"], "déposé le": f"{timezone.localtime(version.created_at):%d/%m/%Y %H:%M}",
                    "sha256": digest, "taille (octets)": size, "version": version.number,
                    "version actuelle": "oui" if is_current else "non",
                    "historique des dépôts": client_exports._history_text(versions),
                    "empreinte vérifiée": "oui" if record["sha256_verified"] else "NON",
                })
            json_documents.append({
                "id": str(document.pk), "type": document.document_type.name, "type_code": document.document_type.code,
                "title": document.title, "signed_on": document.signed_on.isoformat() if document.signed_on else None,
                "valid_until": document.valid_until.isoformat() if document.valid_until else None,
                "client_name_at_date": document.client_name_at_date, "versions": json_versions,
                "proves_signature": document.pk in proofs, "version_at_signature": proofs.get(document.pk),
            })
        archive.writestr(f"{folder}/manifeste.csv", client_exports._manifest_csv(manifest_rows))
        manifest = {
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
            "client": {
                "id": str(deal.client.pk), "name": deal.client.display_name, "legal_name": deal.client.legal_name,
                "siren": deal.client.siren, "siret": deal.client.siret, "vat_number": deal.client.vat_number,
            },
            "generated_at": now.isoformat(),
            "generated_by": str(actor.user),
            "documents": json_documents,
        }
        archive.writestr(f"{folder}/manifeste.json", json.dumps(manifest, ensure_ascii=False, indent=2))
    spool.seek(0)
    return DealProofOfOrder(file=spool, filename=f"{folder}.zip", document_count=len(documents), file_count=file_count)
