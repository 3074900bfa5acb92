"""Demo data of the clients app: realistic French clients, contacts, billing profiles and
documents (generated PDFs), some missing and some expired, so that every state of the checklist
and of the missing-documents report shows.

`seed(tenant)` runs inside the tenant's context (see `manage.py seed_demo`); it is idempotent:
a client is looked up by SIREN, a contact by e-mail, a document by (client, type, title), and
nothing that exists is touched. Clients, contacts and billing profiles go through the services
with the demo ADV as actor; documents are written with `files.store_bytes` and the same model
writes as `services.document_upload` (without notifying anyone, and with upload dates in the
past), their PDFs rendered by WeasyPrint from a small HTML page.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.html import escape
from django.utils.text import slugify

from adv.tenancy.models import Membership, Tenant
from documents.models import Document, DocumentType, DocumentVersion

from . import services
from .files import StoredUpload, delete_blob, store_bytes
from .models import Client, ClientName, Contact

SALES_EMAIL = "sales@demo.adv.test"
ADV_EMAIL = "adv@demo.adv.test"
ADMIN_EMAIL = "admin@demo.adv.test"


@dataclass
class Doc:
    type_code: str
    title: str
    signed_days_ago: int | None = None  # signature / issue date, days before today
    valid_for_days: int | None = None  # "valid until", days after today (negative: passed)
    versions: list[str] = field(default_factory=lambda: [""])  # one comment per version, oldest first


@dataclass
class DemoClient:
    legal_name: str
    siren: str
    status: str = "client"
    trade_name: str = ""
    legal_form: str = "SAS"
    siret: str = ""
    sector: str = ""
    address: tuple[str, str, str] = ("", "", "")  # line 1, postal code, city
    owner: str | None = SALES_EMAIL
    adv_owner: str | None = ADV_EMAIL
    is_public_sector: bool = False
    parent_siren: str = ""
    former_name: tuple[str, int] | None = None  # (previous legal name, days since the renaming)
    notes: str = ""
    billing: dict = field(default_factory=dict)
    billing_password: str = ""
    contacts: list[dict] = field(default_factory=list)
    documents: list[Doc] = field(default_factory=list)


def vat_number(siren: str) -> str:
    return f"FR{(12 + 3 * (int(siren) % 97)) % 97:02d}{siren}"


CLIENTS: list[DemoClient] = [
    DemoClient(
        "Helios Énergies SA", "798456125", trade_name="Helios Énergies", legal_form="SA", siret="79845612500011",
        sector="Énergie", address=("48 avenue de la Grande Armée", "75017", "Paris"),
        notes="Tête de groupe. Référencement fournisseurs renouvelé chaque année en septembre.",
        billing={
            "payment_terms_days": 45, "purchase_order_required": True, "grouping": "purchase_order",
            "pre_invoice_notes": "Rappeler le numéro de BDC et le nom du consultant sur chaque ligne.",
            "billing_process": "<p>Facture au service comptabilité fournisseurs, <strong>copie à l'acheteuse</strong>.</p>",
        },
        contacts=[
            {"first_name": "Claire", "last_name": "Fontaine", "job_title": "Responsable comptabilité fournisseurs",
             "email": "claire.fontaine@helios-energies.example", "phone": "01 44 09 12 30", "invoice_delivery": "to"},
            {"first_name": "Nadia", "last_name": "Benali", "job_title": "Acheteuse IT",
             "email": "nadia.benali@helios-energies.example", "invoice_delivery": "cc"},
            {"first_name": "Marc", "last_name": "Olivier", "job_title": "Directeur des systèmes d'information",
             "email": "marc.olivier@helios-energies.example", "signs_acceptance_reports": True},
        ],
        documents=[
            Doc("contrat-cadre", "Contrat cadre de prestations 2025-2027", 400, 330,
                ["Version signée", "Version signée avec l'annexe tarifaire paraphée"]),
            Doc("kbis", "K-bis Helios Énergies", 35),
            Doc("bon-de-commande", "Bon de commande 4500012345", 60, 300),
            Doc("rib", "RIB Helios Énergies", 300),
        ],
    ),
    DemoClient(
        "Helios Solutions Numériques SAS", "412365876", trade_name="Helios Solutions Numériques",
        siret="41236587600017", sector="Services numériques", address=("12 rue de Londres", "75009", "Paris"),
        parent_siren="798456125",
        billing={"payment_terms_days": 30, "purchase_order_required": True},
        contacts=[
            {"first_name": "Antoine", "last_name": "Girard", "job_title": "Directeur de projets",
             "email": "antoine.girard@helios-solutions.example", "signs_timesheets": True,
             "signs_acceptance_reports": True},
            {"first_name": "Lucie", "last_name": "Perrin", "job_title": "Assistante de direction",
             "email": "factures@helios-solutions.example", "invoice_delivery": "to"},
        ],
        documents=[
            Doc("proposition-signee", "Proposition commerciale PC-2026-031 signée", 90),
            Doc("kbis", "K-bis Helios Solutions Numériques", 140),  # older than 3 months: expired
            Doc("rib", "RIB Helios Solutions Numériques", 200),
        ],  # no framework agreement: missing
    ),
    DemoClient(
        "Atlantique Mutuelle Assurances SA", "823654710", trade_name="Atlantique Mutuelle", legal_form="SA",
        siret="82365471000016", sector="Assurance", address=("3 quai de la Fosse", "44000", "Nantes"),
        billing={
            # Coupa rejects an invoice that is not attached to a purchase order: the order is required.
            "payment_terms_days": 45, "payment_terms_end_of_month": True, "einvoicing_platform": "other",
            "purchase_order_required": True, "platform_name": "Coupa Supplier Portal", "platform_url": "https://atlantique-mutuelle.coupahost.example/",
            "platform_instructions": (
                "Déposer la facture dans Coupa en la rattachant au bon de commande. Joindre le CRA signé par le "
                "client. Le chef de projet transmet un numéro de réception par consultant et par mois."
            ),
            "platform_username": "facturation@demo-conseil.example",
            "reception_number_required": True, "signed_timesheet_required": True, "grouping": "consultant",
        },
        billing_password="Demo-Coupa-2026!",
        contacts=[
            {"first_name": "Julien", "last_name": "Masson", "job_title": "Responsable des achats",
             "email": "julien.masson@atlantique-mutuelle.example"},
            {"first_name": "Émilie", "last_name": "Roy", "job_title": "Cheffe de projet SI",
             "email": "emilie.roy@atlantique-mutuelle.example", "signs_timesheets": True},
        ],
        documents=[
            Doc("contrat-cadre", "Accord-cadre de prestations intellectuelles", 250, 200),
            Doc("kbis", "K-bis Atlantique Mutuelle", 20),
            Doc("email-consignes", "Consignes de facturation Coupa (e-mail de l'acheteur)", 180),
            Doc("bon-de-commande", "Bon de commande Coupa PO-AMA-0173", 130, 230),
        ],  # no RIB: missing, owed by the ADV
    ),
    DemoClient(
        "Centre hospitalier régional de Val-de-Loire", "302188453", legal_form="Établissement public de santé",
        siret="30218845300013", sector="Santé", address=("2 boulevard Tonnellé", "37000", "Tours"),
        is_public_sector=True,
        notes="Marché public : toute facture sans numéro d'engagement est rejetée par Chorus Pro.",
        billing={
            "payment_terms_days": 30, "einvoicing_platform": "chorus_pro", "chorus_service_code": "DSI-ACHATS-042",
            "chorus_engagement_required": True, "purchase_order_required": True,
            "pre_invoice_notes": "Indiquer le numéro d'engagement juridique (EJ) du bon de commande.",
        },
        contacts=[
            {"first_name": "Pierre", "last_name": "Lambert", "job_title": "Ingénieur achats",
             "email": "pierre.lambert@chr-valdeloire.example", "phone": "02 47 47 47 47"},
            {"first_name": "Sandrine", "last_name": "Caron", "job_title": "Directrice adjointe du SI",
             "email": "sandrine.caron@chr-valdeloire.example", "signs_acceptance_reports": True,
             "signs_timesheets": True},
        ],
        documents=[
            Doc("contrat-cadre", "Marché subséquent n° 2025-DSI-017", 150, 580),
            Doc("bon-de-commande", "Bon de commande n° 2026-00412 (EJ 1300045871)", 40, 320),
            Doc("kbis", "Avis de situation au répertoire SIRENE", 30),
            Doc("rib", "RIB du comptable public", 150),
        ],
    ),
    DemoClient(
        "Dufresne Transports & Logistique SAS", "778945618", trade_name="Dufresne Logistique", siret="77894561800016",
        sector="Transport et logistique", address=("ZI des Bruyères, 7 rue Gustave Eiffel", "69200", "Vénissieux"),
        former_name=("Transports Dufresne et Fils SARL", 200),
        billing={"payment_terms_days": 30, "payment_terms_end_of_month": True},
        contacts=[
            {"first_name": "Hélène", "last_name": "Dufresne", "job_title": "Directrice administrative et financière",
             "email": "h.dufresne@dufresne-logistique.example", "invoice_delivery": "to"},
        ],
        documents=[
            Doc("contrat-cadre", "Contrat cadre d'assistance technique", 700, 30),  # signed under the former name
            Doc("changement-denomination", "Extrait du PV d'AGE : nouvelle dénomination", 200),
            Doc("kbis", "K-bis Dufresne Transports & Logistique", 10),
            Doc("rib", "RIB Dufresne Transports & Logistique", 190),
        ],
    ),
    DemoClient(
        "Laboratoires Vernier SAS", "523146983", trade_name="Laboratoires Vernier", siret="52314698300011",
        sector="Pharmacie", address=("25 rue du Professeur Calmette", "59000", "Lille"),
        billing={"payment_terms_days": 45, "payment_terms_end_of_month": True, "signed_timesheet_required": True},
        contacts=[
            {"first_name": "Olivier", "last_name": "Marchand", "job_title": "Responsable informatique",
             "email": "olivier.marchand@labo-vernier.example", "invoice_delivery": "to", "signs_timesheets": True},
        ],
        documents=[
            Doc("contrat-cadre", "Contrat cadre 2024-2026", 500, 230),
            Doc("kbis", "K-bis Laboratoires Vernier", 150),  # older than 3 months: expired
            Doc("rib", "RIB Laboratoires Vernier", 480),
        ],
    ),
    DemoClient(
        "Bâtiments Leclerc Construction SA", "881234579", trade_name="Leclerc Construction", legal_form="SA",
        siret="88123457900012", sector="BTP", address=("140 route de Narbonne", "31400", "Toulouse"),
        billing={"payment_terms_days": 45, "purchase_order_required": True},
        contacts=[
            {"first_name": "Vincent", "last_name": "Leclerc", "job_title": "Directeur général délégué",
             "email": "v.leclerc@leclerc-construction.example"},
            {"first_name": "Sarah", "last_name": "Henry", "job_title": "Comptable fournisseurs",
             "email": "compta@leclerc-construction.example", "invoice_delivery": "to"},
        ],
        documents=[
            Doc("contrat-cadre", "Contrat cadre 2023-2025", 760, -25),  # valid until passed: expired
            Doc("kbis", "K-bis Leclerc Construction", 45),
            Doc("rib", "RIB Leclerc Construction", 700),
        ],
    ),
    DemoClient(
        "Éditions du Quai SA", "447852138", status="prospect", trade_name="Éditions du Quai", legal_form="SA",
        sector="Édition", address=("18 quai des Grands Augustins", "75006", "Paris"),
        contacts=[
            {"first_name": "Mathilde", "last_name": "Rousseau", "job_title": "Directrice numérique",
             "email": "m.rousseau@editions-du-quai.example"},
        ],
        documents=[Doc("kbis", "K-bis Éditions du Quai", 15)],
    ),
    DemoClient(
        "NovaPay SAS", "603214784", status="prospect", trade_name="NovaPay", sector="Fintech",
        address=("5 parvis Alan Turing", "75013", "Paris"),
        contacts=[
            {"first_name": "Karim", "last_name": "Haddad", "job_title": "CTO", "email": "karim@novapay.example"},
        ],
    ),  # no K-bis: missing
    DemoClient(
        "Agence Lumen SARL", "912347853", status="prospect", trade_name="Agence Lumen", legal_form="SARL",
        sector="Communication", address=("9 rue Sainte-Catherine", "33000", "Bordeaux"), owner=ADMIN_EMAIL, adv_owner=None,
        contacts=[
            {"first_name": "Chloé", "last_name": "Faure", "job_title": "Gérante", "email": "chloe@agence-lumen.example"},
        ],
        documents=[Doc("kbis", "K-bis Agence Lumen", 120)],  # expired
    ),
    DemoClient(
        "Distribution Moreau & Cie SAS", "398741264", status="former", trade_name="Moreau Distribution",
        sector="Grande distribution", address=("Avenue de l'Europe", "67300", "Schiltigheim"),
        notes="Ancien client : contrat terminé, plus de prestation en cours.",
        contacts=[
            {"first_name": "Bernard", "last_name": "Moreau", "job_title": "Directeur des achats",
             "email": "b.moreau@moreau-distribution.example"},
        ],
        documents=[Doc("contrat-cadre", "Contrat cadre 2021-2023", 1500, -700)],
    ),
    DemoClient(
        "Coopérative agricole Terres du Sud", "834561292", legal_form="SCA", sector="Agroalimentaire",
        siret="83456129200014", address=("Route de Montauban", "82300", "Caussade"), adv_owner=None,
        billing={"payment_terms_days": 15},  # the cooperative pays at 15 days (and is late)
        contacts=[
            {"first_name": "Jean-Michel", "last_name": "Carrère", "job_title": "Responsable administratif",
             "email": "jm.carrere@terres-du-sud.example", "invoice_delivery": "to"},
        ],
        documents=[Doc("kbis", "K-bis Terres du Sud", 50)],  # framework agreement missing; RIB: no ADV designated
    ),
]

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


def _member(email: str | None) -> Membership | None:
    if email is None:
        return None
    return Membership.objects.select_related("user").filter(user__email=email).first()


def seed(tenant: Tenant) -> None:
    services.document_types_seed_defaults()
    adv = _member(ADV_EMAIL)
    if adv is None:  # the firm's demo members come first (adv.tenancy.demo)
        return
    today = timezone.localdate()
    types = {t.code: t for t in DocumentType.objects.all()}
    stored: list[StoredUpload] = []
    pending: list[PendingVersion] = []
    try:
        by_siren: dict[str, Client] = {}
        for spec in CLIENTS:
            client = _client(spec, adv, today, by_siren)
            by_siren[spec.siren] = client
            for contact in spec.contacts:
                if not Contact.objects.filter(client=client, email=contact["email"]).exists():
                    services.contact_create(actor=adv, client=client, **contact)
            for doc in spec.documents:
                pending.extend(_plan_document(tenant, adv, client, types[doc.type_code], doc, today))
        pdfs = _render_pdfs([entry.page for entry in pending])
        for entry, pdf in zip(pending, pdfs, strict=True):
            _write_version(tenant, adv, entry, pdf, stored)
    except BaseException:
        for blob in stored:  # the transaction rolls back: leave no orphan file behind
            delete_blob(blob)
        raise


def _client(spec: DemoClient, adv: Membership, today: datetime.date, by_siren: dict) -> Client:
    existing = Client.objects.filter(siren=spec.siren).first()
    if existing is not None:
        return existing
    first_name = spec.former_name[0] if spec.former_name else spec.legal_name
    client = services.client_create(
        actor=adv,
        status=spec.status,
        legal_name=first_name,
        trade_name="" if spec.former_name else spec.trade_name,
        legal_form=spec.legal_form,
        siren=spec.siren,
        siret=spec.siret,
        vat_number=vat_number(spec.siren),
        sector=spec.sector,
        is_public_sector=spec.is_public_sector,
        parent=by_siren.get(spec.parent_siren) if spec.parent_siren else None,
        owner=_member(spec.owner),
        adv_owner=_member(spec.adv_owner),
        notes=spec.notes,
        head_office_line1=spec.address[0],
        head_office_postal_code=spec.address[1],
        head_office_city=spec.address[2],
    )
    if spec.former_name:
        # The first name was borne since long ago; the current one from the renaming date.
        ClientName.objects.filter(client=client).update(valid_from=today - datetime.timedelta(days=3650))
        client = services.client_rename(
            actor=adv, client=client, legal_name=spec.legal_name, trade_name=spec.trade_name,
            valid_from=today - datetime.timedelta(days=spec.former_name[1]),
        )
    if spec.billing or spec.billing_password:
        services.billing_profile_update(
            actor=adv, client=client, platform_password=spec.billing_password or None, **spec.billing
        )
    return client


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
    client_name = services.client_name_on(client, reference_day)
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


_document = add_document  # the name deals/demo.py used first
