"""Periodic work on deals: milestone statuses, chases of unsigned deals and blocked milestones."""

from celery import shared_task
from django.utils import timezone

from adv.tenancy.tasks import fan_out, tenant_task

from .reminders import chase_blocked_milestones, chase_unsigned_deals
from .services import milestones_refresh


@shared_task
def deals_periodic_all() -> int:
    """Fan out to one task per active firm (beat runs this hourly; every step is idempotent)."""
    return fan_out(deals_periodic)


@tenant_task()
def deals_periodic(tenant_id) -> dict:
    changed = milestones_refresh(today=timezone.localdate())
    return {
        "milestones_changed": changed,
        "unsigned_chases": chase_unsigned_deals(),
        "milestone_chases": chase_blocked_milestones(),
    }
