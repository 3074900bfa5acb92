"""Issue 3 in a browser: the ADV opens a client whose K-bis is missing, drops a fresh K-bis in the
Documents tab, and the expected-documents checklist turns it green without a page reload."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from adv.demo_logins import DEMO_TENANT_SLUG
from adv.tenancy.context import tenant_context
from adv.tenancy.models import Membership, Tenant
from clients import services
from tests.e2e.browser import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ADV = "adv@demo.adv.test"


def kbis_pdf() -> bytes:
    """A small one-page PDF, made here (WeasyPrint), like a downloaded K-bis extract."""
    from weasyprint import HTML

    return HTML(string="<h1>Extrait K-bis</h1><p>Orion Conseil SAS, RCS Paris 552 081 317.</p>").write_pdf()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    settings.CLAMAV_ADDRESS = ""
    return tmp_path


@pytest.fixture
def client_without_kbis(demo_firm):
    """A new client of the demo firm (status "client"): nothing filed yet, so its K-bis is missing."""
    tenant = Tenant.objects.get(slug=DEMO_TENANT_SLUG)
    with tenant_context(tenant):
        adv = Membership.objects.get(user__email=ADV)
        return services.client_create(actor=adv, legal_name="Orion Conseil SAS", status="client", adv_owner=adv)


def test_adv_uploads_a_kbis_and_the_checklist_turns_it_green(live_server, page, media, client_without_kbis, tmp_path):
    # given the ADV of the demo firm, logged in
    login(page, live_server.url)

    # when she opens the client's expected documents: the K-bis is not there
    page.goto(f"{live_server.url}/t/{DEMO_TENANT_SLUG}/clients/{client_without_kbis.pk}/")
    expect(page.get_by_test_id("client-name")).to_have_text("Orion Conseil SAS")
    page.locator("#tab-checklist").click()
    kbis = page.get_by_test_id("checklist-item").and_(page.locator("[data-type=kbis]"))
    expect(kbis).to_have_count(1)
    expect(kbis).to_have_attribute("data-status", re.compile(r"^(missing|expired)$"))

    # and drops a K-bis of today in the Documents tab
    page.locator("#tab-documents").click()
    pdf = tmp_path / "extrait-orion.pdf"
    pdf.write_bytes(kbis_pdf())
    page.get_by_test_id("upload-input").set_input_files(str(pdf))
    item = page.get_by_test_id("upload-item")
    expect(item).to_have_count(1)
    item.get_by_label("Type").select_option(label="K-bis")
    item.get_by_label("Titre").fill("K-bis Orion Conseil")
    item.get_by_label("Signé / émis le").fill(timezone.localdate().isoformat())
    page.get_by_test_id("upload-send").click()
    expect(item).to_have_attribute("data-state", "done")

    # then the K-bis line of the checklist is green, with the new document
    page.locator("#tab-checklist").click()
    expect(kbis).to_have_attribute("data-status", "present")
    expect(kbis).to_contain_text("K-bis Orion Conseil")
    expect(kbis.locator(".bi-check-circle-fill")).to_be_visible()
