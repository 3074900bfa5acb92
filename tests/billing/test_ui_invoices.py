"""Pages of issued invoices: list, invoice page, downloads, sending, deposit, payments, credit notes,
overdue, to deposit, the month summary with its FAE list, and the billing settings."""

from __future__ import annotations

import datetime
import hashlib
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from adv.tenancy.context import tenant_context
from billing import services
from billing.models import Invoice, Payment
from clients.models import BillingProfile
from notifications.models import OutboxEmail
from tests.billing.support import ON_BILLING_DAY

pytestmark = pytest.mark.django_db


def url(firm, path: str = "") -> str:
    return f"/t/{firm.tenant.slug}/billing/invoices/{path}"


@pytest.fixture
def helios_invoice(billing_firm) -> Invoice:
    """Helios's October invoice, issued and rendered (25,960 € HT, 31,152 € TTC)."""
    billing_firm.build()
    result = billing_firm.issue([billing_firm.draft_of(billing_firm.helios)])
    return billing_firm.render(result.issued[0])


def reload(firm, invoice: Invoice) -> Invoice:
    with tenant_context(firm.tenant):
        return Invoice.objects.get(pk=invoice.pk)


# --- List ------------------------------------------------------------------------------------------


def test_list_shows_issued_invoices_with_totals_and_filters_by_number(billing_firm, helios_invoice):
    client = billing_firm.adv.client()
    # given a second issued invoice (Nova)
    nova = billing_firm.issue([billing_firm.draft_of(billing_firm.nova)]).issued[0]
    # when the list is opened
    response = client.get(url(billing_firm))
    # then both rows are there, and the pre-invoice of Orion is not
    html = response.content.decode()
    assert response.status_code == 200
    assert f'data-number="{helios_invoice.number}"' in html
    assert f'data-number="{nova.number}"' in html
    assert html.count('data-testid="invoice-row"') == 2
    # when searching by number
    response = client.get(url(billing_firm), {"q": nova.number})
    html = response.content.decode()
    assert html.count('data-testid="invoice-row"') == 1
    assert f'data-number="{nova.number}"' in html
    # totals are those of the filtered set (Nova: 1,500 € HT under reverse charge)
    assert response.context["totals"]["net"] == Decimal("1500.00")


@ON_BILLING_DAY
def test_list_filter_overdue_uses_the_due_date_and_the_balance(billing_firm):
    billing_firm.build()
    late = billing_firm.issue([billing_firm.draft_of(billing_firm.helios)], datetime.date(2026, 10, 20)).issued[0]
    billing_firm.issue([billing_firm.draft_of(billing_firm.nova)])  # due in December
    response = billing_firm.adv.client().get(url(billing_firm), {"status": "overdue"})
    html = response.content.decode()
    assert html.count('data-testid="invoice-row"') == 1
    assert f'data-number="{late.number}"' in html


def test_list_empty_state(billing_firm):
    response = billing_firm.accountant.client().get(url(billing_firm))
    assert response.status_code == 200
    assert 'data-testid="invoices-empty"' in response.content.decode()


def test_list_query_count_does_not_grow_with_rows(billing_firm, helios_invoice):
    client = billing_firm.adv.client()
    client.get(url(billing_firm))  # warm caches (session, navigation)
    with CaptureQueriesContext(connection) as one:
        client.get(url(billing_firm))
    billing_firm.issue([billing_firm.draft_of(billing_firm.nova)])
    with CaptureQueriesContext(connection) as two:
        client.get(url(billing_firm))
    assert len(two) == len(one)
    assert len(one) <= 20


def test_detail_query_count_is_bounded(billing_firm, helios_invoice):
    client = billing_firm.adv.client()
    client.get(url(billing_firm, f"{helios_invoice.pk}/"))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url(billing_firm, f"{helios_invoice.pk}/"))
    assert response.status_code == 200
    # the invoice's own reads, plus its dunning block, its e-invoicing panel and its chat panel
    # (a few queries each, never one per line, payment or message)
    assert len(queries) <= 32


