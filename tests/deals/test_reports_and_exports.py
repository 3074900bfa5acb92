"""Reports and files: the unsigned-deals report (by owner, by age, amount at stake), the due and
blocked milestones report, the commissions export (only signed deals are commissionable), the
deal's proof of order."""

from __future__ import annotations

import csv
import datetime
import io
import json
import zipfile
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from adv.tenancy.context import tenant_context
from deals import services
from deals.models import DealStatus, DealType
from tests.deals.conftest import age, pdf

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today


def _csv(response) -> list[list[str]]:
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(content), delimiter=";"))


def _staff(alice, deal, consultant, rate, days):
    with tenant_context(alice.tenant):
        services.assignment_create(
            actor=alice.membership, deal=deal, consultant=consultant, daily_rate=Decimal(rate), planned_days=Decimal(days),
            start_date=deal.start_date, end_date=deal.end_date,
        )


def test_the_unsigned_report_groups_by_owner_and_age_with_the_amount_at_stake(alice, bob, contractor, sales, make_member, make_deal):
    # given three provisional deals of two owners, aged 2, 6 and 15 days, and a signed one
    other = make_member("sales", email="zoe.sales@alpha.test")
    young = make_deal(DealStatus.PROVISIONAL, title="Jeune", sales_owner=sales.membership)
    mid = make_deal(DealStatus.PROVISIONAL, title="Moyenne", sales_owner=sales.membership)
    old = make_deal(DealStatus.PROVISIONAL, title="Ancienne", sales_owner=other.membership)
    make_deal(DealStatus.SIGNED, title="Signée")
    age(young, 2), age(mid, 6), age(old, 15)
    _staff(alice, mid, bob.membership, "600.00", "10")  # 6 000
    _staff(alice, mid, contractor.membership, "700.50", "2.5")  # 1 751.25
    _staff(alice, old, bob.membership, "500.00", "20")  # 10 000
    response = alice.client().get(alice.url("deals/reports/unsigned/"))
    summary = response.context["summary"]
    # then three deals, 17 751.25 at stake
    assert (summary.total_count, summary.total_stake) == (3, Decimal("17751.25"))
    assert [(line.label, line.count, line.stake, line.oldest) for line in summary.by_owner] == [
        (str(other.user), 1, Decimal("10000.00"), 15), (str(sales.user), 2, Decimal("7751.25"), 6),
    ]
    assert [(line.key, line.count) for line in summary.by_age] == [("0_6", 2), ("7_13", 0), ("14_29", 1), ("30", 0)]
    html = response.content.decode()
    assert "Signée" not in html and "17 751,25" in html.replace("\u00a0", " ").replace("\u202f", " ")
    # the oldest comes first, with a red badge (escalated after 10 days by default)
    rows = [deal.title for deal in response.context["page"].object_list]
    assert rows == ["Ancienne", "Moyenne", "Jeune"]
    assert 'adv-provisional-overdue" data-testid="provisional-badge"' in html
    assert 'adv-provisional-late" data-testid="provisional-badge"' in html
    # filters: by owner, by age bucket
    by_owner = alice.client().get(alice.url(f"deals/reports/unsigned/?owner={other.membership.pk}")).context["page"].object_list
    assert [d.title for d in by_owner] == ["Ancienne"]
    by_age = alice.client().get(alice.url("deals/reports/unsigned/?age=0_6")).context["page"].object_list
    assert sorted(d.title for d in by_age) == ["Jeune", "Moyenne"]


def test_the_unsigned_report_exports_to_csv_and_xlsx(alice, bob, make_deal, deal_requirements):
    deal = make_deal(DealStatus.PROVISIONAL, title="Renfort DevOps")
    age(deal, 6)
    _staff(alice, deal, bob.membership, "600.00", "10")
    rows = _csv(alice.client().get(alice.url("deals/reports/unsigned/?export=csv")))
    assert rows[0][0] == "Référence" and rows[0][-1] == "Montant en jeu (HT)"
    assert rows[1][0] == deal.reference and rows[1][7] == "6" and rows[1][9] == "Bon de commande" and rows[1][-1] == "6000,00"
    response = alice.client().get(alice.url("deals/reports/unsigned/?export=xlsx"))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    header = [cell.value for cell in sheet[1]]
    assert sheet["A2"].value == deal.reference and sheet.cell(2, header.index("Montant en jeu (HT)") + 1).value == 6000


