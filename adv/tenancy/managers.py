"""Managers of tenant-owned models: scoped by default, fail closed.

`Model.objects` filters on the active tenant and raises `TenantContextMissing` when there is
none. `Model.cross_tenant_objects` is the named, grep-able way across tenants; even there,
PostgreSQL row-level security still hides other tenants' rows from the application role.
"""

from django.db import models

from .context import require_tenant_id


class TenantQuerySet(models.QuerySet):
    pass


class TenantManager(models.Manager.from_queryset(TenantQuerySet)):
    def get_queryset(self):
        return super().get_queryset().filter(tenant_id=require_tenant_id())

    def none(self):
        # An empty queryset reveals nothing: allowed without a tenant (form field defaults).
        return super().get_queryset().none()


class CrossTenantManager(models.Manager.from_queryset(TenantQuerySet)):
    """Unscoped in Python. Use only where crossing tenants is the point, and say why."""
