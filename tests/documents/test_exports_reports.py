"""Exports: the missing-documents report as CSV and XLSX (the filtered rows), and the proof of
order zip for the auditor (contractual documents, previous versions, a manifest with hashes)."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from adv.tenancy.context import tenant_context
from documents import requirements as requirements_module
from documents import services as document_services
from documents.models import DocumentDownload
from tests.documents import test_requirements_support as support
from tests.documents.test_requirements_support import TODAY, days, pdf_bytes

pytestmark = pytest.mark.django_db
media = support.media
world = support.world


@pytest.fixture(autouse=True)
def _fixed_today(monkeypatch):
    monkeypatch.setattr(requirements_module, "tenant_today", lambda tenant: TODAY)


@pytest.fixture
def report_data(world):
    """Alpha Industrie (client: fresh K-bis, contract expired 3 days ago, no RIB) and Beta (prospect, no K-bis)."""
    alpha = world.client(name="Alpha Industrie SAS", siren="732829320")
    world.document(alpha, "kbis", signed_on=days(-10))
    world.document(alpha, "contrat-cadre", signed_on=days(-400), valid_until=days(-3))
    world.client(name="Beta Prospect SAS", status="prospect", siren="")
    return world


def export(world, **params):
    url = reverse("clients:missing_documents_export", kwargs={"tenant_slug": world.tenant.slug})
    response = world.alice.client().get(url, params)
    assert response.status_code == 200
    return response, b"".join(response.streaming_content)


def test_the_csv_export_has_the_filtered_rows_for_french_excel(report_data):
    # when alice exports the report as CSV
    response, body = export(report_data, format="csv")
    # then it is an attachment, UTF-8 with a BOM, separated by semicolons, one line per row
    assert response["Content-Disposition"] == f'attachment; filename="documents-manquants-{TODAY.isoformat()}.csv"'
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == [
        "Client", "SIREN", "Statut du client", "Document attendu", "État", "Document actuel", "Expiré le",
        "À fournir par", "Responsable", "E-mail du responsable",
    ]
    assert sorted(rows[1:]) == [
        ["Alpha Industrie SAS", "732829320", "Client", "Contrat cadre", "Expiré", "contrat-cadre Alpha Industrie SAS",
         days(-3).strftime("%d/%m/%Y"), "Le commercial du client", "Sam Alpha", "sam@alpha.test"],
        ["Alpha Industrie SAS", "732829320", "Client", "RIB", "Manquant", "", "", "L'ADV en charge", "Ada Alpha",
         "ada@alpha.test"],
        ["Beta Prospect SAS", "", "Prospect", "K-bis", "Manquant", "", "", "Le commercial du client", "Sam Alpha",
         "sam@alpha.test"],
    ]
    # and the filters of the page apply to the export
    _response, filtered = export(report_data, format="csv", status="expired")
    assert len(list(csv.reader(io.StringIO(filtered.decode("utf-8-sig")), delimiter=";"))) == 2


def test_the_xlsx_export_has_the_same_rows_with_real_dates(report_data):
    # when alice exports the report as Excel, filtered on Alpha's responsible sam
    response, body = export(report_data, format="xlsx", responsible=str(report_data.sam.membership.pk))
    # then the workbook holds sam's two rows, the expiry as a date
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(body)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][0] == "Client" and len(values) == 3
    expired = next(row for row in values[1:] if row[4] == "Expiré")
    assert expired[0] == "Alpha Industrie SAS" and expired[6].date() == days(-3)
    assert {row[8] for row in values[1:]} == {"Sam Alpha"}


def test_an_unknown_export_format_is_404(report_data):
    url = reverse("clients:missing_documents_export", kwargs={"tenant_slug": report_data.tenant.slug})
    assert report_data.alice.client().get(url, {"format": "pdf"}).status_code == 404


# --- Proof of order -----------------------------------------------------------------------------------


def proof(world, persona=None, client=None):
    persona = persona or world.alice
    url = reverse("clients:proof_of_order", kwargs={"tenant_slug": world.tenant.slug, "client_pk": client.pk})
    return persona.client().get(url)


def test_the_proof_of_order_zips_contractual_documents_with_history_and_a_manifest(world):
    # given a client with a framework agreement in two versions, a purchase order, and a K-bis
    client = world.client(name="Helios Énergies SA")
    contract = world.document(
        client, "contrat-cadre", title="Contrat cadre 2026", signed_on=days(-30), valid_until=days(700),
        data=pdf_bytes("contrat v1"),
    )
    with tenant_context(world.tenant):
        from django.core.files.uploadedfile import SimpleUploadedFile

        document_services.document_add_version(
            actor=world.alice.membership, document=contract,
            upload=SimpleUploadedFile("contrat-signe.pdf", pdf_bytes("contrat v2"), content_type="application/pdf"),
            comment="Version signée",
        )
    world.document(client, "bon-de-commande", title="BDC 4500012345", signed_on=days(-5), data=pdf_bytes("bdc"))
    world.document(client, "kbis", signed_on=days(-5))
    # when alice downloads the proof of order
    response = proof(world, client=client)
    # then it is a zip attachment
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="preuve-de-commande-helios-energies-sa-')
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = archive.namelist()
    folder = names[0].split("/")[0]
    files = sorted(name.split("/", 1)[1] for name in names)
    # with the current files, the superseded version in its subfolder, the manifests; no K-bis
    assert files == [
        "documents/01 - Bon de commande - BDC 4500012345 (v1).pdf",
        "documents/02 - Contrat cadre - Contrat cadre 2026 (v2).pdf",
        "documents/versions-precedentes/02 - Contrat cadre - Contrat cadre 2026 (v1).pdf",
        "manifeste.csv",
        "manifeste.json",
    ]
    assert archive.read(f"{folder}/documents/02 - Contrat cadre - Contrat cadre 2026 (v2).pdf") == pdf_bytes("contrat v2")
    # and the manifest gives each file's type, dates, uploader, size, version and a SHA-256 of its bytes
    manifest = json.loads(archive.read(f"{folder}/manifeste.json"))
    assert manifest["client"]["name"] == "Helios Énergies SA"
    contract_entry = next(d for d in manifest["documents"] if d["type"] == "Contrat cadre")
    assert contract_entry["signed_on"] == days(-30).isoformat()
    assert contract_entry["valid_until"] == days(700).isoformat()
    assert [v["version"] for v in contract_entry["versions"]] == [1, 2]
    for entry in contract_entry["versions"]:
        data = archive.read(f"{folder}/{entry['file']}")
        assert entry["sha256"] == hashlib.sha256(data).hexdigest() == entry["sha256_recorded"]
        assert entry["size"] == len(data)
        assert entry["uploaded_by"] == str(world.alice.user)
    assert contract_entry["versions"][1]["current"] is True and contract_entry["versions"][1]["comment"] == "Version signée"
    rows = list(csv.DictReader(io.StringIO(archive.read(f"{folder}/manifeste.csv").decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 3
    v1 = next(r for r in rows if r["fichier"].startswith("documents/versions-precedentes/"))
    assert v1["version actuelle"] == "non" and v1["type"] == "Contrat cadre"
    assert v1["sha256"] == hashlib.sha256(pdf_bytes("contrat v1")).hexdigest()
    assert v1["historique des dépôts"].startswith("v1 ") and " | v2 " in v1["historique des dépôts"]
    assert v1["empreinte vérifiée"] == "oui"
    # and each included file is recorded as downloaded by alice
    with tenant_context(world.tenant):
        assert DocumentDownload.objects.filter(membership=world.alice.membership).count() == 3


def test_the_proof_of_order_only_holds_what_the_member_may_see(world):
    # given a confidential framework agreement (level 3) and an internal purchase order (level 2)
    client = world.client()
    world.document(client, "contrat-cadre", title="Contrat cadre", signed_on=days(-5))
    world.document(client, "bon-de-commande", title="BDC 1", signed_on=days(-5))
    # when sam (clearance 2) downloads the proof of order
    response = proof(world, persona=world.sam, client=client)
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    # then only the purchase order is in it
    documents = [n for n in archive.namelist() if "/documents/" in n]
    assert len(documents) == 1 and "BDC 1" in documents[0]


def test_without_contractual_documents_the_proof_of_order_says_so(world):
    client = world.client()
    world.document(client, "kbis", signed_on=days(-5))
    response = proof(world, client=client)
    assert response.status_code == 200
    assert 'data-testid="proof-of-order-empty"' in response.content.decode()


def test_a_client_named_like_a_formula_is_exported_inert(world):
    hostile = world.client(name='=HYPERLINK("http://evil.test","Cliquez ici")', siren="")
    with tenant_context(world.tenant):
        assert hostile.display_name.startswith("=")

    _response, body = export(world, format="csv")
    names = [row[0] for row in csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";")]
    assert "'" + hostile.display_name in names

    _response, body = export(world, format="xlsx")
    sheet = load_workbook(io.BytesIO(body)).active
    cells = [row[0] for row in sheet.iter_rows(min_row=2) if str(row[0].value).startswith("=")]
    assert cells and all(cell.data_type == "s" for cell in cells)
