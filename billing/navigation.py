"""Billing entries of the sidebar (filled by the billing pages)."""