# --- Invoice page and downloads ------------------------------------------------------------------


def test_invoice_page_shows_frozen_data_and_the_contract_test_ids(billing_firm, helios_invoice):
    response = billing_firm.adv.client().get(url(billing_firm, f"{helios_invoice.pk}/"))
    html = response.content.decode()
    assert response.status_code == 200
    for test_id in ("invoice-number", "invoice-pdf", "invoice-xml", "invoice-send", "payment-form", "credit-note-form"):
        assert f'data-testid="{test_id}"' in html, test_id
    assert 'data-testid="invoice-render-status" data-status="done"' in html
    assert helios_invoice.number in html
    assert "Alpha Conseil SAS" in html and "Helios" in html
    assert "factures@helios.example" in html  # recipients shown before sending
    assert "31" in html and "152,00" in html  # total TTC


def test_pending_render_shows_spinner_and_no_download(billing_firm):
    billing_firm.build()
    invoice = billing_firm.issue([billing_firm.draft_of(billing_firm.helios)]).issued[0]
    client = billing_firm.adv.client()
    html = client.get(url(billing_firm, f"{invoice.pk}/")).content.decode()
    assert 'data-status="pending"' in html
    assert 'data-testid="invoice-pdf"' not in html
    assert client.get(url(billing_firm, f"{invoice.pk}/pdf/")).status_code == 404


def test_failed_render_offers_retry_which_sets_pending(billing_firm):
    billing_firm.build()
    invoice = billing_firm.issue([billing_firm.draft_of(billing_firm.helios)]).issued[0]
    with tenant_context(billing_firm.tenant):
        Invoice.objects.filter(pk=invoice.pk).update(render_status="failed", render_error="boom")
    client = billing_firm.adv.client()
    html = client.get(url(billing_firm, f"{invoice.pk}/")).content.decode()
    assert 'data-status="failed"' in html and "boom" in html and "Relancer la production" in html
    response = client.post(url(billing_firm, f"{invoice.pk}/retry/"))
    assert response.status_code == 302
    assert reload(billing_firm, invoice).render_status == "pending"


def test_draft_redirects_to_the_pre_invoice_page(billing_firm):
    billing_firm.build()
    draft = billing_firm.draft_of(billing_firm.orion)
    response = billing_firm.adv.client().get(url(billing_firm, f"{draft.pk}/"))
    assert response.status_code == 302
    assert response["Location"] == f"/t/alpha/billing/pre-invoices/{draft.pk}/"


def test_pdf_and_xml_downloads_are_the_stored_bytes(billing_firm, helios_invoice):
    # the accountant reads
    client = billing_firm.accountant.client()
    pdf = client.get(url(billing_firm, f"{helios_invoice.pk}/pdf/"))
    xml = client.get(url(billing_firm, f"{helios_invoice.pk}/xml/"))
    assert pdf.status_code == 200 and xml.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"] == f'attachment; filename="{helios_invoice.number}.pdf"'
    assert xml["Content-Disposition"] == f'attachment; filename="{helios_invoice.number}.xml"'
    with helios_invoice.pdf_file.open("rb") as handle:
        assert pdf.content == handle.read()
    assert hashlib.sha256(pdf.content).hexdigest() == helios_invoice.pdf_sha256
    assert hashlib.sha256(xml.content).hexdigest() == helios_invoice.xml_sha256


def test_consultant_and_another_firm_cannot_download(billing_firm, helios_invoice, carol):
    assert billing_firm.bob.client().get(url(billing_firm, f"{helios_invoice.pk}/pdf/")).status_code == 403
    assert billing_firm.bob.client().get(url(billing_firm, f"{helios_invoice.pk}/")).status_code == 403
    other = f"/t/{carol.tenant.slug}/billing/invoices/{helios_invoice.pk}/"
    assert carol.client().get(other + "pdf/").status_code == 404
    assert carol.client().get(other).status_code == 404


# --- Actions and roles ---------------------------------------------------------------------------


