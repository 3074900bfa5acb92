"""The monthly management report: a PDF of the same figures, emailed once a month through the
outbox to the members an admin or ADV chose."""

from __future__ import annotations

import pytest

from adv.months import Month
from adv.tenancy.context import tenant_context
from adv.tenancy.errors import DomainError, PermissionDenied
from notifications.models import OutboxEmail
from reporting import services
from reporting.models import ReportRecipient
from reporting.report import monthly_pdf, monthly_report
from tests.reporting.support import D

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine("2026-03-05T08:00:00+01:00", tick=False)]


def test_the_report_pdf_carries_the_month_figures(firm, settings, tmp_path):
    tm = firm.deal("TM", firm.helios, "t_and_m")
    firm.invoice(tm, D(2026, 2, 1), "1234.00", issue=D(2026, 3, 3), due=D(2026, 4, 2))
    with tenant_context(firm.tenant):
        report = monthly_report(firm.alice.membership, Month(2026, 2))
        pdf = monthly_pdf(report, firm.tenant)
    assert report.revenue.months[-1].total == 1234 and pdf.startswith(b"%PDF")
    response = firm.alice.client().get(firm.alice.url("reporting/monthly.pdf?month=2026-02"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert firm.sales.client().get(firm.sales.url("reporting/monthly.pdf")).status_code == 403


def test_chosen_members_receive_it_once_a_month_with_the_pdf(firm, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    with tenant_context(firm.tenant):
        assert services.monthly_report_send(month=Month(2026, 2)) == 0  # nobody chosen: nothing sent
        services.recipient_add(actor=firm.alice.membership, membership=firm.accountant.membership)
        services.recipient_add(actor=firm.alice.membership, membership=firm.alice.membership)
        with pytest.raises(DomainError):  # the report covers the whole firm: not for a salesperson
            services.recipient_add(actor=firm.alice.membership, membership=firm.sales.membership)
        with pytest.raises(PermissionDenied):
            services.recipient_add(actor=firm.accountant.membership, membership=firm.accountant.membership)
        assert services.monthly_report_send(month=Month(2026, 2)) == 2
        assert services.monthly_report_send(month=Month(2026, 2)) == 0  # once per month
        (email,) = OutboxEmail.objects.all()
        assert sorted(email.to) == sorted([firm.accountant.user.email, firm.alice.user.email])
        assert "février 2026" in email.subject and email.attachments[0]["content_type"] == "application/pdf"


def test_the_recipients_page(firm):
    client = firm.alice.client()
    assert client.get(firm.alice.url("reporting/recipients/")).status_code == 200
    response = client.post(firm.alice.url("reporting/recipients/"), {"membership": str(firm.accountant.membership.pk)})
    assert response.status_code == 302
    with tenant_context(firm.tenant):
        assert ReportRecipient.objects.filter(membership=firm.accountant.membership).exists()
    assert firm.accountant.client().post(firm.accountant.url("reporting/recipients/"), {"membership": str(firm.alice.membership.pk)}).status_code == 403
