"""The zip of Factur-X files of a month or of chosen invoices."""

from __future__ import annotations

import io
import zipfile

import pytest

pytestmark = pytest.mark.django_db


def test_zip_of_a_month_holds_the_rendered_pdfs_and_xml_only(billing_firm):
    billing_firm.build()
    result = billing_firm.issue([billing_firm.draft_of(billing_firm.helios), billing_firm.draft_of(billing_firm.nova)])
    rendered = billing_firm.render(result.issued[0])  # the other one is still pending
    pending = result.issued[1]
    response = billing_firm.accountant.client().get(
        f"/t/{billing_firm.tenant.slug}/billing/invoices/export/", {"month": "2026-10"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert 'filename="factures-2026-10.zip"' in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert sorted(archive.namelist()) == sorted([f"{rendered.number}.pdf", f"xml/{rendered.number}.xml"])
    with rendered.pdf_file.open("rb") as handle:
        assert archive.read(f"{rendered.number}.pdf") == handle.read()
    assert pending.number not in " ".join(archive.namelist())


def test_zip_of_selected_ids_and_message_when_nothing_is_rendered(billing_firm):
    billing_firm.build()
    result = billing_firm.issue([billing_firm.draft_of(billing_firm.helios), billing_firm.draft_of(billing_firm.nova)])
    client = billing_firm.adv.client()
    path = f"/t/{billing_firm.tenant.slug}/billing/invoices/export/"
    # nothing rendered yet: a message, no zip
    response = client.get(path, {"month": "2026-10"}, follow=True)
    assert "rien à exporter" in response.content.decode()
    one = billing_firm.render(result.issued[1])
    billing_firm.render(result.issued[0])
    response = client.get(path, {"ids": [str(one.pk)]})
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert sorted(archive.namelist()) == sorted([f"{one.number}.pdf", f"xml/{one.number}.xml"])


def test_consultant_and_another_firm_get_no_zip(billing_firm, carol):
    billing_firm.build()
    billing_firm.render(billing_firm.issue([billing_firm.draft_of(billing_firm.helios)]).issued[0])
    assert billing_firm.bob.client().get("/t/alpha/billing/invoices/export/?month=2026-10").status_code == 403
    response = carol.client().get(f"/t/{carol.tenant.slug}/billing/invoices/export/", {"month": "2026-10"}, follow=True)
    assert response["Content-Type"] != "application/zip"