def test_accountant_sees_no_action_and_posts_get_403(billing_firm, helios_invoice):
    client = billing_firm.accountant.client()
    html = client.get(url(billing_firm, f"{helios_invoice.pk}/")).content.decode()
    assert 'data-testid="payment-form"' not in html
    assert 'data-testid="invoice-send"' not in html
    assert 'data-testid="credit-note-form"' not in html
    for action in ("send/", "payments/", "credit-notes/", "deposit/", "retry/"):
        assert client.post(url(billing_firm, f"{helios_invoice.pk}/{action}")).status_code == 403, action
    assert client.post(url(billing_firm, "bank-import/")).status_code == 403
    assert client.post(url(billing_firm, "settings/"), {}).status_code == 403


def test_send_writes_one_outbox_email_with_the_pdf_and_sets_sent_at(billing_firm, helios_invoice):
    response = billing_firm.adv.client().post(url(billing_firm, f"{helios_invoice.pk}/send/"))
    assert response.status_code == 302
    invoice = reload(billing_firm, helios_invoice)
    assert invoice.sent_at is not None and invoice.status == "sent"
    with tenant_context(billing_firm.tenant):
        emails = list(OutboxEmail.objects.all())
    assert len(emails) == 1
    assert emails[0].to == ["factures@helios.example"]
    assert [a["name"] for a in emails[0].attachments] == [f"{invoice.number}.pdf"]
    assert emails[0].attachments[0]["path"] == invoice.pdf_file.name


def test_send_before_render_is_refused_with_a_message(billing_firm):
    billing_firm.build()
    invoice = billing_firm.issue([billing_firm.draft_of(billing_firm.helios)]).issued[0]
    response = billing_firm.adv.client().post(url(billing_firm, f"{invoice.pk}/send/"), follow=True)
    assert "pas encore prêt" in response.content.decode()
    assert reload(billing_firm, invoice).sent_at is None


def test_platform_client_deposit_from_the_page_and_the_to_deposit_list(billing_firm, helios_invoice):
    with tenant_context(billing_firm.tenant):
        BillingProfile.objects.filter(client=billing_firm.helios).update(
            einvoicing_platform="chorus_pro",
            platform_url="https://chorus-pro.gouv.fr",
            platform_instructions="Déposer avec le code service ACHATS",
        )
    client = billing_firm.adv.client()
    listing = client.get(url(billing_firm, "to-deposit/")).content.decode()
    assert f'data-number="{helios_invoice.number}"' in listing and "code service ACHATS" in listing
    page = client.get(url(billing_firm, f"{helios_invoice.pk}/")).content.decode()
    assert 'data-testid="deposit-form"' in page and "code service ACHATS" in page
    # an empty reference is refused
    response = client.post(url(billing_firm, f"{helios_invoice.pk}/deposit/"), {"reference": " "})
    assert response.status_code == 400
    assert reload(billing_firm, helios_invoice).deposited_at is None
    response = client.post(url(billing_firm, f"{helios_invoice.pk}/deposit/"), {"reference": "CPP-123"})
    assert response.status_code == 302
    invoice = reload(billing_firm, helios_invoice)
    assert invoice.deposit_reference == "CPP-123" and invoice.deposited_at is not None
    listing = client.get(url(billing_firm, "to-deposit/")).content.decode()
    assert f'data-number="{helios_invoice.number}"' not in listing


