"""Issued invoices, credit notes, payments and reports pages (see billing/urls.py)."""

urlpatterns = []
