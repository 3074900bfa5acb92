from django.db import migrations

from adv.tenancy.rls import EnableRowLevelSecurity
from portal.rls import PORTAL_TABLES, EnablePortalPolicy

TABLES = [
    "portal_clientportal",
    "portal_clientportalevent",
    "portal_portalcontact",
    "portal_portalcontactevent",
    "portal_portallink",
    "portal_portalactivity",
    "portal_portalsignature",
    "portal_invoicedispute",
    "portal_invoicedisputeevent",
]


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0001_initial"),
        ("clients", "0006_billing_country_default_cleared"),
        ("deals", "0004_signature_documents_rls"),
        ("timesheets", "0005_fill_announced_deadlines"),
        ("billing", "0007_month_expected_row_level_security"),
    ]

    operations = [
        *(EnableRowLevelSecurity(table) for table in TABLES),
        # The client's own rows only, on every table a portal page reads or writes (portal/rls.py).
        *(EnablePortalPolicy(table) for table in PORTAL_TABLES),
    ]