def test_the_unsigned_report_says_how_often_each_owner_was_chased_and_when_it_was_escalated(alice, sales, manager, make_deal):
    from deals.reminders import chase_unsigned_deals

    chased = make_deal(DealStatus.PROVISIONAL, title="Relancée", sales_owner=sales.membership)
    make_deal(DealStatus.PROVISIONAL, title="Récente", sales_owner=sales.membership)
    age(chased, 12)
    with tenant_context(alice.tenant):
        chase_unsigned_deals()
    response = alice.client().get(alice.url("deals/reports/unsigned/"))
    rows = {d.title: d for d in response.context["page"].object_list}
    assert (rows["Relancée"].chase_count, rows["Récente"].chase_count) == (1, 0)
    assert rows["Relancée"].escalated_at is not None and rows["Récente"].escalated_at is None
    html = response.content.decode()
    assert "relancé 1 fois" in html and "pas encore relancé" in html and "escaladée le" in html
    csv_rows = _csv(alice.client().get(alice.url("deals/reports/unsigned/?export=csv")))
    header = csv_rows[0]
    by_title = {row[1]: row for row in csv_rows[1:]}
    assert by_title["Relancée"][header.index("Relances du commercial")] == "1"
    assert by_title["Relancée"][header.index("Escaladée le")] != "" and by_title["Récente"][header.index("Escaladée le")] == ""


def test_the_commissions_export_marks_only_signed_deals_commissionable(alice, make_deal):
    # given deals in every status
    deals = {status: make_deal(status, title=f"Affaire {status}") for status in DealStatus.values}
    rows = _csv(alice.client().get(alice.url("deals/reports/commissions/?export=csv")))
    header, body = rows[0], rows[1:]
    column = header.index("Commissionnable")
    status_column = header.index("Statut")
    by_reference = {row[0]: row for row in body}
    # then every deal is listed, commissionable exactly when signed (signed, active, closed)
    assert set(by_reference) == {deal.reference for deal in deals.values()}
    for status, deal in deals.items():
        expected = "oui" if status in ("signed", "active", "closed") else "non"
        assert by_reference[deal.reference][column] == expected, status
        assert by_reference[deal.reference][status_column] == DealStatus(status).label
    xlsx = alice.client().get(alice.url("deals/reports/commissions/?export=xlsx"))
    sheet = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    flags = {sheet.cell(r, 1).value: sheet.cell(r, column + 1).value for r in range(2, sheet.max_row + 1)}
    assert flags[deals["provisional"].reference] == "non" and flags[deals["signed"].reference] == "oui"


def test_the_milestone_report_shows_blocked_milestones_with_their_project_manager(alice, pm, manager, make_deal, doc_types):
    deal = make_deal(DealStatus.SIGNED, deal_type=DealType.FIXED_PRICE, ordered_amount=Decimal("30000.00"), project_manager=pm.membership)
    with tenant_context(alice.tenant):
        services.milestone_schedule_replace(actor=alice.membership, deal=deal, items=[
            {"label": "Lot 1", "due_date": TODAY() - datetime.timedelta(days=2), "amount": Decimal("10000.00"),
             "required_document_type": doc_types["pv-recette"]},
            {"label": "Lot 2", "due_date": TODAY() - datetime.timedelta(days=1), "amount": Decimal("10000.00")},
            {"label": "Lot 3", "due_date": TODAY() + datetime.timedelta(days=30), "amount": Decimal("10000.00")},
        ])
    response = alice.client().get(alice.url("deals/reports/milestones/"))
    rows = {m.label: m for m in response.context["page"].object_list}
    assert set(rows) == {"Lot 1", "Lot 2"}  # due ones: blocked and ready; not the planned one
    assert rows["Lot 1"].status == "blocked" and rows["Lot 1"].responsible == pm.membership
    html = response.content.decode()
    assert str(pm.user) in html and str(manager.user) in html
    blocked_only = alice.client().get(alice.url("deals/reports/milestones/?scope=blocked")).context["page"].object_list
    assert [m.label for m in blocked_only] == ["Lot 1"]
    rows = _csv(alice.client().get(alice.url("deals/reports/milestones/?export=csv")))
    assert {row[3] for row in rows[1:]} == {"Lot 1", "Lot 2"}


