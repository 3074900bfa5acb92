"""Who may do what on deals, from the role table (`adv/tenancy/roles.py`): read by the services,
selectors, views, API and navigation alike."""

from __future__ import annotations

from adv.tenancy import roles
from adv.tenancy.models import Membership, Role

from .models import Deal

VIEW_ROLES = roles.OFFICE_ROLES
EDIT_ROLES = roles.COMMERCIAL_ROLES
VALIDATE_ROLES = roles.ADV_ROLES
STAFF_ROLES = roles.STAFFING_ROLES
# Sale rates are hidden from consultants (employees see their own deals' instructions only).
RATE_ROLES = roles.OFFICE_ROLES


def can_view_deals(m: Membership) -> bool:
    return m.role in VIEW_ROLES


def can_edit_deals(m: Membership) -> bool:
    return m.role in EDIT_ROLES


def can_validate_deals(m: Membership) -> bool:
    return m.role in VALIDATE_ROLES


def can_staff(m: Membership) -> bool:
    return m.role in STAFF_ROLES


def can_see_rates(m: Membership) -> bool:
    return m.role in RATE_ROLES


def can_manage_milestones(m: Membership, deal: Deal) -> bool:
    return m.role in VALIDATE_ROLES or m.role == Role.SALES or (
        m.role == Role.PROJECT_MANAGER and deal.project_manager_id == m.id
    )
