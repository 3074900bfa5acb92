"""Demo data of the accounting export: the demo firm's account mapping (the PCG defaults, its bank
account on a sub-account), an auxiliary account for every client, one edited by a person, and a FEC
of the issued months already exported so that the export log shows a line.

Runs after billing's demo (INSTALLED_APPS order), in the firm's context; idempotent: a firm whose
mapping exists is left alone."""

from __future__ import annotations

import datetime

from django.utils import timezone

from adv.tenancy.errors import DomainError
from adv.tenancy.models import Membership, Role, Tenant
from billing.models import Invoice
from clients.models import Client

from . import services
from .models import AccountMapping, ClientAccount


def seed(tenant: Tenant) -> None:
    if AccountMapping.objects.exists():
        return
    adv = Membership.objects.filter(role=Role.ADV, is_active=True).order_by("created_at").first()
    accountant = Membership.objects.filter(role=Role.ACCOUNTANT, is_active=True).order_by("created_at").first()
    if adv is None:
        return
    services.mapping_update(actor=adv, bank_account="512100", bank_account_label="Banque principale")
    services.client_accounts_generate(actor=adv)
    first = Client.objects.order_by("legal_name", "id").first()
    if first is not None and not ClientAccount.objects.filter(number="C0001").exists():
        services.client_account_set(actor=adv, client=first, number="C0001")
    issued = Invoice.objects.filter(number__isnull=False).order_by("issue_date").values_list("issue_date", flat=True)
    start = issued.first()
    if start is None:
        return
    end = timezone.localdate()
    try:
        services.export_run(
            actor=accountant or adv, kind="fec", start=datetime.date(start.year, start.month, 1), end=end
        )
    except DomainError:  # a firm without SIREN: the export page says what to fill
        pass
