"""Accounting fixtures: the billing firm (tests/billing/support.py) with a month issued and paid."""

from tests.accounting.support import issued_month  # noqa: F401  (fixtures)
from tests.billing.support import billing_firm, media  # noqa: F401  (fixtures)
