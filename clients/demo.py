"""Demo data of the clients app: realistic French clients, contacts and billing profiles, and the
documents each client holds (`Doc`, written by documents/demo.py, which runs next: some missing
and some expired, so that every state of the checklist and of the missing-documents report shows).

`seed(tenant)` runs inside the tenant's context (see `manage.py seed_demo`); it is idempotent:
a client is looked up by SIREN, a contact by e-mail, and nothing that exists is touched. Clients,
contacts and billing profiles go through the services with the demo ADV as actor.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from adv.tenancy.models import Membership, Tenant

from . import services
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

def _member(email: str | None) -> Membership | None:
    if email is None:
        return None
    return Membership.objects.select_related("user").filter(user__email=email).first()


def seed(tenant: Tenant) -> None:
    adv = _member(ADV_EMAIL)
    if adv is None:  # the firm's demo members come first (adv.tenancy.demo)
        return
    today = timezone.localdate()
    by_siren: dict[str, Client] = {}
    for spec in CLIENTS:
        client = _client(spec, adv, today, by_siren)
        by_siren[spec.siren] = client
        for contact in spec.contacts:
            if not Contact.objects.filter(client=client, email=contact["email"]).exists():
                services.contact_create(actor=adv, client=client, **contact)


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
