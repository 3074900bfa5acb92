"""Every file of the clients app is guarded against formula injection (adv/exports.py): the
missing-documents report (CSV and XLSX) and the manifest of a client's proof of order, downloaded
as a user does."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.urls import reverse

from adv.exports import FORMULA_TRIGGERS
from adv.tenancy.context import tenant_context
from clients.models import Client
from documents.models import Document
from tests.documents import test_requirements_support as support
from tests.documents.test_requirements_support import days, pdf_bytes
from tests.export_guard import PAYLOADS, assert_csv_inert, assert_xlsx_inert, body

pytestmark = pytest.mark.django_db
media = support.media
world = support.world


def _stored(names: list[str]) -> list[str]:
    """The names as saved (surrounding whitespace is stripped on input) that still start a formula."""
    hostile = [name for name in names if name.startswith(FORMULA_TRIGGERS)]
    assert len(hostile) >= 4, names
    return hostile


def test_the_missing_documents_report_is_inert(world):
    clients = [world.client(name=payload, siren="") for payload in PAYLOADS]
    with tenant_context(world.tenant):
        names = _stored([Client.objects.get(pk=client.pk).display_name for client in clients])
    url = reverse("clients:missing_documents_export", kwargs={"tenant_slug": world.tenant.slug})

    assert_csv_inert(body(world.alice.client().get(url, {"format": "csv"})), names)
    assert_xlsx_inert(body(world.alice.client().get(url, {"format": "xlsx"})), names)


def test_the_manifest_of_a_clients_proof_of_order_is_inert(world):
    client = world.client(name=PAYLOADS[0])
    documents = [
        world.document(client, "bon-de-commande", title=payload, signed_on=days(-5), data=pdf_bytes(f"bdc {i}"))
        for i, payload in enumerate(PAYLOADS)
    ]
    with tenant_context(world.tenant):
        titles = _stored([Document.objects.get(pk=document.pk).title for document in documents])
    url = reverse("clients:proof_of_order", kwargs={"tenant_slug": world.tenant.slug, "client_pk": client.pk})

    archive = zipfile.ZipFile(io.BytesIO(body(world.alice.client().get(url))))
    manifest = next(name for name in archive.namelist() if name.endswith("manifeste.csv"))
    assert_csv_inert(archive.read(manifest), titles)
