"""Billing's invoices list filters on the platform lifecycle status and shows it as a badge, in
the same number of queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.einvoicing.test_api import approved  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def test_the_list_filters_on_the_platform_status_and_shows_its_badge(platform_firm, approved):  # noqa: F811
    client = platform_firm.adv.client()
    url = platform_firm.adv.url("billing/invoices/")
    everything = client.get(url).content.decode()
    assert 'data-testid="invoice-platform-status" data-code="205"' in everything and "Approuvée" in everything
    with CaptureQueriesContext(connection) as plain:
        client.get(url)
    with CaptureQueriesContext(connection) as filtered:
        approved_only = client.get(url, {"platform_status": "205"})
    assert approved_only.status_code == 200
    assert approved_only.content.decode().count('data-testid="invoice-row"') == 1
    assert approved.number in approved_only.content.decode()
    refused = client.get(url, {"platform_status": "210"}).content.decode()
    assert 'data-testid="invoice-row"' not in refused and 'data-testid="invoices-empty"' in refused
    assert len(filtered) == len(plain)
    # a code that is no status filters nothing and says nothing breaks
    assert client.get(url, {"platform_status": "999"}).status_code == 200