def test_a_credit_note_is_sent_with_its_own_email_and_deposited_from_its_page(billing_firm, helios_invoice):
    with tenant_context(billing_firm.tenant):
        BillingProfile.objects.filter(client=billing_firm.helios).update(einvoicing_platform="chorus_pro")
        note = services.credit_note_create(
            actor=billing_firm.adv.membership, invoice=helios_invoice, reason="Geste commercial", amount=Decimal("1000")
        )
    note = billing_firm.render(note)
    client = billing_firm.adv.client()
    page = client.get(url(billing_firm, f"{note.pk}/")).content.decode()
    assert 'data-testid="invoice-send"' in page and 'data-testid="deposit-form"' in page
    assert "factures@helios.example" in page
    response = client.post(url(billing_firm, f"{note.pk}/send/"), follow=True)
    assert f"L&#x27;avoir {note.number} est envoyé" in response.content.decode()
    with tenant_context(billing_firm.tenant):
        email = OutboxEmail.objects.get()
    assert email.to == ["factures@helios.example"]
    assert f"avoir {note.number}" in email.subject and helios_invoice.number in email.subject
    assert helios_invoice.number in email.body and "échéance" not in email.body
    assert [a["path"] for a in email.attachments] == [note.pdf_file.name]
    assert reload(billing_firm, note).status == "sent"
    assert f'data-number="{note.number}"' in client.get(url(billing_firm, "to-deposit/")).content.decode()
    assert client.post(url(billing_firm, f"{note.pk}/deposit/"), {"reference": "CPP-AV-1"}).status_code == 302
    assert reload(billing_firm, note).deposit_reference == "CPP-AV-1"
    assert f'data-number="{note.number}"' not in client.get(url(billing_firm, "to-deposit/")).content.decode()


def test_payment_partial_then_full_moves_the_status(billing_firm, helios_invoice):
    client = billing_firm.adv.client()
    post = url(billing_firm, f"{helios_invoice.pk}/payments/")
    data = {"payment-paid_on": "2026-11-20", "payment-method": "transfer", "payment-reference": "VIR 1"}
    assert client.post(post, {**data, "payment-amount": "10000.00"}).status_code == 302
    invoice = reload(billing_firm, helios_invoice)
    assert (invoice.status, invoice.balance) == ("partially_paid", Decimal("21152.00"))
    assert client.post(post, {**data, "payment-amount": "21152.00"}).status_code == 302
    invoice = reload(billing_firm, helios_invoice)
    assert (invoice.status, invoice.balance) == ("paid", Decimal("0.00"))


def test_overpayment_is_refused_with_a_message_and_nothing_recorded(billing_firm, helios_invoice):
    response = billing_firm.adv.client().post(
        url(billing_firm, f"{helios_invoice.pk}/payments/"),
        {"payment-amount": "40000.00", "payment-paid_on": "2026-11-20", "payment-method": "transfer"},
    )
    assert response.status_code == 400
    assert "dépasse le reste dû" in response.content.decode()
    with tenant_context(billing_firm.tenant):
        assert Payment.objects.count() == 0
    assert reload(billing_firm, helios_invoice).status == "issued"


def test_full_credit_note_settles_the_invoice_and_references_it(billing_firm, helios_invoice):
    client = billing_firm.adv.client()
    response = client.post(
        url(billing_firm, f"{helios_invoice.pk}/credit-notes/"), {"credit-scope": "full", "credit-reason": "Erreur"}
    )
    assert response.status_code == 302
    with tenant_context(billing_firm.tenant):
        note = Invoice.objects.get(kind="credit_note")
    assert note.total_gross == Decimal("31152.00")
    assert response["Location"].endswith(f"/{note.pk}/")
    assert reload(billing_firm, helios_invoice).status == "credited"  # settled by the credit note, not paid
    page = client.get(url(billing_firm, f"{note.pk}/")).content.decode()
    assert helios_invoice.number in page and "02/11/2026" in page
    assert 'data-testid="credit-note-origin"' in page
    # the invoice lists its credit note
    assert note.number in client.get(url(billing_firm, f"{helios_invoice.pk}/")).content.decode()


def test_partial_credit_note_needs_an_amount_and_leaves_a_balance(billing_firm, helios_invoice):
    client = billing_firm.adv.client()
    post = url(billing_firm, f"{helios_invoice.pk}/credit-notes/")
    response = client.post(post, {"credit-scope": "partial", "credit-reason": "Remise"})
    assert response.status_code == 400
    response = client.post(post, {"credit-scope": "partial", "credit-amount": "1000", "credit-reason": "Remise"})
    assert response.status_code == 302
    invoice = reload(billing_firm, helios_invoice)
    assert invoice.amount_credited == Decimal("1200.00")
    assert invoice.status == "issued"  # a credit note is not a payment