def test_the_proof_of_order_zips_the_contractual_documents_of_the_deal_with_a_manifest(media, alice, make_deal, doc_types):
    deal = make_deal(DealStatus.PROVISIONAL)
    with tenant_context(alice.tenant):
        services.deal_document_upload(actor=alice.membership, deal=deal, document_type=doc_types["bon-de-commande"], title="BDC 4500012345",
                                      upload=pdf())
        services.deal_document_upload(actor=alice.membership, deal=deal, document_type=doc_types["kbis"], title="K-bis", upload=pdf("kbis.pdf"))
        services.purchase_order_save(actor=alice.membership, deal=deal, number="4500012345", amount=Decimal("50000"))
    response = alice.client().get(alice.url(f"deals/{deal.pk}/proof-of-order/"))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = archive.namelist()
    documents = [n for n in names if "/documents/" in n]
    assert len(documents) == 1 and "BDC 4500012345" in documents[0]  # the K-bis is not contractual
    manifest = json.loads(archive.read(next(n for n in names if n.endswith("manifeste.json"))))
    assert manifest["deal"]["reference"] == deal.reference
    assert manifest["deal"]["purchase_orders"][0]["number"] == "4500012345"
    assert manifest["documents"][0]["versions"][0]["sha256_verified"] is True


def test_a_deal_without_contractual_document_has_no_proof_of_order_yet(alice, make_deal):
    deal = make_deal()
    response = alice.client().get(alice.url(f"deals/{deal.pk}/proof-of-order/"), follow=True)
    assert response.status_code == 200
    assert "Aucun document contractuel" in response.content.decode()


def test_the_commissions_of_a_month_are_the_deals_signed_in_it_by_owner_and_the_export_follows(alice, sales, make_member, make_deal):
    # given deals signed last month and this month by two sales owners, and an unsigned one
    other = make_member("sales", email="zoe.sales@alpha.test")
    this_month = make_deal(DealStatus.SIGNED, title="Ce mois", sales_owner=sales.membership)
    older = make_deal(DealStatus.SIGNED, title="Ancienne", sales_owner=sales.membership)
    make_deal(DealStatus.SIGNED, title="Autre commercial", sales_owner=other.membership)
    make_deal(DealStatus.PROVISIONAL, title="Provisoire", sales_owner=sales.membership)
    from deals.models import Deal

    with tenant_context(alice.tenant):
        Deal.objects.filter(pk=older.pk).update(signed_on=TODAY() - datetime.timedelta(days=60))
    start, end = TODAY() - datetime.timedelta(days=20), TODAY()
    query = f"owner={sales.membership.pk}&signed=yes&signed_from={start}&signed_to={end}"
    # when the commissions are filtered on this owner, signed, over the period
    page = alice.client().get(alice.url(f"deals/reports/commissions/?{query}"))
    # then only this month's signed deal of this owner is listed, and the export says the same
    assert [d.title for d in page.context["page"].object_list] == ["Ce mois"]
    assert "?{}&amp;export=csv".format(query.replace("&", "&amp;")) in page.content.decode()
    rows = _csv(alice.client().get(alice.url(f"deals/reports/commissions/?{query}&export=csv")))
    assert [row[0] for row in rows[1:]] == [this_month.reference]
    # the unsigned ones are one click away, never commissionable
    unsigned = alice.client().get(alice.url("deals/reports/commissions/?signed=no")).context["page"].object_list
    assert [d.title for d in unsigned] == ["Provisoire"] and not unsigned[0].is_commissionable
    # a period that ends before it starts is said so, not silently ignored
    bad = alice.client().get(alice.url(f"deals/reports/commissions/?signed_from={end}&signed_to={start}")).content.decode()
    assert "La fin de la période doit suivre son début." in bad


def test_a_deal_titled_like_a_formula_is_exported_inert(alice, make_deal):
    make_deal(DealStatus.PROVISIONAL, title="@SUM(1+1)")

    rows = _csv(alice.client().get(alice.url("deals/reports/unsigned/?export=csv")))
    assert rows[1][1] == "'@SUM(1+1)"

    response = alice.client().get(alice.url("deals/reports/unsigned/?export=xlsx"))
    cell = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active["B2"]
    assert cell.value == "@SUM(1+1)" and cell.data_type == "s"
