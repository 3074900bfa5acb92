"""Every formula of reporting against figures computed by hand on a small firm."""

from __future__ import annotations

from decimal import Decimal

import pytest

from adv.months import Month
from adv.tenancy.context import tenant_context
from billing.models import InvoiceKind, InvoiceStatus, LineKind
from deals.models import Assignment, Milestone
from reporting import selectors
from reporting.errors import PeriodInvalid
from reporting.periods import Period, period_of
from reporting.selectors import Filters
from tests.reporting.support import D, time_line

pytestmark = pytest.mark.django_db
ALL = Filters()


def period(first: str, last: str) -> Period:
    return Period(Month.parse(first), Month.parse(last))


# --- Periods -------------------------------------------------------------------------------------


def test_periods_month_quarter_year_rolling_and_range():
    today = D(2026, 5, 12)
    assert period_of({}, today) == Period(Month(2025, 6), Month(2026, 5), "rolling12")
    assert period_of({"period": "quarter", "quarter": "2026-Q3"}, today) == Period(Month(2026, 7), Month(2026, 9), "quarter")
    assert period_of({"period": "year", "year": "2025"}, today) == Period(Month(2025, 1), Month(2025, 12), "year")
    assert period_of({"period": "month", "month": "2026-02"}, today).end == D(2026, 2, 28)
    assert period_of({"period": "range", "start": "2021-06", "end": "2026-05"}, today).months()[0] == Month(2021, 6)


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"period": "range", "start": "2026-05", "end": "2026-04"}, "period_inverted"),
        ({"period": "range", "start": "2021-05", "end": "2026-05"}, "period_too_long"),  # 61 months
        ({"period": "quarter", "quarter": "2026-Q5"}, "invalid_period"),
        ({"period": "decade"}, "invalid_period"),
    ],
)
def test_an_inverted_or_over_five_years_range_is_refused_clearly(params, code):
    with pytest.raises(PeriodInvalid) as caught:
        period_of(params, D(2026, 5, 12))
    assert caught.value.code == code and caught.value.message


# --- Revenue -------------------------------------------------------------------------------------


def test_revenue_per_month_net_of_credit_notes_by_deal_type_against_the_previous_year(firm):
    tm = firm.deal("TM", firm.helios, "t_and_m")
    fp = firm.deal("FP", firm.orion, "fixed_price")
    jan = firm.invoice(tm, D(2026, 1, 1), "1000.00", issue=D(2026, 2, 2))
    firm.invoice(fp, D(2026, 1, 1), "5000.00", issue=D(2026, 2, 3))
    firm.invoice(tm, D(2026, 2, 1), "2000.00", issue=D(2026, 3, 2))
    firm.credit(jan, "300.00", D(2026, 2, 20))  # January's credit note counts in January
    firm.invoice(tm, D(2025, 1, 1), "800.00", issue=D(2025, 2, 3))  # the previous year
    firm.invoice(tm, D(2026, 1, 1), "999.00")  # a pre-invoice: not revenue
    with tenant_context(firm.tenant):
        report = selectors.revenue(firm.alice.membership, period("2026-01", "2026-02"), ALL)
    jan_row, feb_row = report.months
    assert jan_row.by_type == {"t_and_m": Decimal("700.00"), "fixed_price": Decimal("5000.00")}
    assert jan_row.total == Decimal("5700.00") and jan_row.previous_year == Decimal("800.00")
    assert jan_row.versus_previous == Decimal("612.5")  # (5700 − 800) / 800
    assert feb_row.total == Decimal("2000.00") and feb_row.previous_year == 0 and feb_row.versus_previous is None
    assert report.total == Decimal("7700.00")
    with tenant_context(firm.tenant):
        only_fp = selectors.revenue(firm.alice.membership, period("2026-01", "2026-02"), Filters(deal_type="fixed_price"))
    assert only_fp.total == Decimal("5000.00") and only_fp.types == ["fixed_price"]


