"""The connector to an accredited platform (PA) through the API of AFNOR XP Z12-013.

Written from the public material about the standard (its full text is sold by AFNOR); the
assumptions are listed in the README ("Facturation électronique"): OAuth2 client credentials, a
flow submitted as multipart (`flowInfo` JSON + the Factur-X file) whose `trackingId` is the
idempotency key, flows searched by tracking id, lifecycle events read since a date, the directory
by SIREN, payments and transactions e-reported as JSON.
"""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from urllib.parse import quote

from .base import (
    Connector,
    DirectoryAnswer,
    IncomingInvoice,
    OutgoingFlow,
    PaymentReportData,
    PlatformError,
    StatusUpdate,
    TransactionReportData,
)
from .http import Client, OAuth2Token, json_of


def _parse_time(value) -> datetime.datetime:
    try:
        moment = datetime.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError as exc:
        raise PlatformError("Date illisible dans la réponse de la plateforme.") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment


class XpZ12013Connector(Connector):
    kind = "xp_z12_013"

    def __init__(self, *, base_url: str, client_id: str, client_secret: str, token_url: str = ""):
        self.base = base_url.rstrip("/")
        self.http = Client(self.kind)
        self.token = OAuth2Token(self.http, token_url or f"{self.base}/oauth/token", client_id, client_secret)

    def _call(self, operation, method, path, **kwargs):
        headers = {**self.token.header(), **kwargs.pop("headers", {})}
        return self.http.call(operation, method, f"{self.base}{path}", headers=headers, **kwargs)

    def check(self) -> None:
        self._call("check", "GET", "/v1/healthcheck")

    def submit(self, flow: OutgoingFlow) -> str:
        info = {
            "trackingId": flow.tracking_id,
            "name": flow.filename,
            "flowSyntax": "Factur-X",
            "flowProfile": "EN16931",
            "processingRule": "B2B",
            "invoiceNumber": flow.number,
            "recipientAddress": flow.routing_address,
        }
        response = self._call(
            "submit",
            "POST",
            "/v1/flows",
            headers={"Idempotency-Key": flow.tracking_id},
            files={
                "flowInfo": (None, json.dumps(info), "application/json"),
                "file": (flow.filename, flow.content, "application/pdf"),
            },
            payload=flow.content,
        )
        body = json_of(response, "submit")
        if not body.get("flowId"):
            raise PlatformError("La plateforme n'a pas donné d'identifiant de flux.")
        return str(body["flowId"])

    def find(self, tracking_id: str) -> str | None:
        response = self._call(
            "find", "GET", f"/v1/flows?trackingId={quote(tracking_id)}", payload=tracking_id.encode(), accept_404=True
        )
        if response.status_code == 404:
            return None
        flows = json_of(response, "find").get("results") or []
        return str(flows[0]["flowId"]) if flows else None

    def fetch_statuses(self, since: datetime.datetime | None) -> list[StatusUpdate]:
        updates, cursor = [], ""
        for _page in range(100):  # bounded: a platform that pages forever stops here
            query = f"?since={quote(since.isoformat())}" if since else "?"
            if cursor:
                query += f"&cursor={cursor}"
            body = json_of(self._call("statuses", "GET", f"/v1/lifecycle{query}".replace("?&", "?")), "statuses")
            for item in body.get("results") or []:
                try:
                    updates.append(
                        StatusUpdate(
                            event_id=str(item["eventId"]),
                            flow_id=str(item["flowId"]),
                            tracking_id=str(item.get("trackingId") or ""),
                            code=str(item["statusCode"]),
                            occurred_at=_parse_time(item["statusDate"]),
                            reason_code=str(item.get("reasonCode") or ""),
                            reason=str(item.get("reason") or ""),
                            errors=list(item.get("errors") or []),
                            amount=Decimal(str(item["amount"])) if item.get("amount") is not None else None,
                            paid_on=datetime.date.fromisoformat(item["paymentDate"]) if item.get("paymentDate") else None,
                        )
                    )
                except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
                    raise PlatformError("Statut illisible dans la réponse de la plateforme.") from exc
            cursor = body.get("nextCursor") or ""
            if not cursor:
                break
        return updates

    def lookup_directory(self, siren: str) -> DirectoryAnswer:
        response = self._call("directory", "GET", f"/v1/directory/siren/{siren}", payload=siren.encode(), accept_404=True)
        if response.status_code == 404:
            return DirectoryAnswer(siren=siren, found=False)
        body = json_of(response, "directory")
        address = str(body.get("electronicAddress") or "")
        return DirectoryAnswer(siren=siren, found=bool(address), routing_address=address,
                               platform_name=str(body.get("platformName") or ""))

    def report_payment(self, report: PaymentReportData) -> str:
        body = {
            "trackingId": report.tracking_id,
            "invoiceNumber": report.invoice_number,
            "invoiceDate": report.invoice_date.isoformat(),
            "flowId": report.flow_id,
            "paymentDate": report.paid_on.isoformat(),
            "currency": report.currency,
            "amounts": [{"vatRate": a["vat_rate"], "amount": a["amount"]} for a in report.amounts],
        }
        response = self._call("report_payment", "POST", "/v1/ereporting/payments", json_body=body,
                              headers={"Idempotency-Key": report.tracking_id})
        return str(json_of(response, "report_payment").get("reportId") or "")

    def report_transaction(self, report: TransactionReportData) -> str:
        body = {
            "trackingId": report.tracking_id,
            "invoiceNumber": report.invoice_number,
            "invoiceDate": report.invoice_date.isoformat(),
            "buyerCountry": report.buyer_country,
            "buyerVatNumber": report.buyer_vat_number,
            "currency": report.currency,
            "vatRegime": report.vat_regime,
            "amounts": report.amounts,
        }
        response = self._call("report_transaction", "POST", "/v1/ereporting/transactions", json_body=body,
                              headers={"Idempotency-Key": report.tracking_id})
        return str(json_of(response, "report_transaction").get("reportId") or "")

    def fetch_supplier_invoices(self, since: datetime.datetime | None) -> list[IncomingInvoice]:
        """The flows received by the firm (`GET /v1/incoming-flows?since=`, paged by cursor), with
        the facts the platform read from each (seller, number, dates, totals)."""
        invoices, cursor = [], ""
        for _page in range(100):
            query = f"?since={quote(since.isoformat())}" if since else "?"
            if cursor:
                query += f"&cursor={cursor}"
            body = json_of(self._call("supplier_invoices", "GET", f"/v1/incoming-flows{query}".replace("?&", "?")),
                           "supplier_invoices")
            for item in body.get("results") or []:
                try:
                    invoices.append(IncomingInvoice(
                        flow_id=str(item["flowId"]),
                        seller_siren=str(item["sellerSiren"]),
                        seller_name=str(item.get("sellerName") or ""),
                        number=str(item["invoiceNumber"]),
                        issue_date=datetime.date.fromisoformat(item["invoiceDate"]),
                        total_net=Decimal(str(item["totalNet"])),
                        total_vat=Decimal(str(item.get("totalVat") or "0")),
                        total_gross=Decimal(str(item["totalGross"])),
                        currency=str(item.get("currency") or "EUR"),
                        period_start=datetime.date.fromisoformat(item["periodStart"]) if item.get("periodStart") else None,
                        received_at=_parse_time(item["receivedAt"]),
                    ))
                except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
                    raise PlatformError("Facture reçue illisible dans la réponse de la plateforme.") from exc
            cursor = body.get("nextCursor") or ""
            if not cursor:
                break
        return invoices

    def send_supplier_status(self, flow_id: str, code: str, reason: str = "") -> None:
        body = {"statusCode": code, "reason": reason}
        self._call("supplier_status", "POST", f"/v1/incoming-flows/{quote(flow_id)}/status", json_body=body,
                   headers={"Idempotency-Key": f"{flow_id}:{code}"})
