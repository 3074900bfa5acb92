"""Billing fixtures: see tests/billing/support.py."""

from tests.billing.support import billing_firm, media  # noqa: F401  (fixtures)