def test_expected_comes_from_billing_stored_months_and_is_hidden_when_narrowed(firm):
    from billing.models import MonthExpected

    with tenant_context(firm.tenant):
        MonthExpected.objects.create(month=D(2026, 1, 1), expected_time=Decimal("100"), expected_milestones=Decimal("20"),
                                     expected_subscriptions=Decimal("3"), computed_at="2026-02-01T00:00Z")
        report = selectors.revenue(firm.alice.membership, period("2026-01", "2026-02"), ALL)
        fp = selectors.revenue(firm.alice.membership, period("2026-01", "2026-02"), Filters(deal_type="fixed_price"))
        narrowed = selectors.revenue(firm.alice.membership, period("2026-01", "2026-02"), Filters(client=firm.helios.pk))
        sales = selectors.revenue(firm.sales.membership, period("2026-01", "2026-02"), ALL)
    assert report.months[0].expected == Decimal("123") and report.missing_expected == [D(2026, 2, 1)]
    assert fp.months[0].expected == Decimal("20")
    assert not narrowed.expected_shown and not sales.expected_shown


# --- FAE and PCA ---------------------------------------------------------------------------------


def test_fae_at_a_month_end_is_what_was_delivered_and_not_invoiced_then_with_reason_age_and_person(firm):
    tm = firm.deal("TM", firm.helios, "t_and_m")
    with tenant_context(firm.tenant):
        type(tm).objects.filter(pk=tm.pk).update(adv_owner=firm.alice.membership)
    draft = firm.invoice(tm, D(2026, 1, 1), "1000.00", readiness="blocked",
                         checks=[{"code": "missing_po", "level": "blocked", "message": "Bon de commande manquant"}])
    late = firm.invoice(tm, D(2026, 1, 1), "400.00", issue=D(2026, 2, 3))
    firm.invoice(tm, D(2026, 1, 1), "250.00", issue=D(2026, 1, 31))  # issued by the month end: not FAE
    with tenant_context(firm.tenant):
        jan_rows, jan_total = selectors.fae_rows(firm.alice.membership, D(2026, 1, 1), ALL)
        feb_rows, feb_total = selectors.fae_rows(firm.alice.membership, D(2026, 2, 1), ALL)
        report = selectors.accruals(firm.alice.membership, period("2026-01", "2026-02"), ALL)
    assert jan_total == Decimal("1400.00") and {r.invoice_id for r in jan_rows} == {draft.pk, late.pk}
    blocked = next(r for r in jan_rows if r.invoice_id == draft.pk)
    assert blocked.reason == "Bon de commande manquant" and blocked.age_days == 0 and blocked.responsible == "Alice Test" or blocked.responsible.startswith("Alice")
    assert next(r for r in jan_rows if r.invoice_id == late.pk).reason.startswith("Émise le 03/02/2026")
    assert feb_total == Decimal("1000.00") and feb_rows[0].age_days == 28  # 28 February − 31 January
    assert [(p.fae) for p in report.evolution] == [Decimal("1400.00"), Decimal("1000.00")]


def test_a_due_milestone_without_pre_invoice_is_fae(firm):
    fp = firm.deal("FP", firm.orion, "fixed_price")
    with tenant_context(firm.tenant):
        Milestone.objects.create(deal=fp, label="Lot 1", amount=Decimal("3000.00"), due_date=D(2026, 1, 20), status="due")
        rows, total = selectors.fae_rows(firm.alice.membership, D(2026, 1, 1), ALL)
    assert total == Decimal("3000.00") and rows[0].age_days == 11 and "Lot 1" in rows[0].reason


