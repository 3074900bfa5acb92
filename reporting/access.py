"""Who reads which figures of reporting, from the role table (`adv/tenancy/roles.py`).

- ADV, admins and the accountant read the whole firm (the accountant never writes anyway);
- a manager reads the deals they sell and those staffing a consultant who reports to them;
- a salesperson reads the deals they own (and the invoices without a deal of the clients they own);
- margins (sale minus the contractors' purchase rates) are read by ADV, admins and the accountant
  only: a salesperson or a manager sees revenue, not what a contractor costs.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from adv.tenancy import roles
from adv.tenancy.errors import PermissionDenied
from adv.tenancy.models import Membership, Role
from deals.models import Assignment

FIRM_ROLES = roles.BILLING_READERS
READ_ROLES = FIRM_ROLES | {Role.MANAGER, Role.SALES}
MARGIN_ROLES = FIRM_ROLES


def can_read(m: Membership | None) -> bool:
    return m is not None and m.is_active and m.role in READ_ROLES


def require_read(m: Membership | None) -> None:
    if not can_read(m):
        raise PermissionDenied(_("Vous n'avez pas accès au reporting."))


def sees_firm(m: Membership) -> bool:
    """Whether the member reads every deal of the firm (else a scope applies)."""
    return m.role in FIRM_ROLES


def can_see_margin(m: Membership | None) -> bool:
    return m is not None and m.is_active and m.role in MARGIN_ROLES


def deal_scope(m: Membership, prefix: str = "") -> Q | None:
    """The deals the member reads, as a filter on `<prefix>` (a path to a Deal, "" for Deal itself);
    None for the whole firm."""
    require_read(m)
    if sees_firm(m):
        return None
    mine = Q(**{f"{prefix}sales_owner": m})
    if m.role == Role.MANAGER:
        deal = OuterRef(prefix[:-2]) if prefix else OuterRef("pk")
        team = Assignment.objects.filter(deal_id=deal, consultant__reports_to=m)
        mine |= Q(Exists(team))
    return mine


def invoice_scope(m: Membership) -> Q | None:
    """The invoices the member reads (a filter on Invoice); None for the whole firm. An invoice
    without a deal belongs to the client's salesperson."""
    scope = deal_scope(m, "deal__")
    if scope is None:
        return None
    return scope | Q(deal__isnull=True, client__owner=m)
