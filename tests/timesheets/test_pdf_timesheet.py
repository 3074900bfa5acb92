"""The printable timesheet (WeasyPrint): one consultant, one month, one deal, with the firm's
identity, the client, the deal reference, the days, the total, the reception number and the
client's signature block; downloaded from the month page; never a rate."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from adv.tenancy.context import tenant_context
from tests.timesheets import test_entry_support as support
from tests.timesheets.test_entry_support import (
    fill,
    line,
    open_month,
    require_on_client,
    shown_rates,
    working_days_of_assignment,
)
from timesheets import pdf
from timesheets.models import Timesheet

pytestmark = pytest.mark.django_db

# Fixtures shared by the timesheet tests.
firm = support.firm
frozen = support.frozen


@pytest.fixture
def may_with_reception(firm):
    require_on_client(firm, reception=True)
    timesheet = open_month(firm.bob)
    work = line(timesheet, deal=firm.deal)
    fill(firm.bob, timesheet, [(work, d, "1") for d in working_days_of_assignment()])
    with tenant_context(firm.tenant):
        from timesheets.services import timesheet_set_reception_number

        timesheet_set_reception_number(actor=firm.bob.membership, line=work, number="REC-2026-05-0042")
        return Timesheet.objects.select_related("consultant__user", "tenant").get(pk=timesheet.pk)


def test_the_html_carries_identity_client_deal_days_total_reception_and_signature(firm, may_with_reception):
    with tenant_context(firm.tenant):
        html = pdf.pdf_html(timesheet=may_with_reception, deal=firm.deal)
    assert firm.tenant.legal_name in html and firm.tenant.siren in html
    assert "Helios Énergies SA" in html
    assert f'data-field="deal-reference">{firm.deal.reference}<' in html
    assert "Bob" in html and "mai 2026" in html
    assert 'data-field="total">13<' in html
    assert 'data-field="reception-number">REC-2026-05-0042<' in html
    assert 'data-section="client-signature"' in html and "Signature et cachet" in html
    assert "Fête de la Victoire" in html and "Ascension" in html
    assert shown_rates(html) == []


def test_the_pdf_is_a_pdf_with_the_deal_reference_in_its_text(firm, may_with_reception):
    with tenant_context(firm.tenant):
        content = pdf.timesheet_pdf(timesheet=may_with_reception, deal=firm.deal)
    assert content.startswith(b"%PDF")
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed: the HTML test covers the content")
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True).stdout.decode()
    assert firm.deal.reference in text
    assert "REC-2026-05-0042" in text
    assert "Compte-rendu d'activité" in text or "Compte-rendu d’activité" in text
    assert shown_rates(text) == []


def test_the_consultant_downloads_the_pdf_from_the_month_page(firm, may_with_reception):
    client = firm.bob.client()
    page = client.get(firm.bob.url("timesheets/me/2026/5/")).content.decode()
    url = firm.bob.url(f"timesheets/{may_with_reception.pk}/pdf/{firm.deal.pk}/")
    assert f'href="{url}"' in page
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="CRA-2026-05-{firm.deal.reference}-{firm.bob.user.last_name.lower()}-bob.pdf"'
    assert response.content.startswith(b"%PDF")


def test_a_deal_that_is_not_on_the_timesheet_has_no_pdf(firm, may_with_reception):
    response = firm.bob.client().get(firm.bob.url(f"timesheets/{may_with_reception.pk}/pdf/{firm.other_deal.pk}/"))
    assert response.status_code == 404
