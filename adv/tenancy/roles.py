"""Who may do what: the one table of role groups. Each app's access rules (billing/access.py,
clients/access.py, deals/rules.py, the timesheet services) name their rights after these groups
instead of listing roles again, so that a role's reach is read here, in one place.

Groups are frozensets (membership tests, `require_role(*sorted(GROUP))`); the owner pickers are
tuples in the order they are offered.
"""

from __future__ import annotations

from .models import Role

ALL_ROLES = frozenset(Role)

# ADV and admins: run the close and billing, validate deals, configure the close, edit billing
# profiles, read the e-invoicing platform's secrets, grant access to restricted documents.
ADV_ROLES = frozenset({Role.ADMIN, Role.ADV})
# Billing, and every timesheet of the firm, read by the accountant too (who never writes).
BILLING_READERS = ADV_ROLES | {Role.ACCOUNTANT}
# Who follows the close: ADV and admins (the firm), managers (their team), the accountant (reads).
CLOSE_FOLLOWERS = ADV_ROLES | {Role.MANAGER, Role.ACCOUNTANT}
# The timesheet approval queue: managers (their reports), ADV and admins (everyone).
TIMESHEET_QUEUE_ROLES = ADV_ROLES | {Role.MANAGER}
# Everybody logs time, admins and ADV too; the accountant only reads.
TIME_ENTRY_ROLES = ALL_ROLES - {Role.ACCOUNTANT}
# Edit clients and deals.
COMMERCIAL_ROLES = ADV_ROLES | {Role.SALES}
# Upload documents to clients and deals, record milestone events.
DOCUMENT_ROLES = COMMERCIAL_ROLES | {Role.PROJECT_MANAGER}
# Staff deals; own deals in the billing cockpit's filters.
STAFFING_ROLES = COMMERCIAL_ROLES | {Role.MANAGER}
# The office: everyone but consultants reads clients and deals and sees sale rates.
OFFICE_ROLES = ALL_ROLES - {Role.CONSULTANT}
# The member directory of the API.
DIRECTORY_ROLES = ADV_ROLES | {Role.MANAGER}
# Members who only read, whatever the page or endpoint.
READ_ONLY_ROLES = frozenset({Role.ACCOUNTANT})

# Who may be named on a client or a deal: the pickers list only these roles (plus the current value).
SALES_OWNER_ROLES = (Role.SALES, Role.MANAGER, Role.ADMIN)
ADV_OWNER_ROLES = (Role.ADV, Role.ADMIN)
DEAL_OWNER_ROLES = (Role.SALES, Role.ADMIN, Role.ADV, Role.MANAGER)
PROJECT_MANAGER_ROLES = (Role.PROJECT_MANAGER, Role.MANAGER, Role.ADMIN, Role.ADV, Role.SALES)
