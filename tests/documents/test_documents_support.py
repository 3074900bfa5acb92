"""Helpers of the document tests (no test here): files of each kind, storage in a temporary
MEDIA_ROOT, a client of tenant A, members of any role and clearance, a fake ClamAV daemon."""

from __future__ import annotations

import io
import socket
import struct
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from adv.tenancy.context import tenant_context
from clients import services
from documents import services as document_services
from documents.models import DocumentType
from tests.conftest import Persona
from tests.factories import MembershipFactory, UserFactory

PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
)
HTML_BYTES = b"<!DOCTYPE html><html><head><script>alert(1)</script></head><body>Facture</body></html>"
SVG_BYTES = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="10" height="10"/></svg>'
TEXT_BYTES = "Compte rendu de réunion\nLe client valide le devis.\n".encode()


def png_bytes(size=(12, 8), color=(47, 111, 223)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


def pdf_file(name: str = "kbis.pdf", data: bytes = PDF_BYTES, content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def stored_files(root: Path) -> list[Path]:
    return sorted(path for path in Path(root).rglob("*") if path.is_file())


@pytest.fixture
def media(settings, tmp_path) -> Path:
    """Documents stored on the local filesystem, in a temporary MEDIA_ROOT; no antivirus."""
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = str(root)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    settings.CLAMAV_ADDRESS = ""
    return root


@pytest.fixture
def seeded_types(alice):
    """Tenant A's default document types and expected documents (as a new firm gets them)."""
    with tenant_context(alice.tenant):
        document_services.document_types_seed_defaults()


@pytest.fixture
def client_a(alice, seeded_types):
    """A client of tenant A (Alpha Conseil), created by alice."""
    with tenant_context(alice.tenant):
        return services.client_create(actor=alice.membership, legal_name="Helios Énergies SA", status="client")


def document_type(persona: Persona, code: str) -> DocumentType:
    with tenant_context(persona.tenant):
        return DocumentType.objects.get(code=code)


def upload(persona: Persona, client, *, code: str = "kbis", file=None, **fields):
    """A document uploaded by `persona` through the service."""
    with tenant_context(persona.tenant):
        return document_services.document_upload(
            actor=persona.membership,
            client=client,
            document_type=DocumentType.objects.get(code=code),
            title=fields.pop("title", "K-bis Helios"),
            upload=file or pdf_file(),
            **fields,
        )


@pytest.fixture
def make_member(tenant_a):
    """make_member("sales", clearance=2) -> a new Persona of tenant A."""
    counter = iter(range(1, 10_000))

    def make(role: str, clearance: int = 4, **fields) -> Persona:
        n = next(counter)
        user = UserFactory(email=f"{role}{n}@alpha.test", first_name=role.replace("_", " ").title(), last_name=f"Alpha{n}")
        with tenant_context(tenant_a):
            membership = MembershipFactory(user=user, role=role, clearance_level=clearance, **fields)
        return Persona(user, membership, tenant_a)

    return make


@contextmanager
def fake_clamav(reply: bytes = b"stream: Eicar-Test-Signature FOUND\0"):
    """A ClamAV daemon double: reads one INSTREAM, answers `reply`. Yields "host:port"."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.settimeout(10)
    received: list[bytes] = []

    def serve() -> None:
        try:
            connection, _address = server.accept()
        except OSError:
            return
        with connection:
            data = b""
            while not data.startswith(b"zINSTREAM\0"):
                data += connection.recv(1024)
            data = data[len(b"zINSTREAM\0"):]
            payload = b""
            while True:
                while len(data) < 4:
                    data += connection.recv(65536)
                (length,) = struct.unpack("!L", data[:4])
                data = data[4:]
                if length == 0:
                    break
                while len(data) < length:
                    data += connection.recv(65536)
                payload += data[:length]
                data = data[length:]
            received.append(payload)
            connection.sendall(reply)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        host, port = server.getsockname()
        yield f"{host}:{port}", received
    finally:
        server.close()
        thread.join(timeout=5)


def unreachable_address() -> str:
    """A local port nobody listens on."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    probe.bind(("127.0.0.1", 0))
    host, port = probe.getsockname()
    probe.close()
    return f"{host}:{port}"
