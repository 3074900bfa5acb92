"""The Chorus Pro connector (public-sector clients), through PISTE.

PISTE gives an OAuth2 token for the application (client credentials); each call also carries the
firm's technical account in the `cpro-account` header (base64 of login:password). A Factur-X PDF
is deposited as a flow (`deposer/flux`, syntax IN_DP_E2_CII_FACTURX); the flow's integration
report says whether Chorus Pro rejected it, and the supplier's invoice search gives each invoice's
processing status, mapped to the XP Z12-012 lifecycle codes. Chorus Pro has no e-reporting: a
public client's payments are reported through the firm's platform.
"""

from __future__ import annotations

import base64
import datetime

from ..statuses import Lifecycle
from .base import Connector, DirectoryAnswer, NotSupported, OutgoingFlow, PlatformError, StatusUpdate
from .http import Client, OAuth2Token, json_of

SYNTAX = "IN_DP_E2_CII_FACTURX"
# Chorus Pro's invoice statuses (statutFacture) as lifecycle codes.
STATUS_CODES = {
    "DEPOSEE": Lifecycle.DEPOSEE,
    "EN_COURS_ACHEMINEMENT": Lifecycle.EMISE,
    "MISE_A_DISPOSITION": Lifecycle.MISE_A_DISPOSITION,
    "A_RECYCLER": Lifecycle.REFUSEE,
    "REJETEE": Lifecycle.REFUSEE,
    "SUSPENDUE": Lifecycle.SUSPENDUE,
    "COMPLETEE": Lifecycle.COMPLETEE,
    "SERVICE_FAIT": Lifecycle.APPROUVEE,
    "MANDATEE": Lifecycle.APPROUVEE,
    "MISE_A_DISPOSITION_COMPTABLE": Lifecycle.PRISE_EN_CHARGE,
    "COMPTABILISEE": Lifecycle.PRISE_EN_CHARGE,
    "MISE_EN_PAIEMENT": Lifecycle.PAIEMENT_TRANSMIS,
}
FLOW_REJECTED = {"IN_REJETE", "IN_INCIDENTE"}


class ChorusProConnector(Connector):
    kind = "chorus_pro"

    def __init__(self, *, api_url: str, token_url: str, client_id: str, client_secret: str, login: str,
                 password: str, structure_id: str = ""):
        self.base = api_url.rstrip("/")
        self.http = Client(self.kind)
        self.token = OAuth2Token(self.http, token_url, client_id, client_secret, scope="openid")
        self.account = base64.b64encode(f"{login}:{password}".encode()).decode()
        self.structure_id = structure_id

    def _post(self, operation: str, path: str, body: dict, payload: bytes | None = None) -> dict:
        headers = {**self.token.header(), "cpro-account": self.account, "Content-Type": "application/json;charset=utf-8"}
        response = self.http.call(operation, "POST", f"{self.base}{path}", headers=headers, json_body=body, payload=payload)
        answer = json_of(response, operation)
        if int(answer.get("codeRetour") or 0) != 0:
            raise PlatformError(f"Chorus Pro : {answer.get('libelle') or answer.get('codeRetour')}", retryable=False)
        return answer

    def check(self) -> None:
        self._post("check", "/transverses/v1/recuperer/structures/actives/fournisseur", {})

    def submit(self, flow: OutgoingFlow) -> str:
        body = {
            "fichierFlux": base64.b64encode(flow.content).decode(),
            "nomFichier": flow.filename,
            "syntaxeFlux": SYNTAX,
            "avecSignature": False,
        }
        answer = self._post("submit", "/factures/v1/deposer/flux", body, payload=flow.content)
        if not answer.get("numeroFluxDepot"):
            raise PlatformError("Chorus Pro n'a pas donné de numéro de flux.")
        return str(answer["numeroFluxDepot"])

    def find(self, tracking_id: str) -> str | None:
        # Chorus Pro has no idempotency key: a flow whose deposit answer was lost is found by its
        # file name, which carries the tracking id.
        answer = self._post("find", "/transverses/v1/rechercher/flux", {"nomFichier": f"{tracking_id}.pdf"})
        flows = answer.get("listeFlux") or []
        return str(flows[0]["numeroFluxDepot"]) if flows else None

    def flow_report(self, flow_id: str) -> tuple[str, list]:
        answer = self._post("flow_report", "/transverses/v1/consulterCR", {"numeroFluxDepot": flow_id, "syntaxeFlux": SYNTAX})
        return str(answer.get("etatCourantFlux") or ""), list(answer.get("listeErreurs") or [])

    def fetch_statuses(self, since: datetime.datetime | None) -> list[StatusUpdate]:
        body = {"rechercheFactureParFournisseur": {"idFournisseur": self.structure_id}}
        if since:
            body["rechercheFactureParFournisseur"]["dateDepotDu"] = since.date().isoformat()
        answer = self._post("statuses", "/factures/v1/rechercher/fournisseur", body)
        updates = []
        for item in answer.get("listeFactures") or []:
            code = STATUS_CODES.get(str(item.get("statut") or ""))
            if code is None:
                continue
            try:
                moment = datetime.datetime.fromisoformat(str(item["dateHeureEtatCourant"]).replace("Z", "+00:00"))
            except (KeyError, ValueError) as exc:
                raise PlatformError("Date illisible dans la réponse de Chorus Pro.") from exc
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=datetime.UTC)
            flow_id = str(item.get("numeroFluxDepot") or "")
            updates.append(
                StatusUpdate(
                    event_id=f"cpro:{item.get('identifiantFactureCPP')}:{item.get('statut')}",
                    flow_id=flow_id,
                    code=code,
                    occurred_at=moment,
                    reason=str(item.get("motif") or ""),
                )
            )
        return updates

    def lookup_directory(self, siren: str) -> DirectoryAnswer:
        answer = self._post(
            "directory", "/structures/v1/rechercher",
            {"structure": {"identifiantStructure": siren, "typeIdentifiantStructure": "SIREN"}},
        )
        found = answer.get("listeStructures") or []
        if not found:
            return DirectoryAnswer(siren=siren, found=False)
        return DirectoryAnswer(siren=siren, found=True, routing_address=str(found[0].get("idStructureCPP") or ""),
                               platform_name="Chorus Pro")

    def report_payment(self, report) -> str:
        raise NotSupported("Chorus Pro ne reçoit pas l'e-reporting : il passe par la plateforme du cabinet.")

    def report_transaction(self, report) -> str:
        raise NotSupported("Chorus Pro ne reçoit pas l'e-reporting : il passe par la plateforme du cabinet.")

    def fetch_supplier_invoices(self, since):
        return []  # the firm's suppliers bill it through its platform, not Chorus Pro

    def send_supplier_status(self, flow_id, code, reason=""):
        raise NotSupported("Les factures fournisseurs passent par la plateforme du cabinet.")
