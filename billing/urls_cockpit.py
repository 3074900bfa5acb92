"""Cockpit and pre-invoice pages (see billing/urls.py)."""

urlpatterns = []
