"""Sidebar entries of invoices, payments and reports (imported by BillingConfig.ready)."""
