"""Webhooks fixtures: a receiving HTTP server on this machine (it records what it receives and
answers what the test says), endpoints of tenant A, and the billing firm's fixtures."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from adv.tenancy.context import tenant_context
from tests.billing.support import billing_firm, media  # noqa: F401  (fixtures)
from tests.webhooks.support import resolving  # noqa: F401  (re-exported for the tests)
from webhooks import services


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes


@dataclass
class Receiver:
    """`status`: the answer; `hang`: seconds to wait before answering; `location`: a redirect target."""

    port: int = 0
    status: int = 204
    body: bytes = b""
    hang: float = 0.0
    location: str = ""
    requests: list[Received] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"


def _handler(receiver: Receiver):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            receiver.requests.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
            if receiver.hang:
                time.sleep(receiver.hang)
            self.send_response(receiver.status)
            if receiver.location:
                self.send_header("Location", receiver.location)
            self.send_header("Content-Length", str(len(receiver.body)))
            self.end_headers()
            self.wfile.write(receiver.body)

        def log_message(self, *args):
            pass

    return Handler


@pytest.fixture
def receiver():
    state = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def private_targets(settings):
    """Development mode: a receiver on this machine may be called."""
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True


def make_endpoint(persona, url, event_types=("invoice.issued",), **kwargs):
    with tenant_context(persona.tenant):
        return services.endpoint_create(actor=persona.membership, url=url, event_types=list(event_types), **kwargs)
