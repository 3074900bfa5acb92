"""Every file of the deals app is guarded against formula injection (adv/exports.py): the
unsigned-deals report, the milestones report, the commissions export (CSV and XLSX) and the
manifest of a deal's proof of order, downloaded as a user does."""

from __future__ import annotations

import datetime
import io
import zipfile
from decimal import Decimal

import pytest

from adv.tenancy.context import tenant_context
from clients import services as client_services
from deals import services
from deals.models import DealStatus, DealType
from tests.deals.conftest import age, pdf
from tests.export_guard import PAYLOADS, assert_csv_inert, assert_xlsx_inert, body

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today
HOSTILE_CLIENT = PAYLOADS[0]


@pytest.fixture
def hostile_client(alice, sales):
    with tenant_context(alice.tenant):
        return client_services.client_create(
            actor=alice.membership, legal_name=HOSTILE_CLIENT, status="client", owner=sales.membership
        )


def _download(alice, path: str, fmt: str) -> bytes:
    return body(alice.client().get(alice.url(f"{path}?export={fmt}")))


def test_the_unsigned_deals_report_is_inert(alice, make_deal, hostile_client):
    for payload in PAYLOADS:
        age(make_deal(DealStatus.PROVISIONAL, title=payload, client=hostile_client), 3)

    assert_csv_inert(_download(alice, "deals/reports/unsigned/", "csv"), PAYLOADS)
    assert_xlsx_inert(_download(alice, "deals/reports/unsigned/", "xlsx"), PAYLOADS)


def test_the_milestones_report_is_inert_and_its_amounts_stay_numbers(alice, pm, make_deal, hostile_client):
    deal = make_deal(
        DealStatus.SIGNED, deal_type=DealType.FIXED_PRICE, ordered_amount=Decimal("50000.00"),
        project_manager=pm.membership, client=hostile_client,
    )
    with tenant_context(alice.tenant):
        services.milestone_schedule_replace(actor=alice.membership, deal=deal, items=[
            {"label": payload, "due_date": TODAY() - datetime.timedelta(days=1 + i), "amount": Decimal("10000.00")}
            for i, payload in enumerate(PAYLOADS)
        ])

    cells = assert_csv_inert(_download(alice, "deals/reports/milestones/", "csv"), PAYLOADS)
    assert "10000,00" in cells
    sheet = assert_xlsx_inert(_download(alice, "deals/reports/milestones/", "xlsx"), PAYLOADS).active
    header = [cell.value for cell in sheet[1]]
    assert sheet.cell(2, header.index("Montant (HT)") + 1).value == 10000


def test_the_commissions_export_is_inert(alice, make_deal, hostile_client):
    for payload in PAYLOADS:
        make_deal(DealStatus.SIGNED, title=payload, client=hostile_client)

    assert_csv_inert(_download(alice, "deals/reports/commissions/", "csv"), PAYLOADS)
    assert_xlsx_inert(_download(alice, "deals/reports/commissions/", "xlsx"), PAYLOADS)


def test_the_manifest_of_a_deals_proof_of_order_is_inert(media, alice, make_deal, doc_types):
    deal = make_deal(DealStatus.PROVISIONAL)
    with tenant_context(alice.tenant):
        for index, payload in enumerate(PAYLOADS):
            services.deal_document_upload(
                actor=alice.membership, deal=deal, document_type=doc_types["bon-de-commande"], title=payload,
                upload=pdf(f"bdc-{index}.pdf"),
            )

    archive = zipfile.ZipFile(io.BytesIO(body(alice.client().get(alice.url(f"deals/{deal.pk}/proof-of-order/")))))
    manifest = next(name for name in archive.namelist() if name.endswith("manifeste.csv"))
    # a document's title is stripped when saved: "\tx" is stored as "x", harmless already
    assert_csv_inert(archive.read(manifest), [payload for payload in PAYLOADS if payload == payload.strip()])
