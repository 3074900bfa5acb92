"""The emulator's WSGI application: OAuth2 tokens, flows (validated with factur-x's XSD check),
lifecycle statuses that move over time (including rejections and refusals), the directory with
some SIRENs missing, payment and transaction e-reporting.

Statuses follow a scenario chosen per buyer SIREN (`scenarios`), "approve" by default: each
status becomes visible a few minutes after the deposit, so polling sees them move. An invalid
file is rejected at once (213) with its XSD errors. This is the platform's behaviour as a test
double, not the product's logic: nothing here is imported by the product.
"""

from __future__ import annotations

import datetime
import hashlib
import itertools
import json
import threading
import uuid
from decimal import Decimal
from urllib.parse import parse_qs

from lxml import etree

MINUTE = 60
# (seconds after the deposit, code, reason code, reason)
SCENARIOS = {
    "approve": [(0, "200"), (1 * MINUTE, "201"), (2 * MINUTE, "202"), (3 * MINUTE, "203"), (5 * MINUTE, "204"),
                (10 * MINUTE, "205")],
    "pay": [(0, "200"), (1 * MINUTE, "201"), (2 * MINUTE, "202"), (3 * MINUTE, "203"), (5 * MINUTE, "204"),
            (10 * MINUTE, "205"), (15 * MINUTE, "211")],
    "refuse": [(0, "200"), (1 * MINUTE, "201"), (2 * MINUTE, "202"), (3 * MINUTE, "203"), (5 * MINUTE, "204"),
               (10 * MINUTE, "210", "REF_PRIX", "Prix unitaire différent de celui de la commande.")],
    "dispute": [(0, "200"), (1 * MINUTE, "201"), (2 * MINUTE, "202"), (3 * MINUTE, "203"), (5 * MINUTE, "204"),
                (10 * MINUTE, "207", "LIT_QTE", "Nombre de jours contesté par le client."),
                (30 * MINUTE, "205")],
    "suspend": [(0, "200"), (1 * MINUTE, "201"), (2 * MINUTE, "202"), (3 * MINUTE, "203"),
                (5 * MINUTE, "208", "SUS_PJ", "Pièce justificative manquante (bon de commande)."),
                (20 * MINUTE, "209"), (25 * MINUTE, "205")],
    "reject": [(0, "213", "REJ_SEMAN", "Rejet par la plateforme : destinataire inconnu.")],
}
NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
}


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def _iso(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")


def _parse_since(value: str) -> datetime.datetime | None:
    if not value:
        return None
    moment = datetime.datetime.fromisoformat(value.replace("Z", "+00:00").replace(" ", "+"))
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)


def read_facturx(content: bytes) -> tuple[dict, list[dict]]:
    """The flow's facts (number, buyer SIREN, total) and its XSD errors (empty when valid)."""
    from facturx import get_xml_from_pdf, xml_check_xsd

    try:
        _name, xml = get_xml_from_pdf(content, check_xsd=False)
    except Exception as exc:  # noqa: BLE001 (not a PDF, no attachment: the library raises many kinds)
        return {}, [{"code": "FORMAT", "message": f"Fichier Factur-X illisible : {exc}"}]
    if not xml:
        return {}, [{"code": "FORMAT", "message": "Aucun XML Factur-X dans le PDF."}]
    try:
        xml_check_xsd(xml, flavor="factur-x", level="en16931")
    except Exception as exc:  # noqa: BLE001 (the library raises its own and lxml errors)
        return {}, [{"code": "XSD", "message": str(exc)[:500]}]
    root = etree.fromstring(xml)
    facts = {
        "number": root.findtext("rsm:ExchangedDocument/ram:ID", namespaces=NS) or "",
        "buyer_siren": (
            root.findtext(".//ram:BuyerTradeParty/ram:SpecifiedLegalOrganization/ram:ID", namespaces=NS)
            or root.findtext(".//ram:BuyerTradeParty/ram:URIUniversalCommunication/ram:URIID", namespaces=NS)
            or ""
        )[:9],
        "total": root.findtext(".//ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:GrandTotalAmount",
                               namespaces=NS) or "0",
    }
    return facts, []


