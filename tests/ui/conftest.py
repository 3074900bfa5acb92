"""Helpers of the UI page tests."""

import pytest

from adv.tenancy.context import tenant_context
from tests.factories import MembershipFactory, UserFactory


@pytest.fixture
def add_members():
    """add_members(tenant, n, role=...) creates n more members in the firm."""

    def create(tenant, count: int, **fields):
        with tenant_context(tenant):
            return [MembershipFactory(user=UserFactory(), **fields) for _ in range(count)]

    return create


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
