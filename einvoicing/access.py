"""Who may do what in e-invoicing: the billing roles (ADV, admins) configure and act; billing
readers (accountants) read the statuses and reports."""

from __future__ import annotations

from billing import access as billing_access

can_read = billing_access.can_read
require_read = billing_access.require_read
require_manage = billing_access.require_bill
can_manage = billing_access.can_bill
