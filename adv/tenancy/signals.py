"""Signals of the tenancy core, for apps that set up per-tenant defaults."""

from django.dispatch import Signal

# Sent inside the creating transaction and the new tenant's context; kwargs: tenant.
tenant_created = Signal()
