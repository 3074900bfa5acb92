"""What deals put on the dashboard's "to do" list: provisional deals still unsigned and blocked
milestones, the member's own (sales owner, project manager: whatever their role) or, for ADV and
admins, every one. One query each (imported by DealsConfig.ready)."""

from __future__ import annotations

from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from adv.tenancy.models import Membership
from adv.tenancy.roles import ADV_ROLES
from adv.ui.dashboard import WorkItem, register

from .access import VIEW_ROLES
from .forms import ME
from .models import Deal, DealStatus, Milestone, MilestoneStatus

OVERSEERS = ADV_ROLES


@register
def deals_work(membership: Membership) -> list[WorkItem]:
    if membership.role not in VIEW_ROLES:
        return []
    everyone = membership.role in OVERSEERS
    slug = membership.tenant.slug
    deals = Deal.objects.filter(status=DealStatus.PROVISIONAL)
    milestones = Milestone.objects.filter(status=MilestoneStatus.BLOCKED)
    if not everyone:
        deals = deals.filter(sales_owner=membership)
        # a milestone without its own project manager is the deal's project manager's
        milestones = milestones.filter(
            Q(project_manager=membership) | Q(project_manager__isnull=True, deal__project_manager=membership)
        )
    unsigned = deals.aggregate(n=Count("pk"), oldest=Min("provisional_since"))
    detail = ""
    if unsigned["oldest"] is not None:
        days = (timezone.now() - unsigned["oldest"]).days
        detail = ngettext("la plus ancienne depuis %(days)s jour", "la plus ancienne depuis %(days)s jours", days) % {
            "days": days
        }
    unsigned_url = reverse("deals:unsigned", kwargs={"tenant_slug": slug})
    milestones_url = reverse("deals:milestones", kwargs={"tenant_slug": slug}) + "?scope=blocked"
    return [
        WorkItem(
            "deals.unsigned",
            _("Affaires validées provisoirement, à faire signer")
            if everyone
            else _("Vos affaires validées provisoirement, à faire signer"),
            unsigned["n"],
            unsigned_url if everyone else f"{unsigned_url}?owner={ME}",
            tone="warning",
            detail=detail,
            order=20,
        ),
        WorkItem(
            "deals.blocked_milestones",
            _("Échéances bloquées : document attendu"),
            milestones.count(),
            milestones_url if everyone else f"{milestones_url}&project_manager={ME}",
            tone="danger",
            order=21,
        ),
    ]
