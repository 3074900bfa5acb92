"""Helpers of the expected-documents, report, chase, export, import and demo tests (no test here).

Tenant A (alice, admin) gets the default document types and requirements (K-bis < 90 days for
prospects and clients, owed by the sales owner; a framework agreement not past its "valid
until" for clients, owed by the sales owner; a RIB for clients, owed by the ADV), a sales member
(Sam) and an ADV member (Ada); documents are stored in a temporary MEDIA_ROOT.
"""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from stdnum import luhn

from adv.tenancy.context import tenant_context
from clients import services
from clients.models import Client
from documents import services as document_services
from documents.models import Document, DocumentType, DocumentVersion
from tests.conftest import Persona
from tests.factories import MembershipFactory, UserFactory

TODAY = datetime.date(2026, 11, 25)  # a Wednesday, ISO week 2026-W48
_sequence = itertools.count(20_000_001)


def pdf_bytes(text: str = "K-bis") -> bytes:
    body = f"%PDF-1.4\n% {text}\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    return (body + "2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n").encode()


def make_siren() -> str:
    digits = f"{next(_sequence):08d}"
    return digits + luhn.calc_check_digit(digits)


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


@dataclass
class World:
    """Tenant A with its people: alice (admin), sam (sales), ada (adv)."""

    alice: Persona
    sam: Persona
    ada: Persona

    @property
    def tenant(self):
        return self.alice.tenant

    def client(self, name: str = "", **fields) -> Client:
        fields.setdefault("status", "client")
        fields.setdefault("owner", self.sam.membership)
        fields.setdefault("adv_owner", self.ada.membership)
        fields.setdefault("siren", make_siren())
        with tenant_context(self.tenant):
            return services.client_create(
                actor=self.alice.membership, legal_name=name or f"Client {next(_sequence)} SAS", **fields
            )

    def document(
        self,
        client: Client,
        code: str,
        *,
        signed_on: datetime.date | None = None,
        valid_until: datetime.date | None = None,
        uploaded_on: datetime.date | None = None,
        title: str = "",
        data: bytes | None = None,
        security_level: int | None = None,
    ) -> Document:
        """A document uploaded by alice through the service; `uploaded_on` backdates its upload."""
        with tenant_context(self.tenant):
            document = document_services.document_upload(
                actor=self.alice.membership,
                client=client,
                document_type=DocumentType.objects.get(code=code),
                title=title or f"{code} {client.legal_name}",
                upload=SimpleUploadedFile(f"{code}.pdf", data or pdf_bytes(code), content_type="application/pdf"),
                signed_on=signed_on,
                valid_until=valid_until,
                security_level=security_level,
            )
            if uploaded_on is not None:
                moment = timezone.make_aware(datetime.datetime.combine(uploaded_on, datetime.time(10)))
                DocumentVersion.objects.filter(document=document).update(created_at=moment)
                Document.objects.filter(pk=document.pk).update(created_at=moment)
            return Document.objects.select_related("current_version").get(pk=document.pk)

    def member(self, role: str, email: str, clearance: int = 2) -> Persona:
        user = UserFactory(email=email, first_name=email.split("@")[0].capitalize(), last_name="Alpha")
        with tenant_context(self.tenant):
            membership = MembershipFactory(user=user, role=role, clearance_level=clearance)
        return Persona(user, membership, self.tenant)


@pytest.fixture
def media(settings, tmp_path) -> Path:
    """Documents stored on the local filesystem, in a temporary MEDIA_ROOT; no antivirus."""
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = str(root)
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    settings.CLAMAV_ADDRESS = ""
    return root


@pytest.fixture
def world(alice, media) -> World:
    with tenant_context(alice.tenant):
        document_services.document_types_seed_defaults()
    helper = World(alice=alice, sam=None, ada=None)
    helper.sam = helper.member("sales", "sam@alpha.test", clearance=2)
    helper.ada = helper.member("adv", "ada@alpha.test", clearance=3)
    return helper
