"""Row-level security of the client portal: a second policy, on top of the tenant's.

A portal request sets `app.portal_client_ids` (the signed-in contact's client, and its
subsidiaries when the contact "sees the group") for its transaction, beside `app.tenant_id`
(`portal/context.py`). Every table a portal page reads or writes gets a RESTRICTIVE policy: it is
ANDed with the tenant policy, so with the setting present a row is visible (and writable) only
if it belongs to one of those clients. Without the setting (staff pages, the API, workers) the
policy lets everything through and the tenant policy alone applies.

`PORTAL_TABLES` names each portal-reachable table and how its row reaches a client; a
meta-test (tests/portal/test_portal_rls.py) fails for a table the portal touches that is
neither here nor in `FIRM_TABLES` (the firm's own settings and staff, no client's data), and for
a table listed here without its policy in the database.
"""

from __future__ import annotations

from django.db import migrations

GUC_PORTAL_CLIENTS = "app.portal_client_ids"
POLICY_NAME = "portal_client"

_SETTING = f"NULLIF(current_setting('{GUC_PORTAL_CLIENTS}', true), '')"
IDS = f"string_to_array({_SETTING}, ',')::uuid[]"
_DEALS = f"SELECT d.id FROM deals_deal d WHERE d.client_id = ANY({IDS})"
_ASSIGNMENTS = (
    "SELECT a.id FROM deals_assignment a JOIN deals_deal d ON d.id = a.deal_id "
    f"WHERE d.client_id = ANY({IDS})"
)
# Never the table itself inside its own policy (PostgreSQL refuses the recursion): a line goes
# through its assignment, an entry and a timesheet through the lines (whose policy applies).
_LINES = f"SELECT l.id FROM timesheets_timesheetline l WHERE l.assignment_id IN ({_ASSIGNMENTS})"
_TIMESHEETS = f"SELECT l.timesheet_id FROM timesheets_timesheetline l WHERE l.assignment_id IN ({_ASSIGNMENTS})"

# table -> the condition that ties one of its rows to the portal's clients
PORTAL_TABLES: dict[str, str] = {
    "clients_client": f"id = ANY({IDS})",
    "clients_contact": f"client_id = ANY({IDS})",
    "clients_clientname": f"client_id = ANY({IDS})",
    "clients_billingprofile": f"client_id = ANY({IDS})",
    "clients_document": f"client_id = ANY({IDS})",
    "clients_documentversion": f"document_id IN (SELECT doc.id FROM clients_document doc WHERE doc.client_id = ANY({IDS}))",
    "deals_deal": f"client_id = ANY({IDS})",
    "deals_assignment": f"deal_id IN ({_DEALS})",
    "deals_milestone": f"deal_id IN ({_DEALS})",
    "deals_purchaseorder": f"deal_id IN ({_DEALS})",
    "timesheets_timesheet": f"id IN ({_TIMESHEETS})",
    "timesheets_timesheetline": f"assignment_id IN ({_ASSIGNMENTS})",
    "timesheets_timesheetentry": f"line_id IN ({_LINES})",
    "timesheets_clientapproval": f"deal_id IN ({_DEALS})",
    "billing_invoice": f"client_id = ANY({IDS})",
    "billing_invoiceline": f"invoice_id IN (SELECT i.id FROM billing_invoice i WHERE i.client_id = ANY({IDS}))",
    "portal_clientportal": f"client_id = ANY({IDS})",
    "portal_portalcontact": f"client_id = ANY({IDS})",
    "portal_portallink": f"client_id = ANY({IDS})",
    "portal_portalactivity": f"client_id = ANY({IDS})",
    "portal_portalsignature": f"client_id = ANY({IDS})",
    "portal_invoicedispute": f"client_id = ANY({IDS})",
}

# Tables with a tenant_id that portal requests touch and that hold no client's data: the firm's
# settings, its staff (the consultant's name on a CRA, the ADV told of an action) and the ADV's
# notifications and emails written by the portal's actions. Each says why it is not filtered.
FIRM_TABLES: dict[str, str] = {
    "tenancy_membership": "the firm's staff: the consultant named on a CRA, the ADV notified",
    "timesheets_timesheetpolicy": "the firm's timesheet rules (unit, holidays)",
    "timesheets_absencetype": "the firm's absence types (never shown: absences are filtered by the line policy)",
    "clients_documenttype": "the firm's document types (PV de recette, signed timesheet)",
    "billing_billingpolicy": "the firm's billing settings",
    "deals_dealpolicy": "the firm's deal settings",
    "notifications_notification": "the ADV's notifications written by a portal action",
    "notifications_outboxemail": "emails written by a portal action (the contact's link, the ADV's notice)",
    "notifications_notificationpreference": "the ADV's notification preferences",
    "notifications_messagetemplate": "the firm's wording of its emails",
    "notifications_digestitem": "the ADV's digest items",
    "notifications_remindersent": "the reminder ledger",
    "webhooks_endpoint": "the firm's webhook endpoints, read when a portal action sends a domain event",
    "webhooks_event": "the firm's outgoing webhook events written by a portal action",
    "webhooks_delivery": "the firm's webhook deliveries written by a portal action",
    "chat_conversation": "the staff's thread on the object, looked up for a system message (never shown on the portal)",
    "chat_message": "the system message a portal action posts in the staff's thread (never shown on the portal)",
    "chat_participant": "the staff's unread counters on that thread",
}


def predicate(condition: str) -> str:
    return f"({_SETTING} IS NULL OR ({condition}))"


def _statements(table: str, condition: str) -> list[str]:
    expression = predicate(condition)
    return [
        f'DROP POLICY IF EXISTS {POLICY_NAME} ON "{table}"',
        f'CREATE POLICY {POLICY_NAME} ON "{table}" AS RESTRICTIVE FOR ALL USING {expression} WITH CHECK {expression}',
    ]


def EnablePortalPolicy(table: str) -> migrations.RunSQL:  # noqa: N802 - reads like the migration operation it is
    """Migration operation: the portal's restrictive policy on one table of PORTAL_TABLES."""
    return migrations.RunSQL(
        sql=_statements(table, PORTAL_TABLES[table]),
        reverse_sql=[f'DROP POLICY IF EXISTS {POLICY_NAME} ON "{table}"'],
        elidable=False,
    )
