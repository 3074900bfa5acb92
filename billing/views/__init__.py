"""Billing pages, one module per area: `cockpit` (the month's figures, the billing run, the
pre-invoice table, bulk issuance), `pre_invoices` (a pre-invoice's page), `invoices` (issued
invoices, credit notes, payments, deposit, exports), `reports` (the month's summary and FAE, the
billing settings); `helpers` holds what they share (roles, the invoice's URL, the posted date)."""
