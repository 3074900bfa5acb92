"""Situation 2 in a browser: the ADV validates a deal provisionally, staffs a consultant, finds
the deal in the unsigned-deals report, uploads the signed purchase order on the deal and signs it."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DEAL_TITLE = "Accompagnement refonte éditoriale"  # a draft T&M deal of the demo firm (Éditions du Quai)


def signed_purchase_order_pdf() -> bytes:
    """A small one-page PDF, made here (WeasyPrint), like a scanned signed purchase order."""
    from weasyprint import HTML

    return HTML(string="<h1>Bon de commande n° EDQ-2026-014</h1><p>Bon pour accord, signé par Mathilde Rousseau.</p>").write_pdf()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    settings.CLAMAV_ADDRESS = ""
    return tmp_path


def test_adv_validates_provisionally_staffs_finds_it_unsigned_uploads_the_order_and_signs(live_server, page, media, demo_firm, tmp_path):
    page.on("dialog", lambda dialog: dialog.accept())  # "Valider provisoirement… ?"

    # given the ADV of the demo firm, logged in
    login(page, live_server.url)

    # when she opens the draft deal from the deal list
    page.get_by_test_id("nav-deals").click()
    page.get_by_role("searchbox").fill("refonte éditoriale")
    row = page.get_by_test_id("deal-row").filter(has_text=DEAL_TITLE)
    expect(row).to_have_count(1)
    row.get_by_test_id("deal-link").click()
    expect(page.get_by_test_id("deal-title")).to_have_text(DEAL_TITLE)
    reference = page.get_by_test_id("deal-reference").inner_text()
    expect(page.get_by_test_id("deal-status")).to_have_text("Brouillon")

    # and validates it provisionally: it is flagged, with what is missing
    page.get_by_test_id("deal-validate").click()
    expect(page.get_by_test_id("deal-status")).to_have_text("Validée provisoirement")
    banner = page.get_by_test_id("provisional-banner")
    expect(banner).to_contain_text("Bon de commande")
    expect(page.get_by_test_id("provisional-badge")).to_contain_text("provisoire depuis aujourd'hui")

    # and staffs a consultant at 650 € a day for 20 days
    page.get_by_test_id("assignment-new").click()
    consultant = page.get_by_role("combobox", name="Consultant")
    consultant.click()
    consultant.press_sequentially("Camille", delay=40)
    page.locator("#id_consultant_listbox").get_by_role("option", name=re.compile("Camille Durand")).click()
    expect(consultant).to_have_value(re.compile("Camille Durand"))
    page.get_by_label("TJM de vente (HT)").fill("650")
    page.get_by_label("Jours prévus").fill("20")
    page.get_by_test_id("assignment-form-submit").click()
    staffed = page.get_by_test_id("assignment-row").filter(has_text="Camille Durand")
    expect(staffed).to_have_count(1)
    expect(staffed.get_by_test_id("sale-rate")).to_contain_text("650,00")

    # then the deal is in the unsigned-deals report, with 13 000 € at stake
    page.get_by_test_id("nav-deals-unsigned").click()
    unsigned = page.get_by_test_id("unsigned-row").filter(has_text=reference)
    expect(unsigned).to_have_count(1)
    expect(unsigned.get_by_test_id("stake")).to_contain_text(re.compile(r"13\s000,00"))
    expect(unsigned).to_contain_text("Bon de commande")

    # when she uploads the signed purchase order on the deal (Documents tab)
    unsigned.get_by_role("link", name=DEAL_TITLE).click()
    page.get_by_test_id("tab-documents").click()
    order = tmp_path / "bon-de-commande-signe.pdf"
    order.write_bytes(signed_purchase_order_pdf())
    upload = page.get_by_test_id("deal-upload")
    upload.locator("input[type=file]").set_input_files(str(order))
    upload.get_by_label("Type").select_option(label="Bon de commande")
    upload.get_by_label("Titre").fill("Bon de commande EDQ-2026-014 signé")
    page.get_by_test_id("deal-upload-submit").click()
    expect(page.get_by_test_id("deal-document-row").filter(has_text="Bon de commande EDQ-2026-014 signé")).to_have_count(1)
    expect(page.get_by_test_id("signature-checklist")).to_contain_text("Tous les documents requis sont rattachés")

    # and signs it: nothing is missing any more, no reason is asked
    page.get_by_test_id("deal-sign").click()
    expect(page.get_by_test_id("sign-complete")).to_be_visible()
    expect(page.locator("textarea[name=override_reason]")).to_have_count(0)
    page.get_by_label("Signataire (côté client)").select_option(label="Mathilde Rousseau – Directrice numérique")
    page.get_by_test_id("sign-submit").click()

    # then the deal is signed, no longer provisional, and gone from the unsigned report
    expect(page.get_by_test_id("deal-status")).to_have_text("Signée")
    expect(page.get_by_test_id("provisional-banner")).to_have_count(0)
    # with the uploaded purchase order recorded as the proof of the order
    expect(page.get_by_test_id("signature-proofs")).to_contain_text("Bon de commande EDQ-2026-014 signé")
    page.get_by_test_id("nav-deals-unsigned").click()
    expect(page.get_by_test_id("unsigned-row").filter(has_text=reference)).to_have_count(0)
