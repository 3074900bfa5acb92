"""Lockout per address across accounts (password spraying), beside django-axes' lockout per account.

django-axes applies one failure limit to every lockout parameter; an address shared by a whole
office (NAT) needs a higher one than an account, so this check counts the failures axes recorded
for the address over the cool-off, against `AXES_IP_FAILURE_LIMIT`.
"""

from __future__ import annotations

from datetime import timedelta

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.shortcuts import render
from django.utils import timezone

from adv.network import client_ip


def address_is_locked(request) -> bool:
    address = client_ip(request)
    if not address:
        return False
    since = timezone.now() - timedelta(hours=settings.AXES_COOLOFF_TIME)
    failures = (
        AccessAttempt.objects.filter(ip_address=address, attempt_time__gte=since)
        .aggregate(total=Sum("failures_since_start"))["total"]
        or 0
    )
    return failures >= settings.AXES_IP_FAILURE_LIMIT


def address_lockout_response(request):
    context = {
        "lockout_scope": "address",
        "failure_limit": settings.AXES_IP_FAILURE_LIMIT,
        "cooloff_timedelta": timedelta(hours=settings.AXES_COOLOFF_TIME),
    }
    return render(request, settings.AXES_LOCKOUT_TEMPLATE, context, status=429)
