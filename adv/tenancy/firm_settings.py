"""A firm's settings rows (BillingPolicy, DealPolicy, TimesheetPolicy: one row per firm), read
and written one way.

Reading never writes: a firm that never saved its settings reads an unsaved row with the
model's defaults, so that a page view, a render or a report inserts nothing (and a read-only
transaction stays read-only). Only a service that changes the settings calls `settings_for_update`.
"""

from __future__ import annotations

from typing import TypeVar

from django.db import models

from .context import require_tenant_id

M = TypeVar("M", bound=models.Model)


def settings_read(model: type[M]) -> M:
    """The active firm's row of `model`, or an unsaved one with the defaults."""
    tenant_id = require_tenant_id()
    return model.objects.filter(tenant_id=tenant_id).first() or model(tenant_id=tenant_id)


def settings_ensure(model: type[M]) -> M:
    """The writer's entry: the firm's row, inserted with the defaults the first time."""
    return model.objects.get_or_create(tenant_id=require_tenant_id())[0]


def settings_for_update(model: type[M]) -> M:
    """The firm's row locked until the end of the caller's transaction (created the first time)."""
    settings_ensure(model)
    return model.objects.select_for_update(of=("self",)).get(tenant_id=require_tenant_id())
