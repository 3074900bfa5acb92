"""The dunning pages: the plan's settings, the invoice's "Relances" block and its actions, the
overdue list's columns (one query for the page), the client's settings; roles and other firms."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from adv.tenancy.context import tenant_context
from dunning import services
from dunning.models import ClientDunning, DunningStep, PaymentPromise

from .conftest import at, late

pytestmark = pytest.mark.django_db


def test_the_settings_page(overdue, carol):
    firm = overdue.firm
    page = firm.adv.client().get(firm.adv.url("dunning/"))
    assert page.status_code == 200
    assert page.content.decode().count('data-testid="dunning-step"') == 3  # the default plan
    assert firm.accountant.client().get(firm.accountant.url("dunning/")).status_code == 200
    assert firm.accountant.client().post(firm.accountant.url("dunning/steps/"), {"days_after_due": 60, "tone": "firm"}).status_code == 403
    assert firm.bob.client().get(firm.bob.url("dunning/")).status_code == 403
    # a step at the due date: refused with the reason
    response = firm.adv.client().post(firm.adv.url("dunning/steps/"), {"days_after_due": 0, "tone": "courteous"}, follow=True)
    assert "au moins 1 jour après la date d" in response.content.decode()
    response = firm.adv.client().post(firm.adv.url("dunning/steps/"), {"days_after_due": 60, "tone": "formal_notice"})
    assert response.status_code == 302
    with tenant_context(firm.tenant):
        step = DunningStep.objects.get(days_after_due=60)
        assert step.template_key == "dunning.formal_notice"
    # another firm's step answers 404
    assert carol.client().post(carol.url(f"dunning/steps/{step.pk}/delete/")).status_code == 404
    response = firm.adv.client().post(firm.adv.url("dunning/"), {"is_active": "on", "penalty_rate": "10,5", "signatory": ""})
    assert response.status_code == 302


def test_the_invoice_block_and_remind_now(overdue, time_machine, carol):
    firm = overdue.firm
    time_machine.move_to(at(late(3)), tick=False)
    url = firm.adv.url(f"billing/invoices/{overdue.invoice.pk}/")
    page = firm.adv.client().get(url).content.decode()
    assert 'data-testid="dunning-block"' in page and 'data-testid="dunning-remind-now"' in page
    assert "Aucune relance envoyée" in page
    assert carol.client().post(carol.url(f"dunning/invoices/{overdue.invoice.pk}/remind/")).status_code == 404
    assert firm.accountant.client().post(firm.accountant.url(f"dunning/invoices/{overdue.invoice.pk}/remind/")).status_code == 403
    response = firm.adv.client().post(firm.adv.url(f"dunning/invoices/{overdue.invoice.pk}/remind/"))
    assert response.status_code == 302 and response["Location"].endswith("#relances")
    page = firm.adv.client().get(url).content.decode()
    assert page.count('data-testid="dunning-reminder"') == 1
    # a promise, then its display
    firm.adv.client().post(firm.adv.url(f"dunning/invoices/{overdue.invoice.pk}/promise/"),
                           {"promised_on": late(10).isoformat(), "amount": "1 000,00"})
    with tenant_context(firm.tenant):
        assert PaymentPromise.objects.get(invoice=overdue.invoice).amount == 1000
    assert 'data-testid="dunning-promise"' in firm.adv.client().get(url).content.decode()
    # a dispute, then resumed
    firm.adv.client().post(firm.adv.url(f"dunning/invoices/{overdue.invoice.pk}/pause/"), {"reason": "Jours contestés", "dispute": "on"})
    page = firm.adv.client().get(url).content.decode()
    assert 'data-testid="dunning-disputed"' in page and 'data-testid="dunning-remind-now"' not in page
    firm.adv.client().post(firm.adv.url(f"dunning/invoices/{overdue.invoice.pk}/resume/"))
    assert 'data-testid="dunning-disputed"' not in firm.adv.client().get(url).content.decode()


def _overdue_page(firm):
    client = firm.adv.client()
    with CaptureQueriesContext(connection) as queries:
        page = client.get(firm.adv.url("billing/invoices/overdue/"))
    assert page.status_code == 200
    return page.content.decode(), len(queries)


def test_the_overdue_list_shows_last_and_next_step_in_one_query(overdue, time_machine):
    firm = overdue.firm
    time_machine.move_to(at(late(8)), tick=False)
    page, one_invoice = _overdue_page(firm)
    assert 'data-testid="overdue-next-step"' in page and "courtoise" in page
    with tenant_context(firm.tenant):
        services.reminder_send_now(actor=firm.adv.membership, invoice=overdue.invoice)
    page, queries = _overdue_page(firm)
    assert "ferme" in page  # the next step after the courteous one
    # a second overdue invoice: the same number of queries
    firm.attach_missing_pv()
    firm.build()
    firm.issue([firm.draft_of(firm.orion)], issue_date=overdue.invoice.issue_date)
    page, two_invoices = _overdue_page(firm)
    assert page.count('data-testid="overdue-row"') == 2
    assert two_invoices == queries


def test_the_client_settings(overdue, carol):
    firm = overdue.firm
    with tenant_context(firm.tenant):
        contact = firm.helios.contacts.get()
    page = firm.adv.client().get(firm.adv.url(f"clients/{firm.helios.pk}/?tab=billing")).content.decode()
    assert 'data-testid="client-dunning-form"' in page
    response = firm.adv.client().post(
        firm.adv.url(f"dunning/clients/{firm.helios.pk}/"),
        {"opted_out": "on", "opt_out_reason": "Grand compte", "contacts": [str(contact.pk)]},
    )
    assert response.status_code == 302
    with tenant_context(firm.tenant):
        settings = ClientDunning.objects.get(client=firm.helios)
        assert settings.opted_out and settings.opt_out_reason == "Grand compte"
        assert list(settings.contacts.all()) == [contact]
    assert carol.client().post(carol.url(f"dunning/clients/{firm.helios.pk}/"), {}).status_code == 404