def test_pca_prorates_periods_invoiced_ahead_and_counts_milestones_invoiced_before_they_fall_due(firm):
    sub = firm.deal("SUB", firm.helios, "subscription")
    fp = firm.deal("FP", firm.orion, "fixed_price")
    with tenant_context(firm.tenant):
        milestone = Milestone.objects.create(deal=fp, label="Lot 2", amount=Decimal("2000.00"), due_date=D(2026, 3, 15))
    # a quarter (1 January – 31 March: 90 days) invoiced in advance on 5 January: 900.00
    firm.invoice(sub, D(2026, 1, 1), "900.00", issue=D(2026, 1, 5), lines=[{
        "kind": LineKind.SUBSCRIPTION, "quantity": 1, "unit_price": Decimal("900"), "net_amount": Decimal("900.00"),
        "period_start": D(2026, 1, 1), "period_end": D(2026, 3, 31)}])
    firm.invoice(fp, D(2026, 1, 1), "2000.00", issue=D(2026, 1, 10), lines=[{
        "kind": LineKind.MILESTONE, "quantity": 1, "unit_price": Decimal("2000"), "net_amount": Decimal("2000.00"),
        "milestone": milestone}])
    with tenant_context(firm.tenant):
        report = selectors.accruals(firm.alice.membership, period("2026-01", "2026-03"), ALL)
    # 31 January: 59 of 90 days ahead → 900 × 59 / 90 = 590.00; the milestone due 15 March: 2000
    assert report.pca_total == Decimal("0.00") + Decimal("0")  # at the period's last month end (31 March)
    assert [p.pca for p in report.evolution] == [Decimal("2590.00"), Decimal("2310.00"), Decimal("0.00")]
    with tenant_context(firm.tenant):
        january = selectors.accruals(firm.alice.membership, period("2026-01", "2026-03"), ALL, at_month=D(2026, 1, 1))
    assert january.pca_total == Decimal("2590.00")
    reasons = sorted(r.reason for r in january.pca_rows)
    assert reasons[0].startswith("Abonnement facturé d'avance jusqu'au 31/03/2026")
    assert reasons[1].startswith("Échéance facturée avant son terme")
    assert {r.age_days for r in january.pca_rows} == {26, 21}  # days since each issue date


# --- Receivables ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days_late", "bucket"),
    [(-5, "not_due"), (0, "not_due"), (1, "late_1_30"), (30, "late_1_30"), (31, "late_31_60"), (60, "late_31_60"),
     (61, "late_61_90"), (90, "late_61_90"), (91, "late_over_90")],
)
def test_aged_balance_buckets_on_their_boundary_days(firm, days_late, bucket):
    import datetime

    tm = firm.deal("TM", firm.helios, "t_and_m")
    at = D(2026, 6, 30)
    firm.invoice(tm, D(2026, 1, 1), "100.00", issue=D(2026, 1, 2), due=at - datetime.timedelta(days=days_late))
    with tenant_context(firm.tenant):
        buckets, clients, _n = selectors.aged_balance(firm.alice.membership, ALL, at)
    assert buckets[bucket] == Decimal("120.00")
    assert sum(buckets.values()) == Decimal("120.00") and clients[0].client == "Helios"


def test_outstanding_at_a_past_date_counts_only_the_payments_and_credit_notes_made_by_then(firm):
    tm = firm.deal("TM", firm.helios, "t_and_m")
    invoice = firm.invoice(tm, D(2026, 1, 1), "1000.00", issue=D(2026, 2, 2), due=D(2026, 3, 4))  # 1200 TTC
    firm.pay(invoice, "200.00", D(2026, 3, 10))
    firm.credit(invoice, "100.00", D(2026, 4, 2))  # 120 TTC
    with tenant_context(firm.tenant):
        march, _c, _n = selectors.aged_balance(firm.alice.membership, ALL, D(2026, 3, 31))
        april, _c, _n = selectors.aged_balance(firm.alice.membership, ALL, D(2026, 4, 30))
        february, _c, _n = selectors.aged_balance(firm.alice.membership, ALL, D(2026, 2, 28))
    assert march["late_1_30"] == Decimal("1000.00")  # 27 days late, 1200 − 200
    assert april["late_31_60"] == Decimal("880.00")  # 57 days late, − the credit note
    assert february["not_due"] == Decimal("1200.00")


def test_dso_by_the_countback_method():
    # receivables 400; December sales 300 (31 days), November 200: 31 + 30 × 100 / 200 = 46
    assert selectors.countback(Decimal("400"), [(31, Decimal("300")), (30, Decimal("200")), (31, Decimal("100"))]) == Decimal("46.0")
    assert selectors.countback(Decimal("0"), [(31, Decimal("300"))]) == Decimal("0.0")
    # a month with no sales counts whole
    assert selectors.countback(Decimal("50"), [(31, Decimal("0")), (30, Decimal("100"))]) == Decimal("46.0")


