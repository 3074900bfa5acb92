"""The pre-invoice page: header references, lines (add, reword, discount, delete), checks, the
timesheet annex, attachments, the PDF preview and issuing; an issued invoice is never edited here."""

from __future__ import annotations

from decimal import Decimal

import pytest

from adv.tenancy.context import tenant_context
from billing.models import Invoice, InvoiceLine

pytestmark = pytest.mark.django_db


def page(persona, invoice, suffix: str = "") -> str:
    return persona.url(f"billing/pre-invoices/{invoice.pk}/{suffix}")


def lines_of(billing_firm, invoice) -> list[tuple]:
    with tenant_context(billing_firm.tenant):
        return list(
            InvoiceLine.objects.filter(invoice_id=invoice.pk)
            .order_by("position", "id")
            .values_list("kind", "label", "quantity", "unit_price", "net_amount")
        )


def test_page_shows_lines_checks_annex_attachments_and_preview(billing_firm):
    billing_firm.build()
    helios = billing_firm.draft_of(billing_firm.helios)
    response = billing_firm.adv.client().get(page(billing_firm.adv, helios))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('data-testid="pre-invoice-line"') == 2
    # the annex lists each consultant's days (bob 20 days, Chloé 18)
    assert html.count('data-testid="pre-invoice-annex"') == 2 and "Chloé David" in html
    assert "20 jour(s)" in html and "18 jour(s)" in html
    assert 'data-testid="pre-invoice-attachments"' in html
    assert f"/billing/pre-invoices/{helios.pk}/preview.pdf" in html
    assert 'data-testid="pre-invoice-issue"' in html


def test_blocked_pre_invoice_lists_its_checks_with_fix_links(billing_firm):
    billing_firm.build()
    orion = billing_firm.draft_of(billing_firm.orion)
    html = billing_firm.adv.client().get(page(billing_firm.adv, orion)).content.decode()
    assert 'data-code="missing_milestone_document"' in html
    assert f"/t/alpha/deals/{billing_firm.fixed_deal.pk}/" in html


def test_add_reword_discount_and_delete_lines(billing_firm):
    billing_firm.build()
    helios = billing_firm.draft_of(billing_firm.helios)
    client = billing_firm.adv.client()
    # add a manual line
    response = client.post(
        page(billing_firm.adv, helios, "lines/"),
        {"label": "Frais de déplacement", "quantity": "2", "unit": "C62", "unit_price": "150,50", "vat_rate": "20"},
    )
    assert response.status_code == 302
    manual = [row for row in lines_of(billing_firm, helios) if row[0] == "manual"]
    assert manual == [("manual", "Frais de déplacement", Decimal("2.00"), Decimal("150.5000"), Decimal("301.00"))]
    assert billing_firm.draft_of(billing_firm.helios).total_net == Decimal("26261.00")
    # reword a generated (time) line: the wording changes, never the quantity
    with tenant_context(billing_firm.tenant):
        time_line = InvoiceLine.objects.filter(invoice_id=helios.pk, kind="time").order_by("position").first()
    response = client.post(
        page(billing_firm.adv, helios, f"lines/{time_line.pk}/"),
        {"label": "Développement portail", "detail": "Octobre", "vat_rate": "20", "quantity": "99"},
    )
    assert response.status_code == 302
    # (a rerun rebuilds generated lines and keeps the edited wording)
    with tenant_context(billing_firm.tenant):
        reworded = InvoiceLine.objects.get(invoice_id=helios.pk, kind="time", label="Développement portail")
    assert (reworded.detail, reworded.is_edited) == ("Octobre", True)
    assert reworded.quantity == time_line.quantity
    # a discount of 10 %
    response = client.post(page(billing_firm.adv, helios, "discount/"), {"percent": "10"})
    assert response.status_code == 302
    discount = [row for row in lines_of(billing_firm, helios) if row[0] == "discount"]
    assert discount and discount[0][4] == Decimal("-2626.10")
    # delete the manual line
    with tenant_context(billing_firm.tenant):
        manual_line = InvoiceLine.objects.get(invoice_id=helios.pk, kind="manual")
    assert client.post(page(billing_firm.adv, helios, f"lines/{manual_line.pk}/delete/")).status_code == 302
    assert [row for row in lines_of(billing_firm, helios) if row[0] == "manual"] == []


def test_bad_line_shows_the_error_by_its_field_and_saves_nothing(billing_firm):
    billing_firm.build()
    helios = billing_firm.draft_of(billing_firm.helios)
    before = lines_of(billing_firm, helios)
    response = billing_firm.adv.client().post(
        page(billing_firm.adv, helios, "lines/"),
        {"label": "Remise cachée", "quantity": "1", "unit": "C62", "unit_price": "-10", "vat_rate": "20"},
    )
    assert response.status_code == 400
    assert "Le prix unitaire ne peut pas être négatif" in response.content.decode()
    assert lines_of(billing_firm, helios) == before


