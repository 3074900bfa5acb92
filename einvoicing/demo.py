"""Demo data: the demo firm sends through the local emulator when `make run` started one
(EINVOICING_EMULATOR_URL, set by adv/embedded.py), so its issued invoices are submitted and their
statuses move (the emulator's scenarios: one client disputes, one refuses, one pays; one SIREN is
missing from the directory). Without the emulator the firm stays on the manual path."""

from __future__ import annotations

import os

from adv.tenancy.models import Tenant
from billing.models import Invoice
from clients import crypto

from . import demo_suppliers
from .models import PlatformAccount
from .sending import invoices_route


def seed(tenant: Tenant) -> None:
    url = os.environ.get("EINVOICING_EMULATOR_URL", "").strip()
    if not url:
        demo_suppliers.seed("")  # the contractor's invoices, entered by hand
        return
    account = PlatformAccount.objects.first()
    if account is None:
        account = PlatformAccount.objects.create(
            connector="xp_z12_013", base_url=url, client_id="demo",
            client_secret_encrypted=crypto.encrypt("demo"), webhook_secret_encrypted=crypto.encrypt("demo-webhook"),
        )
    elif account.base_url != url and account.client_id == "demo":
        account.base_url = url  # the emulator moved (another port)
        account.save(update_fields=["base_url", "updated_at"])
    issued = Invoice.objects.filter(number__isnull=False, deposited_at__isnull=True).values_list("pk", flat=True)
    invoices_route(list(issued))
    demo_suppliers.seed(url)
