"""What timesheets put on the dashboard's "to do" list: timesheets awaiting the member's approval
(their reports'; everyone's for ADV) and their own timesheets sent back for correction. The
month's deadlines are on the closing card beside it, registered here as a dashboard panel."""

from __future__ import annotations

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from adv.tenancy.models import Membership
from adv.ui.dashboard import WorkItem, register, register_panel

from .closing.views import dashboard_card
from .models import Timesheet, TimesheetStatus
from .selectors import is_adv


@register
def timesheets_work(membership: Membership) -> list[WorkItem]:
    adv = is_adv(membership)
    to_approve = Q(status=TimesheetStatus.SUBMITTED)
    if not adv:
        to_approve &= Q(consultant__reports_to=membership)
    # Rejected by the manager or reopened by ADV: back to draft with the reason given.
    rejected = Q(consultant=membership, status=TimesheetStatus.DRAFT) & ~Q(rejection_reason="")
    figures = Timesheet.objects.aggregate(
        to_approve=Count("pk", filter=to_approve), rejected=Count("pk", filter=rejected)
    )
    slug = membership.tenant.slug
    return [
        WorkItem(
            "timesheets.to_approve",
            _("CRA soumis à valider"),
            figures["to_approve"],
            reverse("timesheets:queue", kwargs={"tenant_slug": slug}),
            tone="warning",
            order=30,
        ),
        WorkItem(
            "timesheets.rejected",
            _("Votre CRA renvoyé pour correction, à soumettre à nouveau"),
            figures["rejected"],
            reverse("timesheets:mine", kwargs={"tenant_slug": slug}),
            tone="danger",
            order=31,
        ),
    ]


register_panel("closing_card", dashboard_card)