def test_generated_line_cannot_be_deleted(billing_firm):
    billing_firm.build()
    helios = billing_firm.draft_of(billing_firm.helios)
    with tenant_context(billing_firm.tenant):
        time_line = InvoiceLine.objects.filter(invoice_id=helios.pk, kind="time").first()
    before = lines_of(billing_firm, helios)
    response = billing_firm.adv.client().post(page(billing_firm.adv, helios, f"lines/{time_line.pk}/delete/"))
    assert response.status_code == 400 and "ajoutez une remise" in response.content.decode()
    assert lines_of(billing_firm, helios) == before


def test_header_references_are_saved(billing_firm):
    billing_firm.build()
    helios = billing_firm.draft_of(billing_firm.helios)
    response = billing_firm.adv.client().post(
        page(billing_firm.adv, helios),
        {"po_number": " PO-778 ", "buyer_reference": "ENG-1", "service_code": "", "notes": "Projet Atlas"},
    )
    assert response.status_code == 302
    fresh = billing_firm.draft_of(billing_firm.helios)
    assert (fresh.po_number, fresh.buyer_reference, fresh.notes) == ("PO-778", "ENG-1", "Projet Atlas")


def test_issue_from_the_page_refuses_a_blocked_one_with_its_reasons(billing_firm):
    billing_firm.build()
    orion = billing_firm.draft_of(billing_firm.orion)
    response = billing_firm.adv.client().post(page(billing_firm.adv, orion, "issue/"))
    html = response.content.decode()
    assert response.status_code == 409
    assert 'data-testid="pre-invoice-blocked"' in html and "PV de recette manquant" in html
    assert billing_firm.draft_of(billing_firm.orion).number is None


def test_issue_from_the_page_then_the_invoice_cannot_be_edited(billing_firm):
    billing_firm.build()
    helios = billing_firm.draft_of(billing_firm.helios)
    client = billing_firm.adv.client()
    response = client.post(page(billing_firm.adv, helios, "issue/"))
    assert response.status_code == 302
    with tenant_context(billing_firm.tenant):
        issued = Invoice.objects.get(pk=helios.pk)
    assert issued.number and response["Location"].endswith(f"/billing/invoices/{helios.pk}/")
    # the pre-invoice page now sends to the invoice
    again = client.get(page(billing_firm.adv, helios))
    assert again.status_code == 302 and again["Location"].endswith(f"/billing/invoices/{helios.pk}/")
    # and every edit is refused with a message, changing nothing
    before = lines_of(billing_firm, helios)
    refused = client.post(
        page(billing_firm.adv, helios, "lines/"),
        {"label": "Ajout tardif", "quantity": "1", "unit": "C62", "unit_price": "10", "vat_rate": "20"},
    )
    assert refused.status_code == 409 and "ne peut plus être modifiée" in refused.content.decode()
    header = client.post(page(billing_firm.adv, helios), {"po_number": "NEW"})
    assert header.status_code == 409
    with tenant_context(billing_firm.tenant):
        after = Invoice.objects.get(pk=helios.pk)
    assert lines_of(billing_firm, helios) == before
    assert (after.po_number, after.total_net) == (issued.po_number, issued.total_net)


def test_accountant_reads_the_page_but_cannot_change_it(billing_firm):
    billing_firm.build()
    helios = billing_firm.draft_of(billing_firm.helios)
    client = billing_firm.accountant.client()
    html = client.get(page(billing_firm.accountant, helios)).content.decode()
    assert 'data-testid="pre-invoice-line"' in html and 'data-testid="line-add"' not in html
    assert 'data-testid="pre-invoice-issue"' not in html
    assert client.post(page(billing_firm.accountant, helios, "discount/"), {"percent": "10"}).status_code == 403
    assert client.post(page(billing_firm.accountant, helios, "issue/")).status_code == 403
    assert billing_firm.draft_of(billing_firm.helios).number is None


def test_preview_is_an_inline_pdf_framed_only_by_our_pages(billing_firm):
    billing_firm.build()
    helios = billing_firm.draft_of(billing_firm.helios)
    response = billing_firm.adv.client().get(page(billing_firm.adv, helios, "preview.pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Security-Policy"] == "frame-ancestors 'self'"
    assert response["X-Frame-Options"] == "SAMEORIGIN"  # the page shows it in a frame
    assert response["Content-Disposition"].startswith("inline")
    assert response.content.startswith(b"%PDF")
    # nothing was saved on the pre-invoice
    assert billing_firm.draft_of(billing_firm.helios).seller == {}
