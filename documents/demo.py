"""Demo data of the documents app: the documents of the demo clients (`clients.demo.CLIENTS`, each
with its `Doc`s), their generated PDFs, and `add_document` for other apps' demo data (deals and
billing attach theirs to the client record).

`seed(tenant)` runs inside the tenant's context after the clients' (see `manage.py seed_demo`);
it is idempotent: a document is looked up by (client, type, title), and nothing that exists is
touched. Documents are written with `files.store_bytes` and the same model writes as
`services.document_upload` (without notifying anyone, and with upload dates in the past), their
PDFs rendered by WeasyPrint from a small HTML page.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.html import escape
from django.utils.text import slugify

from adv.tenancy.models import Membership, Tenant
from clients.demo import ADV_EMAIL, CLIENTS, Doc
from clients.models import Client
from clients.services import client_name_on

from . import services
from .files import StoredUpload, delete_blob, store_bytes
from .models import Document, DocumentType, DocumentVersion

PDF_STYLE = """
@page { size: A4; margin: 2cm; @bottom-center { content: "Document de démonstration · page " counter(page); font-size: 8pt; color: #888; } }
body { font-family: "DejaVu Sans", sans-serif; font-size: 10.5pt; color: #1f2a37; }
header { border-bottom: 2px solid #1f3a5f; padding-bottom: 8pt; margin-bottom: 18pt; }
.firm { color: #1f3a5f; font-weight: bold; font-size: 13pt; }
h1 { font-size: 17pt; margin: 0 0 4pt; }
.meta { color: #555; font-size: 9pt; }
table { border-collapse: collapse; margin-top: 12pt; }
td { padding: 3pt 10pt 3pt 0; vertical-align: top; }
.stamp { margin-top: 30pt; color: #1f3a5f; border: 1.5pt solid #1f3a5f; display: inline-block; padding: 6pt 12pt; }
.page { break-after: page; }
"""

BODIES = {
    "contrat-cadre": "Le présent contrat cadre fixe les conditions dans lesquelles {firm} réalise pour {client} des "
    "prestations d'assistance technique et de conseil. Chaque prestation fait l'objet d'un bon de commande.",
    "kbis": "Extrait d'immatriculation principale au registre du commerce et des sociétés de {client}.",
    "bon-de-commande": "{client} commande à {firm} les prestations décrites ci-dessous, aux conditions du contrat cadre.",
    "proposition-signee": "Proposition commerciale de {firm} acceptée et signée par {client}.",
    "rib": "Relevé d'identité bancaire de {client}.",
    "changement-denomination": "L'assemblée générale extraordinaire de la société a décidé de changer sa dénomination sociale "
    "en « {client} ».",
    "email-consignes": "Consignes de facturation transmises par {client} à {firm}.",
}


def _page(*, firm: str, client_name: str, title: str, type_name: str, body: str, day: datetime.date, version: int) -> str:
    return f"""<section class="page">
<header><div class="firm">{escape(firm)}</div><div class="meta">{escape(type_name)} · version {version}</div></header>
<h1>{escape(title)}</h1>
<table>
<tr><td><strong>Client</strong></td><td>{escape(client_name)}</td></tr>
<tr><td><strong>Date</strong></td><td>{day:%d/%m/%Y}</td></tr>
</table>
<p style="margin-top:18pt">{escape(body)}</p>
<div class="stamp">Document généré pour la démonstration</div>
</section>"""


def _render_pdfs(pages: list[str]) -> list[bytes]:
    """One single-page PDF per page: laid out together in one WeasyPrint pass, then split
    (much faster than one pass per document)."""
    if not pages:
        return []
    from weasyprint import HTML

    html = (
        f'<!doctype html><html lang="fr"><head><meta charset="utf-8"><style>{PDF_STYLE}</style></head>'
        f"<body>{''.join(pages)}</body></html>"
    )
    document = HTML(string=html).render()
    assert len(document.pages) == len(pages), "each demo document must fit on one page"
    return [document.copy([page]).write_pdf() for page in document.pages]


def seed(tenant: Tenant) -> None:
    services.document_types_seed_defaults()
    adv = Membership.objects.select_related("user").filter(user__email=ADV_EMAIL).first()
    if adv is None:  # the firm's demo members come first (adv.tenancy.demo)
        return
    today = timezone.localdate()
    types = {t.code: t for t in DocumentType.objects.all()}
    clients = {client.siren: client for client in Client.objects.filter(siren__in=[spec.siren for spec in CLIENTS])}
    stored: list[StoredUpload] = []
    pending: list[PendingVersion] = []
    try:
        for spec in CLIENTS:
            client = clients.get(spec.siren)
            if client is None:
                continue
            for doc in spec.documents:
                pending.extend(_plan_document(tenant, adv, client, types[doc.type_code], doc, today))
        pdfs = _render_pdfs([entry.page for entry in pending])
        for entry, pdf in zip(pending, pdfs, strict=True):
            _write_version(tenant, adv, entry, pdf, stored)
    except BaseException:
        for blob in stored:  # the transaction rolls back: leave no orphan file behind
            delete_blob(blob)
        raise


@dataclass
class PendingVersion:
    document: Document
    number: int
    count: int
    comment: str
    signed_days_ago: int
    page: str


def _plan_document(
    tenant: Tenant, actor: Membership, client: Client, document_type: DocumentType, doc: Doc, today: datetime.date
) -> list[PendingVersion]:
    """Create the document row (if missing) and say which file versions it needs."""
    if Document.objects.filter(client=client, document_type=document_type, title=doc.title).exists():
        return []
    signed_on = today - datetime.timedelta(days=doc.signed_days_ago) if doc.signed_days_ago is not None else None
    valid_until = today + datetime.timedelta(days=doc.valid_for_days) if doc.valid_for_days is not None else None
    reference_day = signed_on or today
    client_name = client_name_on(client, reference_day)
    document = Document.objects.create(
        client=client, document_type=document_type, title=doc.title, signed_on=signed_on, valid_until=valid_until,
        security_level=document_type.default_security_level, uploaded_by=actor, client_name_at_date=client_name,
    )
    body = BODIES.get(document_type.code, "{client}").format(firm=tenant.name, client=client_name)
    return [
        PendingVersion(
            document=document, number=number, count=len(doc.versions), comment=comment,
            signed_days_ago=doc.signed_days_ago or 0,
            page=_page(
                firm=tenant.legal_name or tenant.name, client_name=client_name, title=doc.title,
                type_name=document_type.name, body=body, day=reference_day, version=number,
            ),
        )
        for number, comment in enumerate(doc.versions, start=1)
    ]


def _write_version(tenant: Tenant, actor: Membership, entry: PendingVersion, pdf: bytes, stored: list[StoredUpload]) -> None:
    """Store the file and write the version as `services.document_upload` / `document_add_version`
    would, backdated: uploaded a day after signature, later versions a few days apart."""
    document = entry.document
    suffix = f"-v{entry.number}" if entry.count > 1 else ""
    blob = store_bytes(pdf, f"{slugify(document.title)[:60]}{suffix}.pdf", tenant_id=tenant.id)
    stored.append(blob)
    uploaded_at = timezone.now() - datetime.timedelta(
        days=max(entry.signed_days_ago - 1 - 3 * (entry.number - 1), 0), hours=entry.count - entry.number
    )
    DocumentVersion.objects.filter(document=document, superseded_at__isnull=True).update(superseded_at=uploaded_at)
    version = DocumentVersion(
        id=blob.version_id, document=document, number=entry.number, original_name=blob.original_name,
        content_type=blob.content_type, size=blob.size, sha256=blob.sha256, uploaded_by=actor, comment=entry.comment,
    )
    version.file.name = blob.name
    version.save()
    DocumentVersion.objects.filter(pk=version.pk).update(created_at=uploaded_at, updated_at=uploaded_at)
    changes = {"current_version": version}
    if entry.number == 1:
        changes["created_at"] = uploaded_at
    Document.objects.filter(pk=document.pk).update(**changes)


def add_document(
    tenant: Tenant, actor: Membership, client: Client, document_type: DocumentType, doc: Doc, today: datetime.date,
    stored: list[StoredUpload],
) -> Document | None:
    """One demo document with its generated PDF(s), for other apps' demo data (deals attach
    theirs to the client record). Idempotent; the stored blobs are appended to `stored` so that
    the caller can delete them if its transaction fails. Returns the document (None if it existed)."""
    pending = _plan_document(tenant, actor, client, document_type, doc, today)
    for entry, pdf in zip(pending, _render_pdfs([entry.page for entry in pending]), strict=True):
        _write_version(tenant, actor, entry, pdf, stored)
    return pending[0].document if pending else None

