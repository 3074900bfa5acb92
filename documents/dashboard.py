"""What documents put on the dashboard's "to do" list: the expected documents the member is
responsible for that are missing or expired (as the missing-documents report shows them, three
queries; imported by DocumentsConfig.ready)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from adv.tenancy.models import Membership
from adv.ui.dashboard import WorkItem, register

from . import requirements
from .access import VIEW_CLIENT_ROLES


@register
def clients_work(membership: Membership) -> list[WorkItem]:
    if membership.role not in VIEW_CLIENT_ROLES:
        return []
    owed = requirements.missing_documents(
        today=requirements.tenant_today(membership.tenant),
        filters=requirements.MissingFilters(responsible=membership),
    )
    clients = len({item.client.pk for item in owed})
    url = reverse("clients:missing_documents", kwargs={"tenant_slug": membership.tenant.slug})
    return [
        WorkItem(
            "clients.missing_documents",
            _("Documents clients manquants ou expirés à obtenir"),
            len(owed),
            f"{url}?responsible={membership.pk}",
            tone="warning",
            detail=ngettext("chez %(n)s client", "chez %(n)s clients", clients) % {"n": clients},
            order=25,
        )
    ]
