"""Isolation: a contact sees their own client only, in pages and files, across two clients of
one firm and across two firms; the row-level-security policy keyed by the portal's clients is
on every table the portal touches (meta-test)."""

from __future__ import annotations

import re

import pytest
from django.db import connection

from adv.tenancy.context import tenant_context
from portal.context import portal_scope
from portal.models import PortalSignature
from portal.rls import FIRM_TABLES, POLICY_NAME, PORTAL_TABLES
from tests.portal.conftest import shown_digests, signed_in, url
from timesheets.models import ClientApproval, ClientApprovalStatus, TimesheetLine

pytestmark = pytest.mark.django_db


def test_another_clients_timesheet_is_not_found(portal_firm, pending):
    f = portal_firm.firm
    marc_digest = shown_digests(signed_in(f.tenant, portal_firm.marc).get(url(f.tenant.slug, "timesheets/")).content.decode())
    olga = signed_in(f.tenant, portal_firm.olga)
    assert b"nothing-pending" in olga.get(url(f.tenant.slug, "timesheets/")).content
    response = olga.post(url(f.tenant.slug, "timesheets/"), {
        "action": "approve", "approval": [str(pending.pk)], f"sha256_{pending.pk}": marc_digest[str(pending.pk)],
    })
    assert response.status_code == 404
    assert olga.post(url(f.tenant.slug, "timesheets/"), {
        "action": "reject", "approval": str(pending.pk), "sha256": "x", "reason": "no",
    }).status_code == 404
    with tenant_context(f.tenant):
        line = TimesheetLine.objects.get(timesheet_id=pending.timesheet_id, assignment__isnull=False)
        assert ClientApproval.objects.get(pk=pending.pk).status == ClientApprovalStatus.PENDING
        assert not PortalSignature.objects.exists()
    assert olga.post(url(f.tenant.slug, "references/"), {"line": str(line.pk), "number": "X"}).status_code == 404
    assert b"reception-row" not in olga.get(url(f.tenant.slug, "references/")).content


def test_the_database_hides_another_clients_rows_inside_the_portal_scope(portal_firm, pending):
    f = portal_firm.firm
    with tenant_context(f.tenant), connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM timesheets_clientapproval")
        assert cursor.fetchone()[0] == 1
        with portal_scope([f.other_client.pk]):
            for table in ("timesheets_clientapproval", "timesheets_timesheet", "timesheets_timesheetentry"):
                cursor.execute(f'SELECT count(*) FROM "{table}"')
                assert cursor.fetchone()[0] == 0, table
            cursor.execute("SELECT count(*) FROM deals_assignment WHERE deal_id = %s", [f.deal.pk])
            assert cursor.fetchone()[0] == 0  # Helios's staffing (Orion's own is visible)
            cursor.execute("SELECT count(*) FROM clients_client")
            assert cursor.fetchone()[0] == 1
            # and no write can reach another client's row either
            cursor.execute("UPDATE timesheets_clientapproval SET comment = 'x'")
            assert cursor.rowcount == 0
        with portal_scope([f.client.pk]):
            cursor.execute("SELECT count(*) FROM timesheets_clientapproval")
            assert cursor.fetchone()[0] == 1
            cursor.execute("SELECT count(*) FROM timesheets_timesheetline")
            assert cursor.fetchone()[0] == 1  # the work line; the leave line is not the client's


def test_another_firms_portal_and_ids_are_not_found(portal_firm, pending, carol):
    f = portal_firm.firm
    from tests.portal.conftest import invite
    from tests.timesheets.test_entry_support import member

    with tenant_context(carol.tenant):
        from clients import services as client_services

        other = client_services.client_create(actor=carol.membership, legal_name="Zenith SA", status="client")
    outsider = member(carol.tenant, "adv", "Paul", "Roux")
    stranger = invite(type(f)(**{**f.__dict__, "tenant": carol.tenant, "adv": outsider, "alice": carol}), other, "Zoé", "Blanc", "zoe@zenith.example")
    browser = signed_in(carol.tenant, stranger)
    # the session of firm B is not sent to (nor valid for) firm A's portal
    assert browser.get(url(f.tenant.slug)).status_code == 302
    assert browser.post(url(carol.tenant.slug, "timesheets/"), {
        "action": "reject", "approval": str(pending.pk), "sha256": "x", "reason": "no",
    }).status_code == 404


def test_every_portal_table_has_the_portal_policy():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_policies WHERE schemaname = 'public' AND policyname = %s AND permissive = 'RESTRICTIVE' "
            "AND cmd = 'ALL' AND qual IS NOT NULL AND with_check IS NOT NULL", [POLICY_NAME],
        )
        covered = {row[0] for row in cursor.fetchall()}
    missing = set(PORTAL_TABLES) - covered
    assert not missing, f"Portal tables without the {POLICY_NAME} policy: {sorted(missing)}"


TABLE = re.compile(r'(?:FROM|JOIN|UPDATE|INTO)\s+"([a-z_0-9]+)"', re.IGNORECASE)


def test_every_table_the_portal_touches_is_filtered_by_client_or_is_the_firms_own(portal_firm, pending):
    """The meta-test: every page of the portal is walked (reads and writes) while recording the
    tables of each SQL statement; a tenant table outside PORTAL_TABLES and FIRM_TABLES fails."""
    f = portal_firm.firm
    with connection.cursor() as cursor:
        cursor.execute("SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'tenant_id'")
        tenant_tables = {row[0] for row in cursor.fetchall()}
    seen: set[str] = set()

    def record(execute, sql, params, many, context):
        from portal.context import current_portal_clients

        if current_portal_clients():
            seen.update(TABLE.findall(sql))
        return execute(sql, params, many, context)

    browser = signed_in(f.tenant, portal_firm.marc)
    with connection.execute_wrapper(record):
        for page in ("", "timesheets/", "milestones/", "references/", "invoices/", "account/"):
            assert browser.get(url(f.tenant.slug, page)).status_code == 200, page
        digests = shown_digests(browser.get(url(f.tenant.slug, "timesheets/")).content.decode())
        browser.post(url(f.tenant.slug, "timesheets/"), {"action": "approve", "approval": list(digests), **{f"sha256_{k}": v for k, v in digests.items()}})
    assert "timesheets_clientapproval" in seen and "clients_document" in seen
    unfiltered = sorted((seen & tenant_tables) - set(PORTAL_TABLES) - set(FIRM_TABLES))
    assert not unfiltered, f"Portal-reachable tables without the portal policy (portal/rls.py): {unfiltered}"
