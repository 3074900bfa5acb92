"""HTTP for the connectors: bounded timeouts, a request id on every call, and a `PlatformCall`
row for each (operation, time, outcome, SHA-256 of the payload sent), written even when the call
fails. Tests and the in-process emulator mount a transport for a base URL (`mount`)."""

from __future__ import annotations

import hashlib
import json
import time
import uuid

import requests
from django.utils import timezone

from .base import PlatformError

CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 30.0
_TRANSPORTS: dict[str, requests.adapters.BaseAdapter] = {}


def mount(prefix: str, adapter) -> None:
    """Route every call whose URL starts with `prefix` to `adapter` (a requests transport)."""
    _TRANSPORTS[prefix] = adapter


def unmount(prefix: str) -> None:
    _TRANSPORTS.pop(prefix, None)


def session() -> requests.Session:
    s = requests.Session()
    s.trust_env = False
    for prefix, adapter in _TRANSPORTS.items():
        s.mount(prefix, adapter)
    return s


def _record(connector: str, operation: str, request_id: str, started, duration_ms, outcome, status, digest, error):
    from ..models import PlatformCall

    PlatformCall.objects.create(
        connector=connector,
        operation=operation,
        request_id=request_id,
        started_at=started,
        duration_ms=duration_ms,
        outcome=outcome,
        http_status=status,
        payload_sha256=digest,
        error=(error or "")[:500],
    )


class Client:
    """A connector's HTTP client; `auth` returns the headers of an authenticated call."""

    def __init__(self, connector: str, *, timeout=(CONNECT_TIMEOUT, READ_TIMEOUT)):
        self.connector = connector
        self.timeout = timeout
        self.http = session()

    def call(
        self, operation: str, method: str, url: str, *, headers=None, json_body=None, data=None, files=None,
        payload: bytes | None = None, ok=(200, 201, 202), accept_404: bool = False,
    ) -> requests.Response:
        request_id = uuid.uuid4().hex
        headers = {"X-Request-Id": request_id, "Accept": "application/json", **(headers or {})}
        if payload is None:
            if json_body is not None:
                payload = json.dumps(json_body, sort_keys=True, default=str).encode()
            elif data is not None:
                payload = json.dumps(data, sort_keys=True, default=str).encode()
            else:
                payload = b""
        digest = hashlib.sha256(payload).hexdigest() if payload else ""
        started, clock = timezone.now(), time.monotonic()

        def done(outcome, status=None, error=""):
            _record(self.connector, operation, request_id, started, int((time.monotonic() - clock) * 1000), outcome,
                    status, digest, error)

        try:
            response = self.http.request(
                method, url, headers=headers, json=json_body, data=data, files=files, timeout=self.timeout
            )
        except requests.Timeout as exc:
            done("timeout", error=str(exc))
            raise PlatformError(f"La plateforme n'a pas répondu à temps ({operation}).") from exc
        except requests.RequestException as exc:
            done("error", error=str(exc))
            raise PlatformError(f"La plateforme est injoignable ({operation}) : {exc}") from exc
        if response.status_code in ok or (accept_404 and response.status_code == 404):
            done("ok", response.status_code)
            return response
        detail, errors = _problem(response)
        done("error", response.status_code, detail)
        retryable = response.status_code >= 500 or response.status_code in (408, 429)
        if response.status_code in (401, 403):
            detail = f"Identifiants refusés par la plateforme ({response.status_code}) : {detail}"
        raise PlatformError(detail, retryable=retryable, http_status=response.status_code, errors=errors)


def _problem(response: requests.Response) -> tuple[str, list]:
    try:
        body = response.json()
    except ValueError:
        return f"Réponse inattendue de la plateforme (HTTP {response.status_code}).", []
    if not isinstance(body, dict):
        return f"Réponse inattendue de la plateforme (HTTP {response.status_code}).", []
    detail = body.get("detail") or body.get("title") or body.get("libelle") or body.get("error_description") or ""
    errors = body.get("errors") or []
    return (str(detail) or f"HTTP {response.status_code}")[:400], errors if isinstance(errors, list) else []


def json_of(response: requests.Response, operation: str) -> dict:
    """The JSON object of an answer, or a retryable PlatformError for garbage."""
    try:
        body = response.json()
    except ValueError as exc:
        raise PlatformError(f"Réponse illisible de la plateforme ({operation}).") from exc
    if not isinstance(body, dict):
        raise PlatformError(f"Réponse illisible de la plateforme ({operation}).")
    return body


class OAuth2Token:
    """Client-credentials token, kept until shortly before it expires."""

    def __init__(self, client: Client, token_url: str, client_id: str, client_secret: str, scope: str = ""):
        self.client, self.token_url, self.client_id, self.client_secret, self.scope = (
            client, token_url, client_id, client_secret, scope
        )
        self._token, self._expires = "", 0.0

    def header(self) -> dict:
        if not self._token or time.monotonic() > self._expires:
            data = {"grant_type": "client_credentials", "client_id": self.client_id, "client_secret": self.client_secret}
            if self.scope:
                data["scope"] = self.scope
            response = self.client.call("token", "POST", self.token_url, data=data, payload=b"client_credentials")
            body = json_of(response, "token")
            if not body.get("access_token"):
                raise PlatformError("La plateforme n'a pas donné de jeton d'accès.", retryable=False)
            self._token = body["access_token"]
            self._expires = time.monotonic() + max(30, int(body.get("expires_in") or 300) - 30)
        return {"Authorization": f"Bearer {self._token}"}
