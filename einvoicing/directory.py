"""The directory (annuaire): where a client receives its e-invoices. Looked up through the firm's
platform, stored per client (DirectoryEntry), read by the pre-invoice check that blocks a client
missing from it (billing.readiness.extra_checks, filled by `pre_invoice_checks`)."""

from __future__ import annotations

import datetime
import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from adv.broker import send_task_on_commit
from billing import readiness
from clients.models import Client

from . import connectors, routing
from .account import account
from .models import DirectoryEntry

logger = logging.getLogger(__name__)
# An address found is trusted this long; a miss is asked again sooner (the client may register).
FOUND_VALID = datetime.timedelta(days=30)
MISSING_VALID = datetime.timedelta(hours=1)
DIRECTORY_MISSING = "directory_missing"
DIRECTORY_PENDING = "directory_pending"


def client_lookup(client_id) -> DirectoryEntry | None:
    """Ask the directory for the client's SIREN and store the answer; refresh its pre-invoices when
    the answer changes what they show. A platform error keeps the previous answer (logged)."""
    client = Client.objects.filter(pk=client_id).only("id", "siren").first()
    if client is None or not client.siren:
        return None
    connector = connectors.platform_for(account())
    if not connector.automatic:
        return None
    try:
        answer = connector.lookup_directory(client.siren)
    except connectors.PlatformError as exc:
        logger.warning("Directory lookup failed for client %s: %s", client_id, exc.message)
        with transaction.atomic():
            DirectoryEntry.objects.filter(client_id=client_id).update(error=exc.message[:500])
        raise
    with transaction.atomic():
        entry = DirectoryEntry.objects.select_for_update().filter(client_id=client_id).first()
        changed = entry is None or entry.found != answer.found or entry.routing_address != answer.routing_address
        if entry is None:
            entry = DirectoryEntry(client_id=client_id)
        entry.siren = client.siren
        entry.found = answer.found
        entry.routing_address = answer.routing_address
        entry.platform_name = answer.platform_name
        entry.looked_up_at = timezone.now()
        entry.error = ""
        entry.save()
        if changed:
            from billing.refresh import affected_groups, schedule_refresh

            schedule_refresh(affected_groups(client_id=client_id))
    return entry


def _stale(entry: DirectoryEntry | None, siren: str, now) -> bool:
    if entry is None or entry.siren != siren:
        return True
    return now - entry.looked_up_at > (FOUND_VALID if entry.found else MISSING_VALID)


_BUILD_ACCOUNT: dict = {}


def _account_for_build(now):
    """The firm's settings, read once per build (a build gives all its pre-invoices one `now`)."""
    from adv.tenancy.context import require_tenant_id

    key = (require_tenant_id(), now)
    if key not in _BUILD_ACCOUNT:
        _BUILD_ACCOUNT.clear()
        _BUILD_ACCOUNT[key] = account()
    return _BUILD_ACCOUNT[key]


def pre_invoice_checks(facts: readiness.InvoiceFacts) -> list[dict]:
    """The directory's checks of a pre-invoice whose client is reached through the platform: a
    client missing from the directory blocks (with where to fix it); one not looked up yet (or
    long ago) is looked up after commit and shown as pending meanwhile."""
    client = facts.deal.client
    if routing.channel_for(client, _account_for_build(facts.now)) != routing.PLATFORM or not client.siren:
        return []
    entry = DirectoryEntry.objects.filter(client_id=client.pk).first()
    if _stale(entry, client.siren, facts.now):
        from .tasks import directory_lookup

        send_task_on_commit(directory_lookup, str(client.tenant_id), str(client.pk),
                            recovery="the next refresh of the pre-invoice asks again")
    if entry is None or entry.siren != client.siren:
        return [readiness.check(
            DIRECTORY_PENDING, readiness.ACTION,
            _("Adresse de facturation électronique du client en cours de recherche dans l'annuaire."),
            fix=("clients:detail", {"pk": client.pk}), responsible=client.adv_owner_id,
        )]
    if not entry.found:
        return [readiness.check(
            DIRECTORY_MISSING, readiness.BLOCKED,
            _("Client absent de l'annuaire de la facturation électronique (SIREN %(siren)s) : vérifiez son "
              "SIREN sur sa fiche, ou demandez-lui le nom de sa plateforme agréée.") % {"siren": client.siren},
            fix=("clients:edit", {"pk": client.pk}), responsible=client.adv_owner_id,
        )]
    return []


def _forget_build_account(**_kwargs) -> None:
    _BUILD_ACCOUNT.clear()