def test_dso_at_each_month_end_from_the_invoices_and_payments(firm):
    tm = firm.deal("TM", firm.helios, "t_and_m")
    october = firm.invoice(tm, D(2025, 10, 1), "100.00", issue=D(2025, 10, 15), due=D(2025, 11, 14), vat="0")
    firm.invoice(tm, D(2025, 11, 1), "200.00", issue=D(2025, 11, 15), due=D(2025, 12, 15), vat="0")
    firm.invoice(tm, D(2025, 12, 1), "300.00", issue=D(2025, 12, 15), due=D(2026, 1, 14), vat="0")
    firm.pay(october, None, D(2025, 11, 10))  # paid: the receivables at 31 December are 500
    with tenant_context(firm.tenant):
        dso = dict(selectors.dso_by_month(firm.alice.membership, ALL, period("2025-12", "2025-12")))
    # 500 − December's 300 = 200 = November's sales: 31 + 30
    assert dso[D(2025, 12, 31)] == Decimal("61.0")


def test_payment_delay_per_client_average_and_median_and_its_trend(firm):
    tm = firm.deal("TM", firm.helios, "t_and_m")
    for due, paid in ((D(2026, 1, 10), D(2026, 1, 20)), (D(2026, 1, 10), D(2026, 1, 5)), (D(2026, 1, 10), D(2026, 2, 9))):
        invoice = firm.invoice(tm, D(2025, 12, 1), "100.00", issue=D(2025, 12, 31), due=due)
        firm.pay(invoice, "50.00", paid - __import__("datetime").timedelta(days=1))
        firm.pay(invoice, "70.00", paid)  # the payment that settles it counts
    open_one = firm.invoice(tm, D(2025, 12, 1), "100.00", issue=D(2025, 12, 31), due=D(2026, 1, 10))
    firm.pay(open_one, "10.00", D(2026, 1, 30))  # not settled: not counted
    with tenant_context(firm.tenant):
        report = selectors.receivables(firm.alice.membership, period("2026-01", "2026-02"), ALL, D(2026, 3, 1))
    (helios,) = report.delays
    assert (helios.invoices, helios.average, helios.median) == (3, Decimal("11.7"), Decimal("10.0"))  # 10, −5, 30
    assert report.delay_trend == [(D(2026, 1, 1), Decimal("2.5"), 2), (D(2026, 2, 1), Decimal("30.0"), 1)]


def test_collection_forecast_by_week_of_due_date_with_what_is_late_in_the_first_week(firm):
    tm = firm.deal("TM", firm.helios, "t_and_m")
    today = D(2026, 3, 4)  # a Wednesday: the first week starts on Monday 2 March
    firm.invoice(tm, D(2026, 1, 1), "100.00", issue=D(2026, 1, 5), due=D(2026, 2, 4))  # late
    firm.invoice(tm, D(2026, 2, 1), "200.00", issue=D(2026, 2, 5), due=D(2026, 3, 8))  # Sunday, first week
    firm.invoice(tm, D(2026, 2, 1), "300.00", issue=D(2026, 2, 5), due=D(2026, 3, 9))  # second week
    firm.invoice(tm, D(2026, 2, 1), "400.00", issue=D(2026, 2, 5), due=D(2026, 9, 9))  # later
    with tenant_context(firm.tenant):
        weeks, later = selectors.receivables.__wrapped__ if False else (None, None)
        from reporting.selectors.receivables import collection_forecast

        weeks, later = collection_forecast(firm.alice.membership, ALL, today)
    assert weeks[0] == (D(2026, 3, 2), Decimal("360.00"))
    assert weeks[1] == (D(2026, 3, 9), Decimal("360.00"))
    assert later == Decimal("480.00") and len(weeks) == 12


# --- Close ---------------------------------------------------------------------------------------


def test_close_median_delay_and_share_issued_by_the_third_french_working_day(firm):
    tm = firm.deal("TM", firm.helios, "t_and_m")
    # January 2026 ends on a Saturday: working days 2, 3, 4 February → the 3rd is 4 February
    for issue in (D(2026, 2, 2), D(2026, 2, 4), D(2026, 2, 5)):
        firm.invoice(tm, D(2026, 1, 1), "100.00", issue=issue)
    # April 2026: 1 May (Friday) is a public holiday → 4, 5, 6 May; issued on 6 May is on time
    firm.invoice(tm, D(2026, 4, 1), "100.00", issue=D(2026, 5, 6))
    firm.invoice(tm, D(2026, 4, 1), "100.00", readiness="blocked",
                 checks=[{"code": "missing_reception_number", "level": "blocked", "message": "x"}])
    with tenant_context(firm.tenant):
        report = selectors.close(firm.alice.membership, period("2026-01", "2026-04"), ALL)
    january, _feb, _mar, april = report.months
    assert january.deadline == D(2026, 2, 4) and april.deadline == D(2026, 5, 6)
    assert (january.issued, january.median_days, january.by_target, january.on_time_percent) == (3, Decimal("4.0"), 2, Decimal("66.7"))
    assert april.by_target == 1 and april.median_days == Decimal("6.0")
    assert report.on_time_percent == Decimal("75.0") and report.median_days == Decimal("4.5")
    assert report.blocked == {"missing_reception_number": {D(2026, 4, 1): 1}}