# --- Overdue, month summary, settings ------------------------------------------------------------


def test_overdue_lists_days_late_balance_and_total(billing_firm):
    billing_firm.build()
    late = billing_firm.issue([billing_firm.draft_of(billing_firm.helios)], datetime.date(2026, 10, 20)).issued[0]
    response = billing_firm.accountant.client().get(url(billing_firm, "overdue/"))
    assert response.status_code == 200
    rows = response.context["invoices"]
    assert [r.number for r in rows] == [late.number]
    assert rows[0].days_late == (datetime.date.today() - late.due_date).days
    assert response.context["total"] == Decimal("31152.00")


def test_month_summary_lists_blocked_pre_invoices_with_reasons(billing_firm):
    billing_firm.build()
    billing_firm.issue([billing_firm.draft_of(billing_firm.helios)])
    response = billing_firm.adv.client().get(url(billing_firm, "month/"), {"month": "2026-10"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Orion Industrie" in html and 'data-readiness="blocked"' in html
    orion = [r for r in response.context["rows"] if r.client == billing_firm.orion.legal_name][0]
    assert orion.reasons and any("Lot 2" in r or "PV" in r or "document" in r.lower() for r in orion.reasons)
    assert response.context["figures"].billed == Decimal("25960.00")
    csv = billing_firm.adv.client().get(url(billing_firm, "month/fae.csv"), {"month": "2026-10"})
    assert csv["Content-Type"].startswith("text/csv")
    assert "Orion Industrie" in csv.content.decode("utf-8-sig")


def test_settings_refuse_a_bad_number_format_and_save_a_good_one(billing_firm):
    client = billing_firm.adv.client()
    page = client.get(url(billing_firm, "settings/"))
    data = {name: page.context["form"].initial[name] for name in page.context["form"].fields}
    bad = client.post(url(billing_firm, "settings/"), {**data, "invoice_number_format": "F{year}"})
    assert bad.status_code == 400 and "{seq}" in bad.content.decode()
    live = client.post(url(billing_firm, "settings/validate/"), {**data, "invoice_number_format": "F{year}"})
    assert 'data-testid="format-error"' in live.content.decode()
    good = client.post(url(billing_firm, "settings/"), {**data, "invoice_number_format": "FA-{yy}-{seq:04d}"})
    assert good.status_code == 302
    from billing import services

    with tenant_context(billing_firm.tenant):
        assert services.policy().invoice_number_format == "FA-{yy}-{seq:04d}"


def test_list_totals_count_credit_notes_against_invoices(billing_firm, helios_invoice):
    client = billing_firm.adv.client()
    client.post(
        url(billing_firm, f"{helios_invoice.pk}/credit-notes/"),
        {"credit-scope": "partial", "credit-amount": "960", "credit-reason": "Remise"},
    )
    response = client.get(url(billing_firm))
    assert response.context["totals"]["net"] == Decimal("25000.00")  # 25,960 - 960
    assert response.context["totals"]["gross"] == Decimal("30000.00")


def test_payment_form_date_is_prefilled_in_iso_for_the_date_input(billing_firm, helios_invoice):
    html = billing_firm.adv.client().get(url(billing_firm, f"{helios_invoice.pk}/")).content.decode()
    assert f'name="payment-paid_on" value="{datetime.date.today().isoformat()}"' in html


def test_render_status_poll_refreshes_the_page_once_the_pdf_is_ready(billing_firm):
    billing_firm.build()
    invoice = billing_firm.issue([billing_firm.draft_of(billing_firm.helios)]).issued[0]
    client = billing_firm.adv.client()
    poll = url(billing_firm, f"{invoice.pk}/render-status/")
    pending = client.get(poll, HTTP_HX_REQUEST="true")
    assert 'data-status="pending"' in pending.content.decode() and "HX-Refresh" not in pending
    billing_firm.render(invoice)
    done = client.get(poll, HTTP_HX_REQUEST="true")
    assert done["HX-Refresh"] == "true"