class Emulator:
    """The platform's state (in memory) and its WSGI entry point."""

    def __init__(self, *, client_id: str = "", client_secret: str = "", missing_sirens=(), scenarios=None,
                 platform_name: str = "Plateforme locale (émulateur)"):
        self.client_id, self.client_secret = client_id, client_secret
        self.missing = set(missing_sirens)
        self.scenarios = dict(scenarios or {})
        self.platform_name = platform_name
        self.flows: dict[str, dict] = {}
        self.by_tracking: dict[str, str] = {}
        self.reports: dict[str, dict] = {}
        self.incoming: dict[str, dict] = {}  # invoices the firm's suppliers sent it
        self.tokens: set[str] = set()
        self.faults: list[str] = []  # "error_500", "garbage": the next request answers that
        self.lock = threading.Lock()
        self.sequence = itertools.count(1)

    # --- WSGI ---
    def __call__(self, environ, start_response):
        method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "")
        query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        with self.lock:
            if self.faults:
                fault = self.faults.pop(0)
                if fault == "error_500":
                    return self._answer(start_response, 500, {"title": "Erreur interne de la plateforme"})
                if fault == "garbage":
                    start_response("200 OK", [("Content-Type", "text/html")])
                    return [b"<html>maintenance</html>"]
            status, answer = self.route(method, path, query, body, environ)
        return self._answer(start_response, status, answer)

    @staticmethod
    def _answer(start_response, status: int, answer: dict):
        reasons = {200: "OK", 201: "Created", 202: "Accepted", 400: "Bad Request", 401: "Unauthorized",
                   404: "Not Found", 422: "Unprocessable Entity", 500: "Internal Server Error"}
        data = json.dumps(answer).encode()
        start_response(f"{status} {reasons.get(status, 'OK')}",
                       [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
        return [data]

    def route(self, method, path, query, body, environ):
        if method == "POST" and path == "/oauth/token":
            return self.token(parse_qs(body.decode()))
        if path.startswith("/emulator/"):
            return self.control(method, path, body)
        auth = environ.get("HTTP_AUTHORIZATION", "")
        if not auth.startswith("Bearer ") or auth[7:] not in self.tokens:
            return 401, {"title": "Jeton absent ou expiré"}
        if method == "GET" and path == "/v1/healthcheck":
            return 200, {"status": "UP"}
        if method == "POST" and path == "/v1/flows":
            return self.submit(environ, body)
        if method == "GET" and path == "/v1/flows":
            flow_id = self.by_tracking.get(query.get("trackingId", ""))
            return 200, {"results": [{"flowId": flow_id}] if flow_id else []}
        if method == "GET" and path == "/v1/lifecycle":
            return self.lifecycle(query)
        if method == "GET" and path.startswith("/v1/directory/siren/"):
            return self.directory(path.rsplit("/", 1)[-1])
        if method == "GET" and path == "/v1/incoming-flows":
            return self.incoming_list(query)
        if method == "POST" and path.startswith("/v1/incoming-flows/") and path.endswith("/status"):
            return self.incoming_status(path.split("/")[3], body)
        if method == "POST" and path in ("/v1/ereporting/payments", "/v1/ereporting/transactions"):
            return self.report(path.rsplit("/", 1)[-1], body)
        return 404, {"title": "Ressource inconnue"}

    def token(self, form):
        client_id = (form.get("client_id") or [""])[0]
        secret = (form.get("client_secret") or [""])[0]
        if self.client_id and (client_id != self.client_id or secret != self.client_secret):
            return 401, {"error": "invalid_client", "error_description": "Identifiant ou secret client inconnu."}
        token = uuid.uuid4().hex
        self.tokens.add(token)
        return 200, {"access_token": token, "token_type": "Bearer", "expires_in": 3600}

    def submit(self, environ, body):
        info, content = self._multipart(environ, body)
        tracking = str(info.get("trackingId") or environ.get("HTTP_IDEMPOTENCY_KEY") or "")
        if not tracking or content is None:
            return 400, {"title": "flowInfo.trackingId et file sont obligatoires"}
        if tracking in self.by_tracking:  # idempotent: the same flow again
            return 200, {"flowId": self.by_tracking[tracking], "trackingId": tracking}
        facts, errors = read_facturx(content)
        flow_id = f"FLW-{next(self.sequence):06d}"
        now = _now()
        if errors:
            plan = [(0, "213", "REJ_FORMAT", "Fichier non conforme (XSD Factur-X EN 16931).")]
        else:
            plan = SCENARIOS[self.scenarios.get(facts["buyer_siren"], "approve")]
        events = []
        for index, step in enumerate(plan):
            seconds, code, *reason = step
            events.append({
                "eventId": f"{flow_id}-{index}", "flowId": flow_id, "trackingId": tracking, "statusCode": code,
                "at": now + datetime.timedelta(seconds=seconds),
                "reasonCode": reason[0] if reason else "", "reason": reason[1] if reason else "",
                "errors": errors if code == "213" else [],
            })
        self.flows[flow_id] = {"trackingId": tracking, "facts": facts, "events": events,
                               "sha256": hashlib.sha256(content).hexdigest(), "submittedAt": now}
        self.by_tracking[tracking] = flow_id
        return 202, {"flowId": flow_id, "trackingId": tracking, "submittedAt": _iso(now)}

    @staticmethod
    def _multipart(environ, body) -> tuple[dict, bytes | None]:
        from email.parser import BytesParser
        from email.policy import HTTP

        content_type = environ.get("CONTENT_TYPE", "")
        message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + body)
        info, content = {}, None
        if not message.is_multipart():
            return info, None
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True)
            if name == "flowInfo":
                try:
                    info = json.loads(payload)
                except ValueError:
                    info = {}
            elif name == "file":
                content = payload
        return info, content

    def lifecycle(self, query):
        since = _parse_since(query.get("since", ""))
        now = _now()
        visible = sorted(
            (e for flow in self.flows.values() for e in flow["events"]
             if e["at"] <= now and (since is None or e["at"] >= since)),
            key=lambda e: (e["at"], e["eventId"]),
        )
        offset = int(query.get("cursor") or 0)
        page = visible[offset:offset + 100]
        results = []
        for e in page:
            item = {k: v for k, v in e.items() if k != "at"}
            item["statusDate"] = _iso(e["at"])
            results.append(item)
        more = offset + 100 < len(visible)
        return 200, {"results": results, "nextCursor": str(offset + 100) if more else ""}

    def directory(self, siren: str):
        if siren in self.missing or not siren.isdigit():
            return 404, {"title": "SIREN absent de l'annuaire"}
        return 200, {"siren": siren, "electronicAddress": f"0225:{siren}", "platformName": self.platform_name}

    def report(self, kind: str, body: bytes):
        try:
            data = json.loads(body)
        except ValueError:
            return 400, {"title": "JSON illisible"}
        tracking = str(data.get("trackingId") or "")
        if not tracking:
            return 400, {"title": "trackingId obligatoire"}
        if tracking in self.reports:
            return 200, {"reportId": self.reports[tracking]["reportId"]}
        report_id = f"REP-{next(self.sequence):06d}"
        self.reports[tracking] = {"reportId": report_id, "kind": kind, "data": data}
        flow = self.flows.get(str(data.get("flowId") or ""))
        if kind == "payments" and flow is not None:
            paid = sum((Decimal(str(a.get("amount") or 0)) for a in data.get("amounts") or []), Decimal(0))
            self.add_event(flow["events"][0]["flowId"], "212", amount=str(paid), paymentDate=data.get("paymentDate"))
        return 202, {"reportId": report_id}

    def add_incoming(self, *, seller_siren: str, seller_name: str, number: str, issue_date: str, total_net: str,
                     total_vat: str = "0.00", period_start: str = "", currency: str = "EUR") -> dict:
        """A supplier's invoice arriving for the firm (what the platform read from its flow)."""
        flow_id = f"IN-{next(self.sequence):06d}"
        gross = Decimal(total_net) + Decimal(total_vat)
        self.incoming[flow_id] = {
            "flowId": flow_id, "sellerSiren": seller_siren, "sellerName": seller_name, "invoiceNumber": number,
            "invoiceDate": issue_date, "periodStart": period_start, "currency": currency, "totalNet": total_net,
            "totalVat": total_vat, "totalGross": f"{gross:.2f}", "at": _now(), "statuses": [],
        }
        return self.incoming[flow_id]

    def incoming_list(self, query):
        since = _parse_since(query.get("since", ""))
        rows = sorted((f for f in self.incoming.values() if since is None or f["at"] >= since),
                      key=lambda f: (f["at"], f["flowId"]))
        offset = int(query.get("cursor") or 0)
        page = [{**{k: v for k, v in f.items() if k not in ("at", "statuses")}, "receivedAt": _iso(f["at"])}
                for f in rows[offset:offset + 100]]
        return 200, {"results": page, "nextCursor": str(offset + 100) if offset + 100 < len(rows) else ""}

    def incoming_status(self, flow_id: str, body: bytes):
        flow = self.incoming.get(flow_id)
        if flow is None:
            return 404, {"title": "Flux reçu inconnu"}
        try:
            data = json.loads(body)
        except ValueError:
            return 400, {"title": "JSON illisible"}
        code = str(data.get("statusCode") or "")
        if code not in ("204", "205", "206", "207", "210"):
            return 422, {"title": f"Statut {code!r} non autorisé pour le destinataire"}
        if code == "210" and not data.get("reason"):
            return 422, {"title": "Un refus doit porter son motif"}
        if not any(s["statusCode"] == code for s in flow["statuses"]):  # idempotent
            flow["statuses"].append({"statusCode": code, "reason": str(data.get("reason") or ""), "at": _iso(_now())})
        return 200, {"flowId": flow_id, "statusCode": code}

    def add_event(self, flow_id: str, code: str, reason_code: str = "", reason: str = "", **extra) -> dict:
        flow = self.flows[flow_id]
        event = {"eventId": f"{flow_id}-{len(flow['events'])}", "flowId": flow_id, "trackingId": flow["trackingId"],
                 "statusCode": code, "at": _now(), "reasonCode": reason_code, "reason": reason, "errors": [], **extra}
        flow["events"].append(event)
        return event

    def control(self, method, path, body):
        """Development-only controls (not part of the platform API): push a status on a flow, set
        a SIREN's scenario, list flows."""
        data = json.loads(body) if body else {}
        parts = path.strip("/").split("/")
        if method == "POST" and parts[1:2] == ["flows"] and len(parts) == 4 and parts[3] == "events":
            if parts[2] not in self.flows:
                return 404, {"title": "Flux inconnu"}
            event = self.add_event(parts[2], str(data.get("statusCode")), str(data.get("reasonCode") or ""),
                                   str(data.get("reason") or ""),
                                   **{k: data[k] for k in ("amount", "paymentDate") if k in data})
            return 201, {"eventId": event["eventId"]}
        if method == "POST" and parts[1:] == ["incoming-flows"]:
            try:
                flow = self.add_incoming(**{k: str(v) for k, v in data.items()})
            except (TypeError, ArithmeticError):
                return 400, {"title": "Facture reçue incomplète"}
            return 201, {"flowId": flow["flowId"]}
        if method == "POST" and parts[1:] == ["scenarios"]:
            self.scenarios.update(data)
            return 200, {"scenarios": self.scenarios}
        if method == "GET" and parts[1:] == ["flows"]:
            return 200, {"flows": [{"flowId": k, "trackingId": v["trackingId"], **v["facts"]} for k, v in self.flows.items()]}
        return 404, {"title": "Contrôle inconnu"}