# --- Top clients and deals, margins, scope -------------------------------------------------------


def test_top_by_revenue_and_margin_with_contractors_purchase_rates(firm):
    from tests.reporting.support import member

    tm = firm.deal("TM", firm.helios, "t_and_m")
    other = firm.deal("OT", firm.orion, "t_and_m", owner=firm.alice)
    contractor = member(firm.tenant, "consultant", "Cora", is_contractor=True)
    employee = member(firm.tenant, "consultant", "Emil")
    with tenant_context(firm.tenant):
        a1 = Assignment.objects.create(deal=tm, consultant=contractor.membership, daily_rate=Decimal("700"),
                                       purchase_daily_rate=Decimal("500"), start_date=D(2026, 1, 1))
        a2 = Assignment.objects.create(deal=other, consultant=employee.membership, daily_rate=Decimal("600"), start_date=D(2026, 1, 1))
    firm.invoice(tm, D(2026, 1, 1), "7000.00", issue=D(2026, 2, 2), lines=[time_line(a1, "10", "700")])
    firm.invoice(other, D(2026, 1, 1), "9000.00", issue=D(2026, 2, 2), lines=[time_line(a2, "15", "600")])
    with tenant_context(firm.tenant):
        admin = selectors.top_deals(firm.alice.membership, period("2026-01", "2026-01"), ALL, with_margin=True)
        by_margin = selectors.top_clients(firm.alice.membership, period("2026-01", "2026-01"), ALL, with_margin=True, order="margin")
        sales = selectors.top_deals(firm.sales.membership, period("2026-01", "2026-01"), ALL, with_margin=False)
    assert [(r.label, r.revenue, r.cost, r.margin) for r in admin] == [
        ("AFF-OT OT", Decimal("9000.00"), Decimal("0.00"), Decimal("9000.00")),
        ("AFF-TM TM", Decimal("7000.00"), Decimal("5000.00"), Decimal("2000.00")),
    ]
    assert by_margin[0].label == "Orion" and by_margin[1].margin_rate == Decimal("28.6")
    # the salesperson sees their own deal only, and no purchase cost
    assert [(r.label, r.cost) for r in sales] == [("AFF-TM TM", None)]


def test_a_manager_reads_the_deals_staffing_their_team_and_a_consultant_reads_nothing(firm):
    from adv.tenancy.errors import PermissionDenied
    from tests.reporting.support import member

    tm = firm.deal("TM", firm.helios, "t_and_m")
    firm.deal("OT", firm.orion, "t_and_m")
    report_to = member(firm.tenant, "consultant", "Tim", reports_to=firm.manager.membership)
    with tenant_context(firm.tenant):
        Assignment.objects.create(deal=tm, consultant=report_to.membership, daily_rate=Decimal("500"), start_date=D(2026, 1, 1))
    firm.invoice(tm, D(2026, 1, 1), "100.00", issue=D(2026, 2, 2))
    firm.invoice(firm.deals["OT"], D(2026, 1, 1), "900.00", issue=D(2026, 2, 2))
    with tenant_context(firm.tenant):
        seen = selectors.revenue(firm.manager.membership, period("2026-01", "2026-01"), ALL).total
        with pytest.raises(PermissionDenied):
            selectors.revenue(report_to.membership, period("2026-01", "2026-01"), ALL)
    assert seen == Decimal("100.00")


def test_statuses_are_the_billing_ones():
    assert InvoiceKind.CREDIT_NOTE == "credit_note" and InvoiceStatus.PAID == "paid"
