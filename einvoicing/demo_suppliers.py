"""Demo supplier invoices: the demo contractor's company (with its SIREN) and two invoices it sent
the firm, one that matches its approved days × purchase rate and one that does not. Through the
local emulator when `make run` started one (they arrive as flows and are fetched), else entered
by hand (the manual path)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import requests

from adv.tenancy.models import Membership, Role
from timesheets.models import Timesheet, TimesheetStatus

from . import connectors, suppliers
from .models import SupplierIdentity

CONTRACTOR_EMAIL = "contractor@demo.adv.test"
COMPANY, SIREN = "Leroy Conseil EURL", "841234503"
VAT_RATE = Decimal("0.20")


def seed(url: str) -> None:
    contractor = Membership.objects.filter(user__email=CONTRACTOR_EMAIL, is_contractor=True).first()
    if contractor is None or SupplierIdentity.objects.filter(membership=contractor).exists():
        return
    actor = Membership.objects.filter(role=Role.ADMIN, is_active=True).order_by("created_at").first()
    identity = suppliers.supplier_identity_save(actor=actor, membership=contractor, company_name=COMPANY, siren=SIREN)
    months = list(Timesheet.objects.filter(consultant=contractor, status=TimesheetStatus.APPROVED)
                  .order_by("-month").values_list("month", flat=True)[:2])
    if not months:
        return
    invoices = []
    for index, month in enumerate(months if len(months) == 2 else months * 2):
        _days, expected = suppliers.expected_for(contractor.pk, month)
        net = expected if index == 0 else expected + Decimal("560.00")  # the second one bills a day too many
        end = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1) - datetime.timedelta(days=1)
        invoices.append({"number": f"LC-{month:%Y%m}-{index + 1}", "issue_date": end, "month": month, "net": net})
    if url:
        try:
            for item in invoices:
                vat = (item["net"] * VAT_RATE).quantize(Decimal("0.01"))
                requests.post(f"{url.rstrip('/')}/emulator/incoming-flows", timeout=5, json={
                    "seller_siren": SIREN, "seller_name": COMPANY, "number": item["number"],
                    "issue_date": item["issue_date"].isoformat(), "period_start": item["month"].isoformat(),
                    "total_net": f"{item['net']:.2f}", "total_vat": f"{vat:.2f}",
                }).raise_for_status()
            suppliers.supplier_invoices_fetch()
            return
        except (requests.RequestException, connectors.PlatformError):
            pass  # the emulator is not answering: entered by hand below
    for item in invoices:
        suppliers.supplier_invoice_enter(
            actor=actor, supplier=identity, number=item["number"], issue_date=item["issue_date"], month=item["month"],
            total_net=item["net"], total_vat=(item["net"] * VAT_RATE).quantize(Decimal("0.01")),
        )
