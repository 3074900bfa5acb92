"""The demo firm's contractor bills it: one invoice that matches its approved days × purchase
rate, one that does not (entered by hand: the tests run without the emulator)."""

from __future__ import annotations

import pytest

from adv.tenancy.context import tenant_context
from einvoicing.models import SupplierIdentity, SupplierInvoice

pytestmark = pytest.mark.today  # on the demo firm seeded once (`demo_tenant`, tests/conftest.py)


def test_the_demo_contractor_sent_a_matching_and_a_mismatching_invoice(demo_tenant):
    with tenant_context(demo_tenant):
        identity = SupplierIdentity.objects.select_related("membership__user").get()
        matches = sorted(SupplierInvoice.objects.filter(supplier=identity).values_list("match", flat=True))
    assert identity.membership.user.email == "contractor@demo.adv.test" and identity.membership.is_contractor
    assert matches == ["differs", "matched"]
