"""The cockpit and the FAE page at month-end size: server-side pages that keep the filters, "select
all ready" covering every page, a constant number of queries, and the month's expected figures
stored, refreshed by events rather than recomputed by every view."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from adv.celery import app as celery_app
from adv.tenancy.context import tenant_context
from billing import figures, jobs, selectors, services
from billing.models import BillingJob, Invoice, MonthExpected
from deals.models import Deal, Milestone
from deals.signals import deal_billing_changed
from tests.billing.support import OCTOBER
from timesheets.models import Timesheet

pytestmark = pytest.mark.django_db

MONTH = "?month=2026-10"


def _get(persona, path: str):
    return persona.client().get(persona.url(path))


def _rows(html: str) -> list[tuple[str, str]]:
    return re.findall(r'data-testid="cockpit-row" data-readiness="(\w+)" data-client="([^"]+)"', html)


def _copies(billing_firm, count: int) -> None:
    """More pre-invoices of the same shapes (each client's draft copied under another group key)."""
    with tenant_context(billing_firm.tenant):
        originals = list(Invoice.objects.filter(month=OCTOBER, status="draft").order_by("client__legal_name"))
        for i in range(count):
            source = originals[i % len(originals)]
            source.pk = None
            source.id = None
            source._state.adding = True
            source.group_key = f"copy:{i}"
            source.save()


@pytest.fixture
def after_commit(django_capture_on_commit_callbacks):
    """`with after_commit():` runs the block, then its on-commit callbacks, Celery tasks eagerly."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield lambda: django_capture_on_commit_callbacks(execute=True)
    celery_app.conf.task_always_eager = previous


# --- Pages ------------------------------------------------------------------------------------------


def test_the_cockpit_pages_in_the_easy_first_order_and_keeps_the_filters(billing_firm, monkeypatch):
    # given 30 pre-invoices (20 ready, 10 blocked) and pages of 8
    billing_firm.build()
    _copies(billing_firm, 27)
    monkeypatch.setattr(selectors, "COCKPIT_PAGE_SIZE", 8)
    # when the ADV opens the cockpit
    first = _get(billing_firm.adv, "billing/" + MONTH).content.decode()
    # then 8 rows, ready ones first, and French page controls that keep the month
    assert [r for r, _c in _rows(first)] == ["ready"] * 8
    assert "Page 1 sur 4" in first and "Suivant" in first
    assert "?month=2026-10&amp;page=2" in first
    assert "30 préfactures" in first and "coche les 20 préfactures prêtes" in first
    last = _get(billing_firm.adv, "billing/" + MONTH + "&page=4").content.decode()
    assert "Page 4 sur 4" in last and [r for r, _c in _rows(last)] == ["blocked"] * 6
    # a page beyond the end shows the last one rather than an error
    assert "Page 4 sur 4" in _get(billing_firm.adv, "billing/" + MONTH + "&page=99").content.decode()
    # and a filtered page's links carry the filter
    blocked = _get(billing_firm.adv, "billing/" + MONTH + "&readiness=blocked").content.decode()
    assert "Page 1 sur 2" in blocked and "?month=2026-10&amp;readiness=blocked&amp;page=2" in blocked
    assert {r for r, _c in _rows(blocked)} == {"blocked"}


def test_one_page_shows_no_pagination_and_an_empty_month_its_empty_state(billing_firm):
    billing_firm.build()
    html = _get(billing_firm.adv, "billing/" + MONTH).content.decode()
    assert len(_rows(html)) == 3 and 'data-testid="cockpit-pagination"' not in html
    empty = _get(billing_firm.adv, "billing/?month=2026-03").content.decode()
    assert 'data-testid="cockpit-empty"' in empty and 'data-testid="cockpit-pagination"' not in empty


def test_an_htmx_page_change_answers_the_table_with_the_filters(billing_firm, monkeypatch):
    billing_firm.build()
    _copies(billing_firm, 27)
    monkeypatch.setattr(selectors, "COCKPIT_PAGE_SIZE", 8)
    response = billing_firm.adv.client().get(
        billing_firm.adv.url("billing/") + MONTH + "&q=helios&page=2", HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200 and "Page 2 sur 2" in html
    assert {c for _r, c in _rows(html)} == {"Helios Énergies SA"}
    # the filter goes with the issue form, for "select all ready"
    assert '<input type="hidden" name="q" value="helios" form="issue-form">' in html


# --- Select all ready, on every page ----------------------------------------------------------------


def test_select_all_ready_issues_the_ready_ones_of_every_page_in_the_filter_only(billing_firm, monkeypatch):
    # given 9 pre-invoices (3 Helios ready, 3 Nova ready, 3 Orion blocked) and pages of 2
    billing_firm.build()
    _copies(billing_firm, 6)
    monkeypatch.setattr(selectors, "COCKPIT_PAGE_SIZE", 2)
    asked = []
    issue = services.invoices_issue
    monkeypatch.setattr(
        services, "invoices_issue", lambda **kw: asked.append(sorted(kw["invoice_ids"])) or issue(**kw)
    )
    client = billing_firm.adv.client()
    page = client.get(billing_firm.adv.url("billing/") + MONTH + "&q=helios").content.decode()
    assert 'name="all_ready" value="1" form="issue-form"' in page and 'data-ready-total="3"' in page
    assert len(_rows(page)) == 2
    # when "select all ready" is ticked on the Helios filter's first page and the selection issued
    response = client.post(
        billing_firm.adv.url("billing/issue/"), {"all_ready": "1", "q": "helios", "month": "2026-10"}
    )
    # then a job issues the three ready Helios drafts (one was on another page), nothing else
    assert response.status_code == 302
    with tenant_context(billing_firm.tenant):
        jobs.job_run_now(BillingJob.objects.get())
        helios = sorted(
            str(pk) for pk in Invoice.objects.filter(client=billing_firm.helios, month=OCTOBER).values_list("pk", flat=True)
        )
        assert Invoice.objects.filter(client=billing_firm.helios, number__isnull=False).exists()
        assert not Invoice.objects.exclude(client=billing_firm.helios).filter(number__isnull=False).exists()
    assert asked == [helios] and len(helios) == 3


def test_select_all_ready_skips_unsigned_deals_unless_the_box_is_ticked(billing_firm, monkeypatch):
    billing_firm.build()
    with tenant_context(billing_firm.tenant):
        Deal.objects.filter(pk=billing_firm.tm_deal.pk).update(
            status="provisional", signed_on=None, provisional_since=timezone.now()
        )
    billing_firm.build()
    helios = billing_firm.draft_of(billing_firm.helios)
    monkeypatch.setattr(selectors, "COCKPIT_PAGE_SIZE", 1)
    client = billing_firm.adv.client()
    # the unsigned deal's draft is named beside the issue button though it is on another page
    page = client.get(billing_firm.adv.url("billing/") + MONTH).content.decode()
    assert 'data-testid="include-provisional"' in page and "Helios Énergies SA" in page.split("include-provisional", 2)[2]
    # when all ready are issued with Helios ticked too, without the unsigned box: Helios is skipped
    client.post(
        billing_firm.adv.url("billing/issue/"), {"all_ready": "1", "invoices": [str(helios.pk)], "month": "2026-10"}
    )
    with tenant_context(billing_firm.tenant):
        jobs.job_run_now(BillingJob.objects.get())
        assert Invoice.objects.get(pk=helios.pk).number is None
        assert Invoice.objects.get(client=billing_firm.nova).number  # the ready one, on another page


# --- Queries ----------------------------------------------------------------------------------------


def test_the_cockpit_and_fae_pages_run_as_many_queries_for_3_and_30_drafts(billing_firm):
    billing_firm.build()
    client = billing_firm.adv.client()
    cockpit = billing_firm.adv.url("billing/") + MONTH
    fae = billing_firm.adv.url("billing/invoices/month/") + MONTH
    client.get(cockpit)  # the month's expected figures stored on the first view
    with CaptureQueriesContext(connection) as few_cockpit:
        assert len(_rows(client.get(cockpit).content.decode())) == 3
    with CaptureQueriesContext(connection) as few_fae:
        assert client.get(fae).content.decode().count('data-testid="fae-row"') == 3
    _copies(billing_firm, 27)
    with CaptureQueriesContext(connection) as many_cockpit:
        assert len(_rows(client.get(cockpit).content.decode())) == 30
    with CaptureQueriesContext(connection) as many_fae:
        assert client.get(fae).content.decode().count('data-testid="fae-row"') == 30
    assert len(many_cockpit) == len(few_cockpit) <= 30
    assert len(many_fae) == len(few_fae) <= 25


def test_the_fae_page_pages_and_totals_every_page(billing_firm, monkeypatch):
    billing_firm.build()
    _copies(billing_firm, 3)
    monkeypatch.setattr(selectors, "FAE_PAGE_SIZE", 4)
    first = _get(billing_firm.adv, "billing/invoices/month/" + MONTH).content.decode()
    total = re.search(r'data-testid="fae-total">([^<]*)<', first).group(1)
    assert first.count('data-testid="fae-row"') == 4 and "Page 1 sur 2" in first
    second = _get(billing_firm.adv, "billing/invoices/month/" + MONTH + "&page=2").content.decode()
    assert second.count('data-testid="fae-row"') == 2
    # the total is the month's, on every page: twice 57,460.00
    assert re.search(r'data-testid="fae-total">([^<]*)<', second).group(1) == total
    assert "114" in total and "920" in total


# --- The month's expected figures, stored -----------------------------------------------------------


def _expected(billing_firm) -> str:
    html = _get(billing_firm.adv, "billing/" + MONTH).content.decode()
    return re.search(r'data-testid="figure-expected">([^<]*)<', html).group(1)


def test_the_expected_figures_are_stored_once_and_not_recomputed_by_the_next_views(billing_firm, monkeypatch):
    billing_firm.build()
    first = _expected(billing_firm)
    with tenant_context(billing_firm.tenant):
        stored = MonthExpected.objects.get(month=OCTOBER)
    assert stored.expected_time == Decimal("25960.00") and stored.expected_milestones == Decimal("30000.00")
    computed = []
    original = figures.expected_compute
    monkeypatch.setattr(figures, "expected_compute", lambda month: computed.append(month) or original(month))
    # when the cockpit and the month summary are viewed again
    assert _expected(billing_firm) == first
    _get(billing_firm.adv, "billing/invoices/month/" + MONTH)
    # then nothing is recomputed; the page says when they were computed
    assert computed == []
    assert "calculé à" in _get(billing_firm.adv, "billing/" + MONTH).content.decode()
    # when two invoices are issued (the subscription moves on, what is billed is added back): once
    billing_firm.issue([billing_firm.draft_of(billing_firm.helios), billing_firm.draft_of(billing_firm.nova)])
    assert _expected(billing_firm) == first
    assert _expected(billing_firm) == first
    assert computed == [OCTOBER]


def test_a_timesheet_no_longer_approved_changes_the_expected_time_at_the_next_view(billing_firm):
    billing_firm.build()
    before = _expected(billing_firm)
    # a CRA reopened (no billing signal): the month's timesheets changed, the fingerprint with them
    with tenant_context(billing_firm.tenant):
        Timesheet.objects.filter(month=OCTOBER, consultant=billing_firm.bob.membership).update(
            status="submitted", updated_at=timezone.now()
        )
        expected = selectors.month_figures(OCTOBER).expected_time
    assert _expected(billing_firm) != before and expected < Decimal("25960.00")


def test_a_deal_change_refreshes_the_stored_figures_through_its_signal(billing_firm, after_commit):
    billing_firm.build()
    before = _expected(billing_firm)
    with tenant_context(billing_firm.tenant):
        # a milestone's amount changed without its signal: the stored figures do not see it
        Milestone.objects.filter(pk=billing_firm.milestones[0].pk).update(amount=Decimal("20000.00"))
    assert _expected(billing_firm) == before
    # when the deal announces its change (as deals.services does), the task refreshes them
    with tenant_context(billing_firm.tenant), after_commit():
        deal_billing_changed.send(sender=Deal, deal_id=billing_firm.fixed_deal.pk)
    with tenant_context(billing_firm.tenant):
        stored = MonthExpected.objects.get(month=OCTOBER)
    # recomputed by the task if the month is a recent one, else marked stale for its next view
    assert stored.stale or stored.expected_milestones != Decimal("30000.00")
    assert _expected(billing_firm) != before
    with tenant_context(billing_firm.tenant):
        assert MonthExpected.objects.get(month=OCTOBER).stale is False


def test_a_finished_run_refreshes_its_months_figures(billing_firm, after_commit):
    with tenant_context(billing_firm.tenant):
        selectors.month_figures(OCTOBER)
        MonthExpected.objects.filter(month=OCTOBER).update(expected_time=Decimal("1.00"))
    with after_commit():
        billing_firm.build()
    with tenant_context(billing_firm.tenant):
        assert MonthExpected.objects.get(month=OCTOBER).expected_time == Decimal("25960.00")
