"""The escalation sent at the billing close speaks French: the amount in French format, "d'octobre"."""

from __future__ import annotations

import datetime

import pytest

from adv.tenancy.context import tenant_context
from billing.escalation import escalate_due
from notifications.models import Notification
from tests.billing.test_escalation import DEADLINE, october_close  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def test_the_escalation_title_formats_the_amount_and_elides_the_month(october_close):  # noqa: F811
    firm = october_close
    firm.build()
    with tenant_context(firm.tenant):
        escalate_due(DEADLINE + datetime.timedelta(days=1))
        titles = list(Notification.objects.filter(event="billing.escalation").values_list("title", flat=True))
    helios = next(title for title in titles if "Helios" in title)
    assert "clôture d'octobre 2026" in helios
    assert "25\u202f960,00\u00a0€ HT" in helios and "25960.00" not in helios
