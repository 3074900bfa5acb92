"""Sidebar entries of the cockpit (imported by BillingConfig.ready)."""
