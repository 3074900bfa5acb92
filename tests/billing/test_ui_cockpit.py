"""The ADV's month-end cockpit: figures, the billing run, the pre-invoice table with its checks,
inline reception numbers, chases, column preferences and bulk issuance."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from adv.tenancy.context import tenant_context
from billing import jobs, runs
from billing.models import BillingChase, BillingJob, BillingRun, CockpitPreference, Invoice, RunStatus
from clients.models import BillingProfile
from tests.billing.support import OCTOBER

pytestmark = pytest.mark.django_db

MONTH = "?month=2026-10"


def cockpit(persona, query: str = MONTH, **headers):
    return persona.client().get(persona.url("billing/") + query, **headers)


def rows(html: str) -> dict[str, str]:
    """client name -> readiness, as the table shows them."""
    found = re.findall(r'data-testid="cockpit-row" data-readiness="(\w+)" data-client="([^"]+)"', html)
    return {client: readiness for readiness, client in found}


def row_count(html: str) -> int:
    return html.count('data-testid="cockpit-row"')


def test_cockpit_shows_ready_and_blocked_pre_invoices_with_their_reasons(billing_firm):
    # given October built
    billing_firm.build()
    # when the ADV opens the cockpit
    response = cockpit(billing_firm.adv)
    # then each pre-invoice has its row, the blocked one says why and its checkbox is disabled
    html = response.content.decode()
    assert response.status_code == 200
    assert rows(html) == {"Helios Énergies SA": "ready", "Orion Industrie SAS": "blocked", "Nova GmbH": "ready"}
    assert 'data-testid="cockpit-check" data-code="missing_milestone_document"' in html
    assert "Lot 2 – recette" in html
    orion_row = html[html.index('data-client="Orion Industrie SAS"') :]
    orion_row = orion_row[: orion_row.index("</tr>")]
    assert "disabled" in orion_row and 'value="' not in orion_row.split('data-testid="row-select"')[0][-200:]
    assert 'data-testid="cockpit-figures"' in html
    assert 'data-testid="issue-selected"' in html and 'data-testid="billing-run-start"' in html


def test_default_month_is_the_previous_one_and_empty_month_explains_the_run(billing_firm):
    # when the ADV opens a month without pre-invoices
    html = cockpit(billing_firm.adv, "?month=2026-03").content.decode()
    # then an empty state tells to launch the run
    assert 'data-testid="cockpit-empty"' in html and "Lancer la facturation du mois" in html


def test_accountant_reads_the_cockpit_but_cannot_issue_or_launch(billing_firm):
    billing_firm.build()
    helios = billing_firm.draft_of(billing_firm.helios)
    accountant = billing_firm.accountant
    # when the accountant opens the cockpit
    html = cockpit(accountant).content.decode()
    # then the rows show, without any button
    assert "Helios Énergies SA" in rows(html)
    for test_id in ("issue-selected", "billing-run-start", "row-select", "chase-button", "reception-save"):
        assert f'data-testid="{test_id}"' not in html
    # and every write answers 403, changing nothing
    client = accountant.client()
    assert (
        client.post(accountant.url("billing/issue/"), {"invoices": [str(helios.pk)], "month": "2026-10"}).status_code
        == 403
    )
    assert client.post(accountant.url("billing/run/"), {"month": "2026-10"}).status_code == 403
    assert billing_firm.draft_of(billing_firm.helios).number is None


def test_consultant_gets_403_and_another_firm_404(billing_firm, carol):
    billing_firm.build()
    helios = billing_firm.draft_of(billing_firm.helios)
    assert cockpit(billing_firm.bob).status_code == 403
    assert billing_firm.bob.client().get(billing_firm.bob.url(f"billing/pre-invoices/{helios.pk}/")).status_code == 403
    # carol (another firm) asks for alpha's pre-invoice under her own firm: it does not exist there
    assert carol.client().get(carol.url(f"billing/pre-invoices/{helios.pk}/")).status_code == 404


def test_filters_narrow_the_table(billing_firm):
    billing_firm.build()
    assert set(rows(cockpit(billing_firm.adv, MONTH + "&readiness=blocked").content.decode())) == {
        "Orion Industrie SAS"
    }
    assert set(rows(cockpit(billing_firm.adv, MONTH + "&q=helios").content.decode())) == {"Helios Énergies SA"}
    assert (
        set(rows(cockpit(billing_firm.adv, MONTH + f"&owner={billing_firm.alice.membership.pk}").content.decode()))
        == set()
    )
    assert (
        len(rows(cockpit(billing_firm.adv, MONTH + f"&owner={billing_firm.sales.membership.pk}").content.decode())) == 3
    )
    # "only mine": Sophie is the ADV in charge of the three clients, the admin of none
    assert len(rows(cockpit(billing_firm.adv, MONTH + "&mine=on").content.decode())) == 3
    assert rows(cockpit(billing_firm.alice, MONTH + "&mine=on").content.decode()) == {}


def test_inline_reception_number_makes_the_row_ready(billing_firm):
    # given Helios requires a reception number per consultant
    with tenant_context(billing_firm.tenant):
        BillingProfile.objects.filter(client=billing_firm.helios).update(reception_number_required=True)
    billing_firm.build()
    helios = billing_firm.draft_of(billing_firm.helios)
    missing = [c for c in helios.checks if c["code"] == "missing_reception_number"]
    assert helios.readiness == "blocked" and len(missing) == 2
    html = cockpit(billing_firm.adv).content.decode()
    assert html.count('data-testid="reception-input"') == 2
    client = billing_firm.adv.client()
    url = billing_firm.adv.url(f"billing/pre-invoices/{helios.pk}/reception/")
    # when an empty number is sent: 400, the message by the field, nothing saved
    response = client.post(url, {"timesheet_line": missing[0]["timesheet_line"], "number": " "}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400 and "Saisissez le numéro de réception" in response.content.decode()
    # when both numbers are typed in the row
    first = client.post(
        url, {"timesheet_line": missing[0]["timesheet_line"], "number": "REC-1"}, HTTP_HX_REQUEST="true"
    )
    assert rows(first.content.decode()) == {"Helios Énergies SA": "blocked"}
    second = client.post(
        url, {"timesheet_line": missing[1]["timesheet_line"], "number": "REC-2"}, HTTP_HX_REQUEST="true"
    )
    # then the row comes back ready, with the month's counts above the table swapped out of band
    assert second.status_code == 200
    assert rows(second.content.decode()) == {"Helios Énergies SA": "ready"}
    figures = second.content.decode().split('id="cockpit-figures"', 1)[1]
    assert 'hx-swap-oob="true"' in figures.split(">", 1)[0]
    ready_badge = re.search(r'data-testid="count-ready">([^<]*)<', figures).group(1)
    assert ready_badge.strip() == f"{len([d for d in billing_firm.drafts() if d.readiness == 'ready'])} prêtes"
    assert billing_firm.draft_of(billing_firm.helios).readiness == "ready"


def test_bulk_issue_starts_a_job_whose_panel_shows_progress_then_the_issued_and_the_refused(billing_firm):
    billing_firm.build()
    drafts = billing_firm.drafts()
    client = billing_firm.adv.client()
    # when the ADV issues all three
    response = client.post(
        billing_firm.adv.url("billing/issue/"), {"invoices": [str(d.pk) for d in drafts], "month": "2026-10"}
    )
    # then the request answers at once with the cockpit showing the job, nothing issued yet
    assert response.status_code == 302
    with tenant_context(billing_firm.tenant):
        job = BillingJob.objects.get()
    assert response["Location"].endswith(f"?month=2026-10&job={job.pk}")
    running = client.get(response["Location"]).content.decode()
    assert f'data-job-id="{job.pk}" data-status="running"' in running and "Émission des factures en cours" in running
    assert len(rows(running)) == 3
    # when the workers have issued them
    with tenant_context(billing_firm.tenant):
        jobs.job_run_now(job)
        numbers = sorted(Invoice.objects.filter(number__isnull=False).values_list("number", flat=True))
        orion = Invoice.objects.get(client=billing_firm.orion)
    # then the panel polled while running asks the page to reload (the table loses the issued rows)
    fragment = client.get(billing_firm.adv.url(f"billing/jobs/{job.pk}/?was=running"), HTTP_HX_REQUEST="true")
    assert fragment["HX-Refresh"] == "true"
    html = client.get(response["Location"]).content.decode()
    # two got numbers, Orion is refused with its reason
    assert 'data-testid="issue-result"' in html
    assert len(numbers) == 2 and all(n in html for n in numbers)
    assert orion.number is None
    refused = re.findall(r'data-testid="issue-refused">(.*?)</li>', html, re.S)
    assert len(refused) == 1 and "Orion Industrie SAS" in refused[0] and "PV de recette manquant" in refused[0]
    assert 'data-testid="job-send"' in html
    # and the table keeps only the blocked one
    assert rows(html) == {"Orion Industrie SAS": "blocked"}


def test_the_issued_invoices_of_a_job_are_sent_by_another_job_from_its_panel(billing_firm):
    billing_firm.build()
    helios, nova = billing_firm.draft_of(billing_firm.helios), billing_firm.draft_of(billing_firm.nova)
    client = billing_firm.adv.client()
    client.post(billing_firm.adv.url("billing/issue/"), {"invoices": [str(helios.pk), str(nova.pk)], "month": "2026-10"})
    with tenant_context(billing_firm.tenant):
        issue = jobs.job_run_now(BillingJob.objects.get())
    for invoice in (helios, nova):
        billing_firm.render(invoice)
    response = client.post(billing_firm.adv.url(f"billing/jobs/{issue.pk}/send/"))
    assert response.status_code == 302
    with tenant_context(billing_firm.tenant):
        send = BillingJob.objects.get(kind="send")
        assert send.invoice_ids == issue.succeeded
        send = jobs.job_run_now(send)
        statuses = set(Invoice.objects.filter(pk__in=issue.succeeded).values_list("status", flat=True))
    assert send.status == "done" and send.done_count + send.failed_count == 2
    assert statuses <= {"sent", "issued"} and (send.done_count == 0 or "sent" in statuses)
    html = client.get(response["Location"]).content.decode()
    assert "envoyée" in html and 'data-testid="job-send"' not in html


def test_chase_notifies_the_person_responsible(billing_firm):
    billing_firm.build()
    orion = billing_firm.draft_of(billing_firm.orion)
    client = billing_firm.adv.client()
    response = client.post(
        billing_firm.adv.url(f"billing/pre-invoices/{orion.pk}/chase/"),
        {"check": "missing_milestone_document"},
        follow=True,
    )
    assert response.status_code == 200
    assert "Manon Lefort a été relancé(e)" in response.content.decode()
    with tenant_context(billing_firm.tenant):
        chase = BillingChase.objects.get()
    assert (chase.invoice_id, chase.membership_id) == (orion.pk, billing_firm.manager.membership.pk)


def test_column_choice_is_remembered(billing_firm):
    billing_firm.build()
    client = billing_firm.adv.client()
    before = cockpit(billing_firm.adv).content.decode()
    assert '<th scope="col">Envoi · notes</th>' in before
    # when Sophie keeps only the amount and the purchase order
    response = client.post(billing_firm.adv.url("billing/columns/"), {"columns": ["amount", "po"], "month": "2026-10"})
    assert response.status_code == 302
    # then her next visit shows those, not the recipients; an unknown column is refused
    after = cockpit(billing_firm.adv).content.decode()
    assert "Bon de commande</th>" in after and '<th scope="col">Envoi · notes</th>' not in after
    with tenant_context(billing_firm.tenant):
        assert CockpitPreference.objects.get(membership=billing_firm.adv.membership).columns == ["amount", "po"]
    client.post(billing_firm.adv.url("billing/columns/"), {"columns": ["salary"], "month": "2026-10"})
    with tenant_context(billing_firm.tenant):
        assert CockpitPreference.objects.get(membership=billing_firm.adv.membership).columns == ["amount", "po"]
    # and another user's table is not affected
    assert '<th scope="col">Envoi · notes</th>' in cockpit(billing_firm.alice).content.decode()


def _copies(billing_firm, count: int) -> None:
    """More pre-invoices of the same shapes (each client's draft copied under another group key)."""
    with tenant_context(billing_firm.tenant):
        originals = list(Invoice.objects.filter(month=OCTOBER, status="draft"))
        for i in range(count):
            source = originals[i % len(originals)]
            source.pk = None
            source.id = None
            source._state.adding = True
            source.group_key = f"copy:{i}"
            source.save()


def test_cockpit_queries_do_not_grow_with_the_rows(billing_firm):
    billing_firm.build()
    client = billing_firm.adv.client()
    url = billing_firm.adv.url("billing/") + MONTH
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert row_count(client.get(url).content.decode()) == 3
    _copies(billing_firm, 27)
    with CaptureQueriesContext(connection) as many:
        assert row_count(client.get(url).content.decode()) == 30
    assert len(many) == len(few)
    assert len(many) <= 30


def test_run_start_shows_progress_then_done_and_resume_after_a_failure(billing_firm):
    client = billing_firm.adv.client()
    # when the ADV launches the month (the chunks go to Celery after commit)
    response = client.post(billing_firm.adv.url("billing/run/"), {"month": "2026-10"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="billing-run-progress" data-status="running"' in html and 'hx-trigger="every 2s"' in html
    with tenant_context(billing_firm.tenant):
        run = BillingRun.objects.get()
        # a worker fails on the chunk: the run shows the error and a resume button
        chunk = run.chunks.get()
        runs.chunk_failed(chunk.pk, "database went away", final=True)
    progress = client.get(
        billing_firm.adv.url("billing/run/progress/") + MONTH, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert 'data-status="failed"' in progress and "database went away" in progress and "Reprendre" in progress
    resumed = client.post(billing_firm.adv.url(f"billing/run/{run.pk}/resume/"), HTTP_HX_REQUEST="true")
    assert 'data-status="running"' in resumed.content.decode()
    # the worker builds it: the block says done and the page reloads to show the rows
    with tenant_context(billing_firm.tenant):
        runs.chunk_build(chunk.pk)
        assert BillingRun.objects.get().status == RunStatus.DONE
    done = client.get(billing_firm.adv.url("billing/run/progress/") + MONTH + "&poll=1", HTTP_HX_REQUEST="true")
    assert 'data-status="done"' in done.content.decode() and done["HX-Refresh"] == "true"
    assert len(rows(cockpit(billing_firm.adv).content.decode())) == 3
